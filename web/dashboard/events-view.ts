// The event stream, newest first, as `swarm events` prints it, with a type filter.

import { h, replace, table } from './dom.js';
import type { ClusterEvent } from './types.js';
import type { View } from './view.js';

export const EVENT_TYPES = ['service', 'node', 'task', 'network', 'secret', 'config'];

export class EventsView implements View {
  readonly el = h('section', { 'aria-labelledby': 'events-h' });
  private readonly select = h(
    'select',
    { id: 'event-type', onchange: () => void this.refresh() },
    h('option', { value: '' }, 'all types'),
    ...EVENT_TYPES.map((t) => h('option', { value: t }, t)),
  );
  private readonly body = h('div', { class: 'scroll' });

  constructor(private readonly kept: () => readonly ClusterEvent[]) {
    replace(
      this.el,
      h('h2', { id: 'events-h' }, 'Events'),
      h('p', {}, h('label', { for: 'event-type' }, 'Show '), this.select, ' — live since this page opened, newest first.'),
      this.body,
    );
  }

  concerns(): boolean {
    return true;
  }

  async refresh(): Promise<void> {
    const type = this.select.value;
    const rows = this.kept()
      .filter((e) => type === '' || e.Type === type)
      .slice(-300)
      .reverse()
      .map((e) => {
        const { name, ...rest } = e.Actor.Attributes;
        const attrs = Object.entries(rest).map(([k, v]) => `${k}=${v}`).join(', ');
        return h(
          'tr',
          {},
          h('td', {}, new Date(e.timeNano / 1e6).toLocaleTimeString()),
          h('td', {}, e.Type),
          h('td', {}, e.Action),
          h('td', {}, name ?? e.Actor.ID.slice(0, 12)),
          h('td', {}, attrs),
        );
      });
    replace(this.body, rows.length === 0 ? h('p', {}, 'No events yet: change something.') : table(['Time', 'Type', 'Action', 'Name', 'Attributes'], rows));
  }
}

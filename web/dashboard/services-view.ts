// The services: replicas running/desired, image, ports, update status and
// autoscaling, each linking to its own view.

import { api } from './api.js';
import { h, replace, table } from './dom.js';
import { autoscaleText, portsText, updateText } from './format.js';
import type { ClusterEvent, ServiceEntry } from './types.js';
import type { View } from './view.js';

export class ServicesView implements View {
  readonly el = h('section', { 'aria-labelledby': 'services-h' });

  concerns(ev: ClusterEvent): boolean {
    return ev.Type === 'service' || ev.Type === 'task';
  }

  async refresh(): Promise<void> {
    const a = await api<{ stale: boolean; services: ServiceEntry[] }>('GET', '/v1/services');
    const sorted = [...a.services].sort((x, y) => x.service.spec.name.localeCompare(y.service.spec.name, undefined, { numeric: true }));
    const rows = sorted.map((e) => {
      const s = e.service;
      const converged = e.running === e.desired;
      return h(
        'tr',
        { 'data-service': s.spec.name },
        h('th', { scope: 'row' }, h('a', { href: `#/service/${encodeURIComponent(s.spec.name)}` }, s.spec.name)),
        h('td', {}, s.spec.mode),
        h('td', { class: `num replicas ${converged ? 'ok' : 'pending'}` }, `${e.running}/${e.desired}`),
        h('td', {}, s.spec.task.container.image),
        h('td', {}, portsText(s)),
        h('td', {}, updateText(s)),
        h('td', {}, autoscaleText(s.spec)),
      );
    });
    replace(
      this.el,
      h('h2', { id: 'services-h' }, 'Services'),
      a.stale ? h('p', { class: 'warn' }, "No quorum: this is this manager's last known state.") : null,
      rows.length === 0
        ? h('p', {}, 'No services yet. ', h('a', { href: '#/deploy' }, 'Deploy a stack'), ' or use swarm service create.')
        : h('div', { class: 'scroll' }, table(['Name', 'Mode', 'Replicas', 'Image', 'Ports', 'Update', 'Autoscaling'], rows, `${rows.length} services`)),
    );
  }
}

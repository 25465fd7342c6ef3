// One service: what it runs, the actions (scale, new image, roll back, remove),
// its tasks with their history and errors (newest first per slot, as
// `service ps` shows them), and its logs, live.

import { api, stream } from './api.js';
import { ago, h, replace, table } from './dom.js';
import { autoscaleText, portsText, updateText } from './format.js';
import type { ClusterEvent, ServiceView as Answer, Task } from './types.js';
import { notify, View } from './view.js';

const MAX_LOG_LINES = 1000;

export class ServiceView implements View {
  readonly el = h('section', { 'aria-labelledby': 'service-h' });
  private readonly body = h('div');
  private readonly logs = h('pre', { class: 'logs', tabindex: 0, 'aria-label': 'Logs' });
  private readonly logButton = h('button', { type: 'button', id: 'logs-toggle', onclick: () => this.toggleLogs() }, 'Follow logs');
  private logAbort?: AbortController;
  private serviceId?: string;

  constructor(private readonly name: string) {
    replace(
      this.el,
      h('p', {}, h('a', { href: '#/services' }, '← Services')),
      h('h2', { id: 'service-h' }, `Service ${name}`),
      this.actions(),
      this.body,
      h('section', { 'aria-labelledby': 'logs-h' }, h('h3', { id: 'logs-h' }, 'Logs'), this.logButton, this.logs),
    );
  }

  concerns(ev: ClusterEvent): boolean {
    if (ev.Type === 'service') return ev.Actor.ID === this.serviceId || ev.Actor.Attributes.name === this.name;
    return ev.Type === 'task' || ev.Type === 'node';
  }

  dispose(): void {
    this.logAbort?.abort();
  }

  private actions(): HTMLElement {
    const replicas = h('input', { id: 'scale-replicas', type: 'number', min: 0, step: 1, required: true, inputmode: 'numeric' });
    const image = h('input', { id: 'new-image', type: 'text', required: true, spellcheck: 'false', autocomplete: 'off' });
    const submit = (f: () => Promise<void>) => (e: Event) => {
      e.preventDefault();
      void f().then(
        () => notify(undefined),
        (err: unknown) => notify((err as Error).message),
      );
    };
    return h(
      'div',
      { class: 'actions' },
      h(
        'form',
        { onsubmit: submit(() => this.act('scale', { replicas: Number(replicas.value) })), 'aria-label': 'Scale' },
        h('label', { for: 'scale-replicas' }, 'Replicas '),
        replicas,
        h('button', { type: 'submit' }, 'Scale'),
      ),
      h(
        'form',
        { onsubmit: submit(() => this.act('image', { image: image.value })), 'aria-label': 'Update image' },
        h('label', { for: 'new-image' }, 'Image '),
        image,
        h('button', { type: 'submit' }, 'Update image'),
      ),
      h('button', { type: 'button', onclick: submit(() => this.rollback()) }, 'Roll back'),
      h('button', { type: 'button', class: 'danger', onclick: submit(() => this.remove()) }, 'Remove…'),
    );
  }

  private async act(what: 'scale' | 'image', body: unknown): Promise<void> {
    const r = await api<{ note?: string }>('POST', `/services/${encodeURIComponent(this.name)}/${what}`, body);
    await this.refresh();
    if (r.note) notify(r.note);
  }

  private async rollback(): Promise<void> {
    await api('POST', `/v1/services/${encodeURIComponent(this.name)}/rollback`, {});
    await this.refresh();
  }

  private async remove(): Promise<void> {
    if (!confirm(`Remove service ${this.name}? Its tasks are stopped and their containers removed.`)) return;
    await api('POST', `/v1/services/${encodeURIComponent(this.name)}/remove`, {});
    location.hash = '#/services';
  }

  async refresh(): Promise<void> {
    const a = await api<Answer>('GET', `/v1/services/${encodeURIComponent(this.name)}`);
    const s = a.service;
    this.serviceId = s.id;
    const replicas = document.getElementById('scale-replicas') as HTMLInputElement | null;
    if (replicas && document.activeElement !== replicas && replicas.value === '') replicas.value = String(s.spec.replicas);
    const image = document.getElementById('new-image') as HTMLInputElement | null;
    if (image && document.activeElement !== image && image.value === '') image.value = s.spec.task.container.image;
    const facts: [string, string][] = [
      ['Image', s.spec.task.container.image],
      ['Mode', s.spec.mode],
      ['Replicas', `${a.running}/${a.desired} running`],
      ['Ports', portsText(s) || '—'],
      ['Update', updateText(s) || '—'],
      ['Autoscaling', autoscaleText(s.spec) || 'off'],
    ];
    if (s.autoscaleStatus) facts.push(['Last autoscale', `${s.autoscaleStatus.last.from} → ${s.autoscaleStatus.last.to}, ${ago(s.autoscaleStatus.last.at)}: ${s.autoscaleStatus.last.reason}`]);
    replace(
      this.body,
      h('dl', { class: 'facts', id: 'service-facts' }, ...facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', { 'data-fact': k.toLowerCase() }, v)])),
      this.tasks(a.tasks, a.nodeNames),
    );
  }

  private tasks(tasks: Task[], nodeNames: Record<string, string>): HTMLElement {
    // One group per slot (or node, for global services): the current task, then its history.
    const groups = new Map<string, Task[]>();
    for (const t of tasks) {
      const key = t.slot !== undefined ? `s${String(t.slot).padStart(6, '0')}` : `n${t.nodeId ?? ''}`;
      groups.set(key, [...(groups.get(key) ?? []), t]);
    }
    const rows: Node[] = [];
    for (const key of [...groups.keys()].sort()) {
      const list = groups.get(key)!.sort((x, y) => Date.parse(y.status.timestamp) - Date.parse(x.status.timestamp));
      list.forEach((t, i) => {
        const name = `${t.serviceName}.${t.slot ?? nodeNames[t.nodeId ?? ''] ?? ''}`;
        rows.push(
          h(
            'tr',
            { class: i === 0 ? 'current' : 'history', 'data-task': t.id, 'data-state': t.status.state },
            h('td', {}, i === 0 ? name : ` \\_ ${name}`),
            h('td', {}, t.nodeId ? nodeNames[t.nodeId] ?? t.nodeId.slice(0, 12) : ''),
            h('td', {}, t.desiredState),
            h('td', { class: `state-${t.status.state}` }, `${t.status.state} ${ago(t.status.timestamp)}`),
            h('td', { class: 'err' }, t.status.err ?? ''),
            h('td', {}, t.spec.container.image),
          ),
        );
      });
    }
    return h('div', { class: 'scroll' }, table(['Task', 'Node', 'Desired', 'Current state', 'Error', 'Image'], rows, 'Tasks'));
  }

  private toggleLogs(): void {
    if (this.logAbort) {
      this.logAbort.abort();
      this.logAbort = undefined;
      this.logButton.textContent = 'Follow logs';
      return;
    }
    const abort = new AbortController();
    this.logAbort = abort;
    this.logButton.textContent = 'Stop following';
    this.logs.textContent = '';
    const add = (text: string) => {
      this.logs.append(document.createTextNode(text));
      while (this.logs.childNodes.length > MAX_LOG_LINES) this.logs.firstChild?.remove();
      this.logs.scrollTop = this.logs.scrollHeight;
    };
    stream(`/v1/logs?ref=${encodeURIComponent(this.name)}&follow=1&tail=100`, (item) => {
      const l = item as { warning?: string; name?: string; task?: string; node?: string; line?: string };
      add(l.warning !== undefined ? `warning: ${l.warning}\n` : `${l.name}.${(l.task ?? '').slice(0, 12)}@${l.node} | ${l.line}\n`);
    }, abort.signal).catch((e: unknown) => {
      if (!abort.signal.aborted) add(`(logs stopped: ${(e as Error).message})\n`);
    });
  }
}

// The cluster: its managers and leader, the nodes (state, availability, labels,
// resources, with drain/activate), and a task map: one small card per node with
// a coloured cell per running task, wrapping into a dense grid so that hundreds
// of nodes stay on a screen or two, with a filter by node, label or service.

import { api } from './api.js';
import { bytes, h, replace, serviceColour, table } from './dom.js';
import type { ClusterEvent, Info, Node, NodeList, Task } from './types.js';
import { notify, View } from './view.js';

interface TasksAnswer {
  tasks: Task[];
}

export class ClusterView implements View {
  readonly el = h('section', { 'aria-labelledby': 'cluster-h' });
  private filter = '';
  private data?: { info: Info; nodes: NodeList; tasks: Task[] };
  private readonly filterInput = h('input', { id: 'map-filter', type: 'search', placeholder: 'hostname, label or service', oninput: () => this.onFilter() });

  concerns(ev: ClusterEvent): boolean {
    return ev.Type === 'node' || ev.Type === 'task' || ev.Type === 'service';
  }

  async refresh(): Promise<void> {
    const [info, nodes, tasks] = await Promise.all([
      api<Info>('GET', '/v1/info'),
      api<NodeList>('GET', '/v1/nodes'),
      api<TasksAnswer>('GET', '/v1/tasks'),
    ]);
    this.data = { info, nodes, tasks: tasks.tasks };
    this.draw();
  }

  private onFilter(): void {
    this.filter = this.filterInput.value.trim().toLowerCase();
    this.draw();
  }

  private draw(): void {
    const d = this.data;
    if (!d) return;
    const names = new Map(d.nodes.nodes.map((n) => [n.id, n.description?.hostname ?? n.id]));
    const leader = d.info.managers.find((m) => m.leader);
    replace(
      this.el,
      h('h2', { id: 'cluster-h' }, 'Cluster'),
      d.nodes.stale ? h('p', { class: 'warn' }, "No quorum: this is this manager's last known state.") : null,
      h(
        'p',
        { class: 'summary' },
        `${d.nodes.nodes.length} nodes, ${d.info.managers.length} managers; leader: `,
        h('strong', {}, leader ? names.get(leader.nodeId) ?? leader.nodeId : 'none known'),
        ` · cluster ${d.info.clusterId.slice(0, 12)}`,
      ),
      h('p', {}, h('label', { for: 'map-filter' }, 'Filter nodes '), this.filterInput),
      this.taskMap(d.nodes.nodes, d.tasks),
      this.nodeTable(d.nodes),
    );
  }

  private nodeTable(list: NodeList): HTMLElement {
    const sorted = list.nodes.filter((n) => this.filter === '' || nodeMatches(n, this.filter)).sort((a, b) => hostname(a).localeCompare(hostname(b), undefined, { numeric: true }));
    const rows = sorted.map((n) => {
      const manager = n.role === 'manager' ? (n.id === list.leaderNodeId ? 'Leader' : list.reachability[n.id] === 'reachable' ? 'Reachable' : 'Unreachable') : '';
      const res = n.description?.resources;
      const drained = n.spec.availability === 'drain';
      const next = drained ? 'active' : 'drain';
      return h(
        'tr',
        { 'data-node': hostname(n) },
        h('th', { scope: 'row' }, hostname(n)),
        h('td', { class: `state-${n.status.state}` }, n.status.state),
        h('td', {}, n.spec.availability),
        h('td', {}, manager),
        h('td', {}, Object.entries(n.spec.labels).map(([k, v]) => `${k}=${v}`).join(', ')),
        h('td', { class: 'num' }, res ? `${(res.nanoCPUs / 1e9).toFixed(1)} CPU, ${bytes(res.memoryBytes)}` : ''),
        h(
          'td',
          {},
          h(
            'button',
            {
              type: 'button',
              'aria-label': `${drained ? 'Activate' : 'Drain'} ${hostname(n)}`,
              onclick: () => void this.setAvailability(n, next),
            },
            drained ? 'Activate' : 'Drain',
          ),
        ),
      );
    });
    return h('div', { class: 'scroll' }, table(['Node', 'Status', 'Availability', 'Manager', 'Labels', 'Resources', ''], rows, `Nodes (${rows.length} of ${list.nodes.length})`));
  }

  private async setAvailability(n: Node, availability: 'active' | 'drain'): Promise<void> {
    try {
      await api('POST', `/v1/nodes/${encodeURIComponent(n.id)}/update`, { availability });
      notify(undefined);
      await this.refresh();
    } catch (e) {
      notify(`node ${hostname(n)}: ${(e as Error).message}`);
    }
  }

  private taskMap(nodes: Node[], tasks: Task[]): HTMLElement {
    const running = new Map<string, Task[]>();
    for (const t of tasks) {
      if (t.status.state !== 'running' || !t.nodeId) continue;
      const list = running.get(t.nodeId) ?? [];
      list.push(t);
      running.set(t.nodeId, list);
    }
    const f = this.filter;
    const services = [...new Set(tasks.filter((t) => t.status.state === 'running').map((t) => t.serviceName))].sort();
    const shown = nodes.filter((n) => f === '' || nodeMatches(n, f) || (running.get(n.id) ?? []).some((t) => t.serviceName.toLowerCase().includes(f)));
    const cards = shown
      .sort((a, b) => hostname(a).localeCompare(hostname(b), undefined, { numeric: true }))
      .map((n) => {
        const ts = (running.get(n.id) ?? []).filter((t) => f === '' || !services.some((s) => s.toLowerCase().includes(f)) || t.serviceName.toLowerCase().includes(f));
        ts.sort((a, b) => a.serviceName.localeCompare(b.serviceName) || (a.slot ?? 0) - (b.slot ?? 0));
        return h(
          'li',
          { class: `node-card node-${n.status.state} avail-${n.spec.availability}`, title: `${hostname(n)}: ${n.status.state}, ${n.spec.availability}, ${ts.length} running` },
          h('span', { class: 'node-name' }, hostname(n)),
          h(
            'span',
            { class: 'cells', 'aria-label': `${ts.length} running tasks` },
            ...ts.map((t) => h('span', { class: 'cell', style: `background:${serviceColour(t.serviceName)}`, title: `${t.serviceName}.${t.slot ?? ''} (${t.id.slice(0, 12)})` })),
          ),
        );
      });
    return h(
      'section',
      { 'aria-labelledby': 'map-h' },
      h('h3', { id: 'map-h' }, 'Task map ', h('span', { class: 'count' }, `${shown.length} of ${nodes.length} nodes, a cell per running task`)),
      h('ul', { class: 'legend', 'aria-label': 'Services' }, ...services.map((s) => h('li', {}, h('span', { class: 'cell', style: `background:${serviceColour(s)}` }), ` ${s}`))),
      h('ul', { class: 'task-map' }, ...cards),
    );
  }
}

/** The filter matches a node by hostname or label (the task map also by service). */
function nodeMatches(n: Node, f: string): boolean {
  return hostname(n).toLowerCase().includes(f) || Object.entries(n.spec.labels).some(([k, v]) => `${k}=${v}`.toLowerCase().includes(f));
}

function hostname(n: Node): string {
  return n.description?.hostname ?? n.id.slice(0, 12);
}

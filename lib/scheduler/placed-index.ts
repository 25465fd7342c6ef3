// The tasks holding a place on nodes, kept up to date one task at a time and
// handed to scheduleTasks as one entry per (node, service, stopping): the
// leader's scheduling loop follows store events into this instead of
// flattening every task of the store on every pass. Plain data, no store.

import type { SchedPort, SchedTask } from './types';

interface Group {
  nodeId: string;
  serviceId: string;
  stopping: boolean;
  count: number;
  nanoCPUs: number;
  memoryBytes: number;
  /** Host ports by "port/protocol", with how many tasks of the group hold each. */
  ports: Map<string, { port: SchedPort; holders: number }>;
}

const held = (p: SchedPort): boolean => p.publishMode === 'host' && p.publishedPort > 0;
const portKey = (p: SchedPort): string => `${p.publishedPort}/${p.protocol}`;

export class PlacedIndex {
  private readonly byTask = new Map<string, SchedTask>();
  private readonly groups = new Map<string, Group>();

  get size(): number {
    return this.byTask.size;
  }

  /** The task's current place, or undefined when it holds none (not placed, finished, deleted). */
  set(taskId: string, t: SchedTask | undefined): void {
    const old = this.byTask.get(taskId);
    if (old) {
      this.byTask.delete(taskId);
      this.change(old, -1);
    }
    if (t) {
      this.byTask.set(taskId, t);
      this.change(t, 1);
    }
  }

  clear(): void {
    this.byTask.clear();
    this.groups.clear();
  }

  /** One entry per group; each call builds fresh entries (the scheduler may keep them). */
  tasks(): SchedTask[] {
    const out: SchedTask[] = [];
    for (const g of this.groups.values()) {
      out.push({
        id: `${g.nodeId}/${g.serviceId}${g.stopping ? '/stopping' : ''}`,
        serviceId: g.serviceId,
        nodeId: g.nodeId,
        reservations: { nanoCPUs: g.nanoCPUs, memoryBytes: g.memoryBytes },
        ports: [...g.ports.values()].map((p) => p.port),
        stopping: g.stopping,
        count: g.count,
      });
    }
    return out;
  }

  private change(t: SchedTask, sign: 1 | -1): void {
    const stopping = t.stopping === true;
    const key = `${t.nodeId}\u0000${t.serviceId}\u0000${stopping ? 1 : 0}`;
    let g = this.groups.get(key);
    if (!g) {
      g = { nodeId: t.nodeId, serviceId: t.serviceId, stopping, count: 0, nanoCPUs: 0, memoryBytes: 0, ports: new Map() };
      this.groups.set(key, g);
    }
    const n = t.count ?? 1;
    g.count += sign * n;
    g.nanoCPUs += sign * t.reservations.nanoCPUs;
    g.memoryBytes += sign * t.reservations.memoryBytes;
    for (const p of t.ports) {
      if (!held(p)) continue;
      const k = portKey(p);
      const e = g.ports.get(k);
      if (sign > 0) {
        if (e) e.holders++;
        else g.ports.set(k, { port: { protocol: p.protocol, publishedPort: p.publishedPort, publishMode: 'host' }, holders: 1 });
      } else if (e && --e.holders === 0) g.ports.delete(k);
    }
    if (g.count === 0) this.groups.delete(key);
  }
}

// The node's copy of its network table (lib/api/net-table.ts), kept from the
// dispatcher's netUpdate messages, with the indexes the DNS server and the
// listeners read on every query and connection. A reset builds a new table on
// the side and swaps it in whole once its last message arrived, so readers
// never see half of one.

import type { NetEntry, NetTableNetwork, NetTableNode, NetTableService, NetTableTask, NetUpdate } from '../api/net-table';
import { Cidr, parseCidr } from '../util/ipv4';

export class NetTableData {
  readonly networks = new Map<string, NetTableNetwork>();
  readonly services = new Map<string, NetTableService>();
  readonly tasks = new Map<string, NetTableTask>();
  readonly nodes = new Map<string, NetTableNode>();

  apply(set: readonly NetEntry[], del: readonly { kind: NetEntry['kind']; id: string }[]): void {
    for (const r of del) this.mapOf(r.kind).delete(r.id);
    for (const e of set) (this.mapOf(e.kind) as Map<string, NetEntry>).set(e.id, e);
  }

  clone(): NetTableData {
    const c = new NetTableData();
    for (const [k, v] of this.networks) c.networks.set(k, v);
    for (const [k, v] of this.services) c.services.set(k, v);
    for (const [k, v] of this.tasks) c.tasks.set(k, v);
    for (const [k, v] of this.nodes) c.nodes.set(k, v);
    return c;
  }

  private mapOf(kind: NetEntry['kind']): Map<string, NetEntry> {
    switch (kind) {
      case 'network':
        return this.networks;
      case 'service':
        return this.services;
      case 'task':
        return this.tasks;
      case 'node':
        return this.nodes;
    }
  }
}

/** Indexes over one state of the table, built once per change, read by every query. */
export class NetIndex {
  /** Lower-case name or alias → services answering to it, per network id. */
  private readonly byName = new Map<string, Map<string, NetTableService[]>>();
  /** Lower-case task name → task. */
  private readonly taskByName = new Map<string, NetTableTask>();
  readonly tasksByService = new Map<string, NetTableTask[]>();
  /** Container address → task, for tasks on nodes that share this node's network stack. */
  private readonly localPeers = new Map<string, NetTableTask>();
  /** Every name the table knows (services, aliases, tasks): what is the cluster's to answer. */
  private readonly known = new Set<string>();
  /** The networks' subnets, parsed once: every connection from the host is checked against them. */
  readonly subnets: readonly Cidr[];

  constructor(
    readonly data: NetTableData,
    readonly hostKey: string,
  ) {
    for (const s of data.services.values()) {
      for (const a of s.networks) {
        for (const name of [s.name, ...a.aliases]) {
          const key = name.toLowerCase();
          this.known.add(key);
          let perNet = this.byName.get(key);
          if (!perNet) this.byName.set(key, (perNet = new Map()));
          const list = perNet.get(a.networkId) ?? [];
          list.push(s);
          perNet.set(a.networkId, list);
        }
      }
    }
    for (const t of data.tasks.values()) {
      const list = this.tasksByService.get(t.serviceId) ?? [];
      list.push(t);
      this.tasksByService.set(t.serviceId, list);
      this.taskByName.set(t.name.toLowerCase(), t);
      this.known.add(t.name.toLowerCase());
      if (t.containerAddr !== undefined && data.nodes.get(t.nodeId)?.hostKey === hostKey) this.localPeers.set(t.containerAddr, t);
    }
    // Stable order: answers and round robin do not depend on arrival order.
    for (const list of this.tasksByService.values()) list.sort((a, b) => (a.id < b.id ? -1 : 1));
    this.subnets = [...data.networks.values()].map((n) => parseCidr(n.subnet));
  }

  /** Services answering to this name on this network (the name first, then aliases, as the table lists them). */
  servicesNamed(name: string, networkId: string): readonly NetTableService[] {
    return this.byName.get(name)?.get(networkId) ?? [];
  }

  taskNamed(name: string): NetTableTask | undefined {
    return this.taskByName.get(name);
  }

  isClusterName(name: string): boolean {
    return this.known.has(name);
  }

  /** The task of this machine whose container has this address. */
  peerTask(addr: string): NetTableTask | undefined {
    return this.localPeers.get(addr);
  }

  /** Networks a task is on: those it has an address on. */
  networksOf(t: NetTableTask): string[] {
    return t.addrs.map((a) => a.networkId);
  }

  upTasks(serviceId: string): NetTableTask[] {
    return (this.tasksByService.get(serviceId) ?? []).filter((t) => t.up);
  }
}

/** The table as messages build it; `current` is the last complete state. */
export class NetTable {
  private data = new NetTableData();
  private staging: NetTableData | undefined;
  private index: NetIndex;
  private readonly listeners = new Set<(index: NetIndex) => void>();
  private complete = false;

  constructor(private readonly hostKey: string) {
    this.index = new NetIndex(this.data, hostKey);
  }

  /** Whether a whole table arrived since the node started. */
  get ready(): boolean {
    return this.complete;
  }

  get current(): NetIndex {
    return this.index;
  }

  onChange(fn: (index: NetIndex) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  apply(u: NetUpdate): void {
    if (u.reset) this.staging = new NetTableData();
    // A change in one message (the usual case) is applied in place; one spread over
    // several is gathered on a copy until its last message.
    const target = this.staging ?? (u.done ? this.data : (this.staging = this.data.clone()));
    target.apply(u.set, u.del);
    if (!u.done) return;
    this.data = target;
    this.staging = undefined;
    this.complete = true;
    this.index = new NetIndex(this.data, this.hostKey);
    for (const fn of [...this.listeners]) fn(this.index);
  }
}

// The machines' network tables (net-table.ts) kept up to date from store
// events instead of derived again after every change. `viewFor` stays the
// definition; this index answers the same question incrementally:
//   - a node entry, an ingress network, a service publishing ingress ports
//     and its live tasks are in every machine's view;
//   - otherwise a network is in a machine's view while a live task of one of
//     the machine's nodes is on it (a count per network per hostKey), a
//     service while one of its networks is, a live task while its service is.
// Each event updates the index and, for the machines that have sessions
// ("watched"), notes what the touched entries were at the last drain: in the
// view or not, and their JSON. `drain` compares that with now, so a burst of
// changes costs each machine only the entries that changed for it, and an
// entry changed back within a burst is not sent at all.
//
// Events are applied as "this object is now X" (or gone), derived against the
// index's own previous state: applying one twice, or one the index already
// saw in a rebuild, changes nothing.

import type { NetEntry, NetRef, NetTableNetwork, NetTableService, NetTableTask } from '../../api/net-table';
import { isTerminal, Service, Task } from '../../api/service-types';
import { Network, Node } from '../../api/types';
import type { DeepReadonly, MemoryStore, StoreEvent } from '../store';
import { hostKeyOf, networkEntry, nodeEntry, serviceEntry, taskEntry } from './net-table';

/** What changed in one machine's view since the last drain. */
export interface ViewChanges {
  set: SizedEntry[];
  del: NetRef[];
}

/** An entry with its JSON, made once per change and shared by every machine's messages. */
export interface SizedEntry {
  entry: NetEntry;
  json: string;
}

interface ServiceState {
  entry: NetTableService;
  nets: string[];
  ingress: boolean;
}

/** What a task adds to its machine's interest: its networks, while it is live on a known node. */
interface TaskState {
  /** The stored task, to make its entry when its service becomes visible. */
  obj: DeepReadonly<Task>;
  serviceId: string;
  nodeId: string | undefined;
  live: boolean;
  nets: string[];
  /** Its entry is in `current` (placed and not finished). */
  hasEntry: boolean;
}

/** A touched entry as it was for one machine at the last drain. */
interface Before {
  member: boolean;
  json: string | undefined;
}

export class NetViewIndex {
  private readonly current = new Map<string, SizedEntry>();
  private readonly nodeKeys = new Map<string, string>();
  private readonly nodeTasks = new Map<string, Set<string>>();
  private readonly networks = new Map<string, NetTableNetwork>();
  private readonly services = new Map<string, ServiceState>();
  private readonly servicesOnNet = new Map<string, Set<string>>();
  private readonly ingressServices = new Set<string>();
  /** Live task entries per service id (the service may not exist). */
  private readonly serviceTasks = new Map<string, Map<string, NetTableTask>>();
  private readonly tasks = new Map<string, TaskState>();
  /** network id → hostKey → live tasks of that machine on it; and the same by hostKey. */
  private readonly interestByNet = new Map<string, Map<string, number>>();
  private readonly interestByHost = new Map<string, Map<string, number>>();
  /** Machines with sessions, with how many. */
  private readonly watched = new Map<string, number>();
  private readonly pending = new Map<string, Map<string, Before>>();

  /** Forgets everything and reads the store again; what was pending is dropped (the caller sends whole tables). */
  rebuild(store: MemoryStore): void {
    for (const m of [this.current, this.nodeKeys, this.nodeTasks, this.networks, this.services, this.servicesOnNet, this.serviceTasks, this.tasks, this.interestByNet, this.interestByHost, this.pending]) m.clear();
    this.ingressServices.clear();
    // Order does not matter to the index: scans, not sorted lists (100,000 tasks).
    for (const n of store.scan('node')) this.setNode(n.id, n);
    for (const n of store.scan('network')) this.setNetwork(n.id, n);
    for (const s of store.scan('service')) this.setService(s.id, s);
    for (const t of store.scan('task')) this.setTask(t.id, t);
    this.pending.clear();
  }

  apply(ev: StoreEvent): void {
    if (ev.action === 'reset') throw new Error('NetViewIndex.apply: a reset calls for rebuild()');
    const gone = ev.action === 'delete';
    switch (ev.kind) {
      case 'node':
        return this.setNode(ev.id, gone ? undefined : ev.object);
      case 'network':
        return this.setNetwork(ev.id, gone ? undefined : ev.object);
      case 'service':
        return this.setService(ev.id, gone ? undefined : ev.object);
      case 'task':
        return this.setTask(ev.id, gone ? undefined : ev.object);
      default:
        return;
    }
  }

  /** The machine a node's sessions belong to, as the index knows the node. */
  hostKeyOf(nodeId: string): string {
    return this.nodeKeys.get(nodeId) ?? `node:${nodeId}`;
  }

  watch(hostKey: string): void {
    this.watched.set(hostKey, (this.watched.get(hostKey) ?? 0) + 1);
  }

  unwatch(hostKey: string): void {
    const n = (this.watched.get(hostKey) ?? 0) - 1;
    if (n > 0) this.watched.set(hostKey, n);
    else {
      this.watched.delete(hostKey);
      this.pending.delete(hostKey);
    }
  }

  /** Whether changes for this machine wait for the next drain (then its sessions are behind the index). */
  hasPending(hostKey: string): boolean {
    return (this.pending.get(hostKey)?.size ?? 0) > 0;
  }

  /** The whole view of one machine now (what `viewFor` gives for the same store), each entry with its JSON. */
  viewOf(hostKey: string): SizedEntry[] {
    const out: SizedEntry[] = [];
    const add = (key: string) => {
      const c = this.current.get(key);
      if (c) out.push(c);
    };
    for (const id of this.nodeKeys.keys()) add(`node:${id}`);
    const interest = this.interestByHost.get(hostKey);
    const services = new Set(this.ingressServices);
    for (const n of this.networks.values()) if (n.ingress || interest?.has(n.id)) add(`network:${n.id}`);
    for (const netId of interest?.keys() ?? []) for (const s of this.servicesOnNet.get(netId) ?? []) services.add(s);
    for (const id of services) {
      if (!this.services.has(id)) continue;
      add(`service:${id}`);
      for (const tid of this.serviceTasks.get(id)?.keys() ?? []) add(`task:${tid}`);
    }
    return out;
  }

  /** What changed for each watched machine since the last drain; machines with nothing to send are left out. */
  drain(): Map<string, ViewChanges> {
    const out = new Map<string, ViewChanges>();
    for (const [hostKey, touched] of this.pending) {
      const changes: ViewChanges = { set: [], del: [] };
      for (const [key, before] of touched) {
        const now = this.member(hostKey, key);
        if (now) {
          const c = this.current.get(key);
          if (c && (!before.member || before.json !== c.json)) changes.set.push(c);
        } else if (before.member) {
          const i = key.indexOf(':');
          changes.del.push({ kind: key.slice(0, i) as NetRef['kind'], id: key.slice(i + 1) });
        }
      }
      if (changes.set.length > 0 || changes.del.length > 0) out.set(hostKey, changes);
    }
    this.pending.clear();
    return out;
  }

  // --- membership -----------------------------------------------------------

  private interested(hostKey: string, netId: string): boolean {
    return (this.interestByNet.get(netId)?.get(hostKey) ?? 0) > 0;
  }

  private serviceIn(hostKey: string, id: string): boolean {
    const s = this.services.get(id);
    return s !== undefined && (s.ingress || s.nets.some((n) => this.interested(hostKey, n)));
  }

  private member(hostKey: string, key: string): boolean {
    const i = key.indexOf(':');
    const kind = key.slice(0, i);
    const id = key.slice(i + 1);
    switch (kind) {
      case 'node':
        return this.current.has(key);
      case 'network': {
        const n = this.networks.get(id);
        return n !== undefined && (n.ingress || this.interested(hostKey, id));
      }
      case 'service':
        return this.serviceIn(hostKey, id);
      default: {
        const t = this.tasks.get(id);
        return t !== undefined && t.hasEntry && this.serviceIn(hostKey, t.serviceId);
      }
    }
  }

  /** The watched machines whose view holds this service now. */
  private serviceHolders(id: string): Iterable<string> {
    const s = this.services.get(id);
    if (!s) return [];
    if (s.ingress) return this.watched.keys();
    const out = new Set<string>();
    for (const n of s.nets) for (const h of this.interestByNet.get(n)?.keys() ?? []) if (this.watched.has(h)) out.add(h);
    return out;
  }

  /** The watched machines whose view holds this entry now. */
  private holders(key: string): Iterable<string> {
    const i = key.indexOf(':');
    const kind = key.slice(0, i);
    const id = key.slice(i + 1);
    switch (kind) {
      case 'node':
        return this.current.has(key) ? this.watched.keys() : [];
      case 'network': {
        const n = this.networks.get(id);
        if (!n) return [];
        if (n.ingress) return this.watched.keys();
        return [...(this.interestByNet.get(id)?.keys() ?? [])].filter((h) => this.watched.has(h));
      }
      case 'service':
        return this.serviceHolders(id);
      default: {
        const t = this.tasks.get(id);
        return t?.hasEntry ? this.serviceHolders(t.serviceId) : [];
      }
    }
  }

  // --- noting what was --------------------------------------------------------

  private note(hostKey: string, key: string, member: boolean, json: string | undefined): void {
    if (!this.watched.has(hostKey)) return;
    let touched = this.pending.get(hostKey);
    if (!touched) this.pending.set(hostKey, (touched = new Map()));
    if (!touched.has(key)) touched.set(key, { member, json });
  }

  /**
   * Runs a change to one entry (its content or where it belongs), noting it as
   * it was for every watched machine that held it before or holds it after.
   */
  private changing(key: string, change: () => void): void {
    const json = this.current.get(key)?.json;
    for (const h of [...this.holders(key)]) this.note(h, key, true, json);
    change();
    for (const h of this.holders(key)) this.note(h, key, false, undefined);
  }

  /** Before one machine's interest in a network starts or ends: notes the network, its services and their tasks for it. */
  private interestTurning(hostKey: string, netId: string): void {
    if (!this.watched.has(hostKey)) return;
    const key = `network:${netId}`;
    this.note(hostKey, key, this.member(hostKey, key), this.current.get(key)?.json);
    for (const sid of this.servicesOnNet.get(netId) ?? []) {
      const skey = `service:${sid}`;
      const was = this.serviceIn(hostKey, sid);
      this.note(hostKey, skey, was, this.current.get(skey)?.json);
      for (const tid of this.serviceTasks.get(sid)?.keys() ?? []) {
        const tkey = `task:${tid}`;
        this.note(hostKey, tkey, was, this.current.get(tkey)?.json);
      }
    }
  }

  private addInterest(hostKey: string, nets: readonly string[], delta: 1 | -1): void {
    for (const netId of nets) {
      let byHost = this.interestByNet.get(netId);
      if (!byHost) this.interestByNet.set(netId, (byHost = new Map()));
      const n = (byHost.get(hostKey) ?? 0) + delta;
      if ((n === 0 && delta < 0) || (n === 1 && delta > 0)) this.interestTurning(hostKey, netId);
      let byNet = this.interestByHost.get(hostKey);
      if (!byNet) this.interestByHost.set(hostKey, (byNet = new Map()));
      if (n > 0) {
        byHost.set(hostKey, n);
        byNet.set(netId, n);
      } else {
        byHost.delete(hostKey);
        byNet.delete(netId);
        if (byHost.size === 0) this.interestByNet.delete(netId);
        if (byNet.size === 0) this.interestByHost.delete(hostKey);
      }
    }
  }

  private setCurrent(key: string, sized: SizedEntry | undefined): void {
    if (sized) this.current.set(key, sized);
    else this.current.delete(key);
  }

  private unchanged(key: string, sized: SizedEntry | undefined): boolean {
    return this.current.get(key)?.json === sized?.json;
  }

  // --- objects ----------------------------------------------------------------

  private setNode(id: string, n: DeepReadonly<Node> | undefined): void {
    const key = `node:${id}`;
    const entry = n ? nodeEntry(n) : undefined;
    const sized = withJson(entry);
    if (!this.unchanged(key, sized)) this.changing(key, () => this.setCurrent(key, sized));
    const oldHost = this.nodeKeys.get(id);
    const newHost = n ? hostKeyOf(n, id) : undefined;
    if (oldHost === newHost) return;
    // The node's live tasks now count for another machine (or for none).
    const live = [...(this.nodeTasks.get(id) ?? [])].map((tid) => this.tasks.get(tid)).filter((t): t is TaskState => t !== undefined && t.live);
    if (oldHost !== undefined) for (const t of live) this.addInterest(oldHost, t.nets, -1);
    if (newHost === undefined) this.nodeKeys.delete(id);
    else this.nodeKeys.set(id, newHost);
    if (newHost !== undefined) for (const t of live) this.addInterest(newHost, t.nets, 1);
  }

  private setNetwork(id: string, n: DeepReadonly<Network> | undefined): void {
    const key = `network:${id}`;
    const entry = n ? networkEntry(n) : undefined;
    const sized = withJson(entry);
    if (this.unchanged(key, sized)) return;
    this.changing(key, () => {
      this.setCurrent(key, sized);
      if (entry) this.networks.set(id, entry);
      else this.networks.delete(id);
    });
  }

  private setService(id: string, s: DeepReadonly<Service> | undefined): void {
    const key = `service:${id}`;
    const old = this.services.get(id);
    const entry = s ? serviceEntry(s) : undefined;
    const sized = withJson(entry);
    const next: ServiceState | undefined = entry && { entry, nets: [...new Set(entry.networks.map((a) => a.networkId))], ingress: entry.ingress.length > 0 };
    if (this.unchanged(key, sized)) return;
    const before = new Set(this.serviceHolders(id));
    this.changing(key, () => {
      this.setCurrent(key, sized);
      for (const n of old?.nets ?? []) this.servicesOnNet.get(n)?.delete(id);
      this.ingressServices.delete(id);
      if (!next) {
        this.services.delete(id);
        return;
      }
      this.services.set(id, next);
      for (const n of next.nets) {
        let set = this.servicesOnNet.get(n);
        if (!set) this.servicesOnNet.set(n, (set = new Set()));
        set.add(id);
      }
      if (next.ingress) this.ingressServices.add(id);
    });
    // Machines that gained or lost the service gain or lose its tasks.
    const after = new Set(this.serviceHolders(id));
    const tasks = this.serviceTasks.get(id);
    for (const h of new Set([...before, ...after])) {
      if (before.has(h) === after.has(h)) continue;
      for (const tid of tasks?.keys() ?? []) this.note(h, `task:${tid}`, before.has(h), this.current.get(`task:${tid}`)?.json);
    }
    // A service no machine can see keeps no task entries; they are made (or dropped) when that changes.
    // Rare (a service's first network or published port, or its last): a scan of the tasks, not an index kept on every task change.
    if (visible(old) !== visible(next)) {
      const mine = [...this.tasks].filter(([, t]) => t.serviceId === id);
      for (const [tid, t] of mine) this.setTask(tid, t.obj);
    }
  }

  private setTask(id: string, t: DeepReadonly<Task> | undefined): void {
    const key = `task:${id}`;
    const old = this.tasks.get(id);
    // Tasks of a service on no network and publishing nothing are in no view (most tasks, at scale): no entry, no JSON.
    const entry = t && visible(this.services.get(t.serviceId)) ? taskEntry(t) : undefined;
    const sized = withJson(entry);
    const next: TaskState | undefined = t && {
      obj: t,
      serviceId: t.serviceId,
      nodeId: t.nodeId,
      live: t.nodeId !== undefined && !isTerminal(t.status.state),
      nets: (t.spec.networks ?? []).map((a) => a.target),
      hasEntry: entry !== undefined,
    };
    if (!this.unchanged(key, sized) || old?.serviceId !== next?.serviceId) {
      this.changing(key, () => {
        this.setCurrent(key, sized);
        if (old?.hasEntry) this.serviceTasks.get(old.serviceId)?.delete(id);
        if (entry && next) {
          let m = this.serviceTasks.get(next.serviceId);
          if (!m) this.serviceTasks.set(next.serviceId, (m = new Map()));
          m.set(id, entry);
        }
        if (old?.hasEntry && this.serviceTasks.get(old.serviceId)?.size === 0) this.serviceTasks.delete(old.serviceId);
        // Where the entry belongs now (its interest moves below, from `old` to `next`).
        if (next) this.tasks.set(id, next);
        else this.tasks.delete(id);
      });
    }
    this.setTaskInterest(id, old, next);
  }

  /** Moves a task's share of interest (and its place among its node's tasks) from what it was to what it is. */
  private setTaskInterest(id: string, old: TaskState | undefined, next: TaskState | undefined): void {
    const contributes = (s: TaskState | undefined) => (s?.live && s.nodeId !== undefined ? this.nodeKeys.get(s.nodeId) : undefined);
    const oldHost = contributes(old);
    const newHost = contributes(next);
    const sameNets = old !== undefined && next !== undefined && old.nets.length === next.nets.length && old.nets.every((n, i) => n === next.nets[i]);
    if (old?.nodeId !== next?.nodeId || old?.live !== next?.live) {
      if (old?.nodeId !== undefined) this.nodeTasks.get(old.nodeId)?.delete(id);
      if (old?.nodeId !== undefined && this.nodeTasks.get(old.nodeId)?.size === 0) this.nodeTasks.delete(old.nodeId);
      if (next?.nodeId !== undefined && next.live) {
        let set = this.nodeTasks.get(next.nodeId);
        if (!set) this.nodeTasks.set(next.nodeId, (set = new Set()));
        set.add(id);
      }
    }
    if (!(oldHost === newHost && (sameNets || oldHost === undefined))) {
      if (oldHost !== undefined && old) this.addInterest(oldHost, old.nets, -1);
      if (newHost !== undefined && next) this.addInterest(newHost, next.nets, 1);
    }
    if (next) this.tasks.set(id, next);
    else this.tasks.delete(id);
  }
}

/** Whether any machine can ever hold the service: it is on a network or publishes ingress ports. */
function visible(s: ServiceState | undefined): boolean {
  return s !== undefined && (s.ingress || s.nets.length > 0);
}

function withJson(entry: NetEntry | undefined): SizedEntry | undefined {
  return entry && { entry, json: JSON.stringify(entry) };
}

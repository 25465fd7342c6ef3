// The leader's scheduling loop: tasks that wait for a node (NEW or PENDING,
// wanted running, past their restart delay) are placed by lib/scheduler in
// one batch per pass, and the result is committed in chunks of transactions:
// `assign` with the node and the task's network addresses, or the PENDING
// status with the scheduler's explanation ("no suitable node (...)"),
// written only when the explanation changes. Being the one writer of
// allocations, the loop also gives services their VIPs and dynamic
// published ports (network/allocator.ts), and makes the ingress network if a
// cluster from before networks has none.
//
// The loop keeps what the scheduler needs from store events instead of
// reading every task on every pass: the nodes, the waiting tasks, and the
// placed ones grouped per node and service (lib/scheduler/placed-index.ts);
// a full pass (ReconcileLoop) rebuilds all three from the store. The address
// book still reads every live task, but only in a pass that has addresses to
// hand out.

import { DEFAULT_ADDRESS_POOL, INGRESS_NETWORK } from '../api/network-types';
import { isTerminal, Task } from '../api/service-types';
import { Node } from '../api/types';
import { AddressBook, attachTask, planEndpoint, publishedPortsInUse } from './network/allocator';
import { ingressDraft } from './network/network-ops';
import { classifyTask, waitsForNode, PlacedIndex, PendingTask, scheduleTasks, SchedNode, schedNode } from '../scheduler';
import { chunkActions } from './entry-size';
import { ManagerError } from './errors';
import { ControlHost } from './control-host';
import { PassResult, ReconcileLogger, ReconcileLoop } from './reconcile-loop';
import { DeepReadonly, StoreEvent, thaw } from './store';
import { Action } from './store/transaction';

/** Service updates are conditioned on versions: one per transaction, so a user's change costs only its own retry. */
const SERVICE_CHUNK = 1;
const NO_ADDRESSES = new AddressBook([], [], []);

type RTask = DeepReadonly<Task>;

export class SchedulingLoop extends ReconcileLoop {
  readonly name = 'scheduler';

  /** Where each network's address search resumes, so a freed address is not handed out again at once. */
  private readonly cursors = new Map<string, number>();
  private readonly nodes = new Map<string, SchedNode>();
  private readonly placed = new PlacedIndex();
  /** Tasks that wait for a node (some may wait out a restart delay). */
  private readonly waiting = new Set<string>();
  /** Services whose endpoint (VIPs, dynamic ports) may need allocating; undefined: all of them. */
  private endpoints: Set<string> | undefined;

  constructor(m: ControlHost, log: ReconcileLogger) {
    super(m, ['task', 'node', 'service', 'network'], log);
  }

  protected override onEvent(ev: StoreEvent): void {
    if (ev.action === 'reset') return;
    switch (ev.kind) {
      case 'task':
        return this.refreshTask(ev.id);
      case 'node':
        return this.refreshNode(ev.id);
      case 'service':
        this.endpoints?.add(ev.id);
        return;
      case 'network':
        // VIPs of every service on it, and a subnet that changed.
        this.endpoints = undefined;
        return;
    }
  }

  /** From the store as it is now, not from the event: events may arrive after a full pass read newer state. */
  private refreshTask(id: string): void {
    const t = this.m.store.get('task', id);
    // Waiting tasks are only noted here; the pass reads them (few) when it places them.
    if (t && waitsForNode(t)) {
      this.placed.set(id, undefined);
      this.waiting.add(id);
      return;
    }
    this.waiting.delete(id);
    const c = t && !isTerminal(t.status.state) ? classifyTask(t as Task) : undefined;
    this.placed.set(id, c && 'placed' in c ? c.placed : undefined);
  }

  private refreshNode(id: string): void {
    const n = this.m.store.get('node', id);
    if (n) this.nodes.set(id, schedNode(n as Node));
    else this.nodes.delete(id);
  }

  private rebuild(): void {
    this.placed.clear();
    this.waiting.clear();
    this.nodes.clear();
    for (const t of this.m.store.scan('task')) this.refreshTask(t.id);
    for (const n of this.m.store.scan('node')) this.nodes.set(n.id, schedNode(n as Node));
    this.endpoints = undefined;
  }

  protected async pass(now: number, full: boolean): Promise<PassResult> {
    if (full) this.rebuild();
    const store = this.m.store;
    let book: AddressBook | undefined;
    // Only a pass with addresses to hand out pays for reading every live task's addresses.
    const addresses = () => (book ??= new AddressBook(store.list('network'), store.scan('service'), store.scan('task'), this.cursors));
    const serviceActions = this.allocateEndpoints(addresses);

    let wakeAt: number | undefined;
    const pending: PendingTask[] = [];
    const byId = new Map<string, RTask>();
    for (const id of [...this.waiting].sort()) {
      const t = store.get('task', id);
      const c = t && classifyTask(t as Task);
      if (!t || !c || !('pending' in c)) continue;
      // A restart waiting out its delay is neither pending nor holding anything yet.
      const at = t.notBefore ? Date.parse(t.notBefore) : NaN;
      if (at > now) {
        wakeAt = Math.min(wakeAt ?? Infinity, at);
        continue;
      }
      pending.push(c.pending);
      byId.set(id, t);
    }
    if (pending.length === 0) return { wakeAt, retry: await this.writeChunks(serviceActions, SERVICE_CHUNK) };
    const result = scheduleTasks({ nodes: [...this.nodes.values()], tasks: this.placed.tasks(), pending });
    const stamp = new Date(now).toISOString();
    const actions: Action[] = [];
    const unassigned = [...result.unassigned];
    for (const a of result.assignments) {
      const t = byId.get(a.taskId);
      if (!t) continue;
      const attached = (t.spec.networks ?? []).length === 0 ? { ok: true as const, networks: [] } : attachTask(t, addresses());
      if (!attached.ok) {
        unassigned.push({ taskId: t.id, reason: attached.reason });
        continue;
      }
      const assign: Action = { op: 'assign', kind: 'task', id: t.id, nodeId: a.nodeId, status: { state: 'assigned', timestamp: stamp, message: 'scheduled' } };
      if (attached.networks.length > 0) assign.networks = attached.networks;
      actions.push(assign);
    }
    for (const u of unassigned) {
      const t = byId.get(u.taskId);
      if (!t || (t.status.state === 'pending' && t.status.err === u.reason)) continue;
      const status = { state: 'pending' as const, timestamp: t.status.state === 'pending' ? t.status.timestamp : stamp, message: 'pending task scheduling', err: u.reason };
      actions.push({ op: 'setTaskStatus', kind: 'task', id: t.id, status });
    }
    const retry = await this.writeChunks(serviceActions, SERVICE_CHUNK);
    // Narrow task actions never conflict: chunks as big as the entry bound allows.
    return { wakeAt, retry: (await this.writeChunks(actions)) || retry };
  }

  /** Services whose VIPs or dynamic ports are not what they should be, and the ingress network if it is missing. */
  private allocateEndpoints(addresses: () => AddressBook): Action[] {
    const store = this.m.store;
    const actions: Action[] = [];
    const cluster = store.list('cluster')[0];
    if (cluster && store.findByName('network', INGRESS_NETWORK).length === 0) {
      actions.push({ op: 'create', kind: 'network', object: ingressDraft(cluster.spec.addressPool ?? DEFAULT_ADDRESS_POOL) });
    }
    const which = this.endpoints;
    this.endpoints = new Set();
    const services = which === undefined ? store.list('service') : [...which].sort().flatMap((id) => store.get('service', id) ?? []);
    if (services.length === 0) return actions;
    const portsInUse = publishedPortsInUse(store.scan('service'));
    for (const s of services) {
      // Only VIPs need addresses: a service on no network costs no address book.
      const endpoint = planEndpoint(s, (s.spec.task.networks ?? []).length > 0 ? addresses() : NO_ADDRESSES, portsInUse);
      if (!endpoint) continue;
      actions.push({ op: 'update', kind: 'service', object: { ...thaw(s), endpoint }, expectedVersion: s.meta.version });
    }
    return actions;
  }

  /** Chunks within the entry size bound; true when some chunk met a conflict (run again soon). */
  private async writeChunks(actions: Action[], maxActions = Infinity): Promise<boolean> {
    let retry = false;
    for (const chunk of chunkActions(actions, this.m.maxEntryBytes, maxActions)) {
      try {
        await this.m.write(chunk);
      } catch (e) {
        if (e instanceof ManagerError && (e.code === 'Conflict' || e.code === 'NotFound')) retry = true;
        else if (e instanceof ManagerError && e.code === 'Invalid') {
          // A network removed or a subnet taken between the read and the write: the next pass reads again.
          this.log.warn(`${this.name}: ${e.message}`);
          retry = true;
        } else throw e;
      }
    }
    if (retry) this.requestFull();
    return retry;
  }
}

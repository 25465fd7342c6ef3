// The leader's scheduling loop: tasks that wait for a node (NEW or PENDING,
// wanted running, past their restart delay) are placed by lib/scheduler in
// one batch per pass, and the result is committed in chunks of transactions:
// ASSIGNED with the node and the task's network addresses, or PENDING with
// the scheduler's explanation ("no suitable node (...)"), written only when
// the explanation changes. Being the one writer of allocations, the loop also
// gives services their VIPs and dynamic published ports
// (network/allocator.ts), and makes the ingress network if a cluster from
// before networks has none.

import { DEFAULT_ADDRESS_POOL, INGRESS_NETWORK } from '../api/network-types';
import { Task } from '../api/service-types';
import { Node } from '../api/types';
import { AddressBook, attachTask, planEndpoint, publishedPortsInUse } from './network/allocator';
import { ingressDraft } from './network/network-ops';
import { fromStore, scheduleTasks } from '../scheduler';
import { chunkActions } from './entry-size';
import { ManagerError } from './errors';
import { ControlHost } from './control-host';
import { PassResult, ReconcileLogger, ReconcileLoop } from './reconcile-loop';
import { DeepReadonly, thaw } from './store';
import { Action } from './store/transaction';

const CHUNK = 100;

export class SchedulingLoop extends ReconcileLoop {
  readonly name = 'scheduler';

  /** Where each network's address search resumes, so a freed address is not handed out again at once. */
  private readonly cursors = new Map<string, number>();

  constructor(m: ControlHost, log: ReconcileLogger) {
    super(m, ['task', 'node', 'service', 'network'], log);
  }

  protected async pass(now: number): Promise<PassResult> {
    const store = this.m.store;
    const all = store.list('task');
    const services = store.list('service');
    const book = new AddressBook(store.list('network'), services, all, this.cursors);
    const serviceActions = this.allocateEndpoints(book);
    let wakeAt: number | undefined;
    // A restart waiting out its delay is neither pending nor holding anything yet.
    const tasks = all.filter((t) => {
      if (!t.notBefore || (t.status.state !== 'new' && t.status.state !== 'pending')) return true;
      const at = Date.parse(t.notBefore);
      if (!(at > now)) return true;
      wakeAt = Math.min(wakeAt ?? Infinity, at);
      return false;
    });
    const input = fromStore(store.list('node') as Node[], tasks as Task[]);
    if (input.pending.length === 0) return { wakeAt, retry: await this.writeChunks(serviceActions) };
    const result = scheduleTasks(input);
    const byId = new Map(tasks.map((t) => [t.id, t]));
    const stamp = new Date(now).toISOString();
    const actions: Action[] = [];
    const unassigned = [...result.unassigned];
    for (const a of result.assignments) {
      const t = byId.get(a.taskId);
      if (!t) continue;
      const attached = attachTask(t, book);
      if (!attached.ok) {
        unassigned.push({ taskId: t.id, reason: attached.reason });
        continue;
      }
      const next = thaw(t);
      next.nodeId = a.nodeId;
      next.status = { state: 'assigned', timestamp: stamp, message: 'scheduled' };
      if (attached.networks.length > 0) next.networks = attached.networks;
      delete next.notBefore;
      actions.push(update(t, next));
    }
    for (const u of unassigned) {
      const t = byId.get(u.taskId);
      if (!t || (t.status.state === 'pending' && t.status.err === u.reason)) continue;
      const next = thaw(t);
      next.status = { state: 'pending', timestamp: t.status.state === 'pending' ? t.status.timestamp : stamp, message: 'pending task scheduling', err: u.reason };
      actions.push(update(t, next));
    }
    const retry = await this.writeChunks([...serviceActions, ...actions]);
    return { wakeAt, retry };
  }

  /** Services whose VIPs or dynamic ports are not what they should be, and the ingress network if it is missing. */
  private allocateEndpoints(book: AddressBook): Action[] {
    const store = this.m.store;
    const actions: Action[] = [];
    const cluster = store.list('cluster')[0];
    if (cluster && store.findByName('network', INGRESS_NETWORK).length === 0) {
      actions.push({ op: 'create', kind: 'network', object: ingressDraft(cluster.spec.addressPool ?? DEFAULT_ADDRESS_POOL) });
    }
    const services = store.list('service');
    const portsInUse = publishedPortsInUse(services);
    for (const s of services) {
      const endpoint = planEndpoint(s, book, portsInUse);
      if (!endpoint) continue;
      actions.push({ op: 'update', kind: 'service', object: { ...thaw(s), endpoint }, expectedVersion: s.meta.version });
    }
    return actions;
  }

  /**
   * Chunks of at most CHUNK actions, so a status report racing one task holds
   * back only its chunk until the next pass, and within the entry size bound
   * (a task with a big spec); true when some chunk met a conflict (run again soon).
   */
  private async writeChunks(actions: Action[]): Promise<boolean> {
    let retry = false;
    for (const chunk of chunkActions(actions, this.m.maxEntryBytes, CHUNK)) {
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
    return retry;
  }
}

function update(t: DeepReadonly<Task>, next: Task): Action {
  return { op: 'update', kind: 'task', object: next, expectedVersion: t.meta.version };
}

// The leader's scheduling loop: tasks that wait for a node (NEW or PENDING,
// wanted running, past their restart delay) are placed by lib/scheduler in
// one batch per pass, and the result is committed in one transaction:
// ASSIGNED with the node, or PENDING with the scheduler's explanation
// ("no suitable node (...)"), written only when the explanation changes.

import { Task } from '../api/service-types';
import { Node } from '../api/types';
import { fromStore, scheduleTasks } from '../scheduler';
import { ManagerError } from './errors';
import { Manager } from './manager';
import { PassResult, ReconcileLogger, ReconcileLoop } from './reconcile-loop';
import { DeepReadonly, thaw } from './store';
import { Action } from './store/transaction';

const CHUNK = 100;

export class SchedulingLoop extends ReconcileLoop {
  readonly name = 'scheduler';

  constructor(m: Manager, log: ReconcileLogger) {
    super(m, ['task', 'node'], log);
  }

  protected async pass(now: number): Promise<PassResult> {
    const store = this.m.store;
    const all = store.list('task');
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
    if (input.pending.length === 0) return { wakeAt };
    const result = scheduleTasks(input);
    const byId = new Map(tasks.map((t) => [t.id, t]));
    const stamp = new Date(now).toISOString();
    const actions: Action[] = [];
    for (const a of result.assignments) {
      const t = byId.get(a.taskId);
      if (!t) continue;
      const next = thaw(t);
      next.nodeId = a.nodeId;
      next.status = { state: 'assigned', timestamp: stamp, message: 'scheduled' };
      delete next.notBefore;
      actions.push(update(t, next));
    }
    for (const u of result.unassigned) {
      const t = byId.get(u.taskId);
      if (!t || (t.status.state === 'pending' && t.status.err === u.reason)) continue;
      const next = thaw(t);
      next.status = { state: 'pending', timestamp: t.status.state === 'pending' ? t.status.timestamp : stamp, message: 'pending task scheduling', err: u.reason };
      actions.push(update(t, next));
    }
    // Chunks, so a status report racing one task holds back only its chunk until the next pass.
    let retry = false;
    for (let i = 0; i < actions.length; i += CHUNK) {
      try {
        await this.m.write(actions.slice(i, i + CHUNK));
      } catch (e) {
        if (e instanceof ManagerError && (e.code === 'Conflict' || e.code === 'NotFound')) retry = true;
        else throw e;
      }
    }
    return { wakeAt, retry };
  }
}

function update(t: DeepReadonly<Task>, next: Task): Action {
  return { op: 'update', kind: 'task', object: next, expectedVersion: t.meta.version };
}

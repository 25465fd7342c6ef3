// Tasks finished for good: they ended on their own (complete, failed,
// rejected) and their restart policy says no restart (condition none,
// on-failure after exit 0, attempts used up). The policy is the task's own,
// as swarmkit reads it: the verdict on a task never changes, whatever
// becomes of its service's spec. As in swarmkit, the
// orchestrator sets such a task's desired state to shutdown, which is what
// `service ps` shows; yet the task keeps its slot (its node, for a global
// service), and nothing refills it until the service's spec changes.
//
// The store marks nothing more: a task finished for good is the newest task
// of a slot where no task is wanted running. Every reader (the orchestrator,
// the progress display) tells them alike with this module. It holds because
// a slot never otherwise goes without a task wanted running: a restart, a
// drained or lost node and an update all put a replacement in the slot, and
// a slot scaled away takes its tasks finished for good along.

import { Task, TaskState } from './service-types';
import { DeepReadonly } from '../util/deep-readonly';
import { decideRestart } from './restart-policy';

type RTask = DeepReadonly<Task>;

const ENDED_ON_ITS_OWN: ReadonlySet<TaskState> = new Set<TaskState>(['complete', 'failed', 'rejected']);

/** Whether a stopped task stays stopped: it ended by itself and its restart policy does not restart it. */
export function endedForGood(task: RTask, now: number): boolean {
  return ENDED_ON_ITS_OWN.has(task.status.state) && !decideRestart(task, task.spec.restartPolicy, now).restart;
}

/** A replicated task's slot, or a global task's node. */
export function slotKey(t: { slot?: number; nodeId?: string }): string {
  return t.slot !== undefined ? `s${t.slot}` : `n${t.nodeId ?? ''}`;
}

/** Newer first: by creation, then by the last write when created together. */
function newestFirst(a: RTask, b: RTask): number {
  return Date.parse(b.meta.createdAt) - Date.parse(a.meta.createdAt) || b.meta.version - a.meta.version;
}

/** The ids of a service's tasks that are finished for good and hold their slot. */
export function finishedForGood(serviceId: string, tasks: readonly RTask[], now: number): Set<string> {
  const slots = new Map<string, RTask[]>();
  for (const t of tasks) {
    if (t.serviceId !== serviceId) continue;
    const list = slots.get(slotKey(t));
    if (list) list.push(t);
    else slots.set(slotKey(t), [t]);
  }
  const out = new Set<string>();
  for (const list of slots.values()) {
    if (list.some((t) => t.desiredState === 'running')) continue;
    const newest = [...list].sort(newestFirst)[0];
    if (newest.desiredState === 'shutdown' && endedForGood(newest, now)) out.add(newest.id);
  }
  return out;
}

// What the narrow task actions (transaction.ts) do to a task: a new task
// object, or undefined when the action's condition no longer holds and it is
// skipped. Pure and deterministic, as everything the store applies.

import { NetworkAttachment } from '../../api/network-types';
import { Task, TaskStatus, taskStateRank } from '../../api/service-types';
import { canonicalJson } from './canonical-json';
import { DeepReadonly } from './deep-freeze';
import { TaskAction } from './transaction';

type RTask = DeepReadonly<Task>;
/** The stored task with some fields replaced; meta is the store's to write. */
type Next = Omit<RTask, 'meta' | 'status' | 'networks'> & { status: TaskStatus | RTask['status']; networks?: NetworkAttachment[] | RTask['networks'] };

const RUNNING = taskStateRank('running');
const PENDING = taskStateRank('pending');

/** A later state, or the same state saying something new. */
export function movesForward(current: DeepReadonly<TaskStatus>, next: DeepReadonly<TaskStatus>): boolean {
  const a = taskStateRank(current.state);
  const b = taskStateRank(next.state);
  return b > a || (b === a && canonicalJson(current) !== canonicalJson(next));
}

export function applyTaskAction(t: RTask, a: TaskAction): Next | undefined {
  switch (a.op) {
    case 'setTaskStatus': {
      if (a.nodeId !== undefined && t.nodeId !== a.nodeId) return undefined;
      if (!movesForward(t.status, a.status)) return undefined;
      return { ...t, status: a.status };
    }
    case 'assign': {
      const waiting = taskStateRank(t.status.state) <= PENDING && taskStateRank(t.desiredState) <= RUNNING;
      if (!waiting || (t.nodeId !== undefined && t.nodeId !== a.nodeId)) return undefined;
      if (taskStateRank(a.status.state) <= PENDING) return undefined;
      const { notBefore: _cleared, ...rest } = t;
      const next: Next = { ...rest, nodeId: a.nodeId, status: a.status };
      if (a.networks !== undefined && a.networks.length > 0) next.networks = a.networks;
      return next;
    }
    case 'setDesiredState': {
      const forward = taskStateRank(a.desiredState) > taskStateRank(t.desiredState);
      const status = a.status !== undefined && t.nodeId === undefined && movesForward(t.status, a.status) ? a.status : undefined;
      if (!forward && !status) return undefined;
      return { ...t, desiredState: forward ? a.desiredState : t.desiredState, status: status ?? t.status };
    }
  }
}

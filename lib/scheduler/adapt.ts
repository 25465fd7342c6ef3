import { isTerminal, taskStateRank, type Task, type TaskState } from '../api/service-types';
import type { Node } from '../api/types';
import type { PendingTask, ScheduleInput, SchedNode, SchedTask } from './types';

// From the store's objects to the scheduler's input. Which task is which:
//
// - terminal (complete, shutdown, failed, ...): ignored, its container is gone;
// - new or pending (not placed yet) and desired running: pending; one that
//   already has a nodeId (a global service's) is pinned to that node; one
//   that is desired to stop before it was ever placed is ignored;
// - assigned up to running, with a nodeId: it holds its node's resources and
//   host ports until it reaches a terminal state, whatever its desired state,
//   because its container may still be running; it counts as a replica of its
//   service (for spreading and max replicas) only while desired running, so a
//   replacement is not kept off the node of the task it replaces (swarmkit
//   does the same).

const RUNNING = taskStateRank('running');
const NOT_PLACED: ReadonlySet<TaskState> = new Set<TaskState>(['new', 'pending']);

export function schedNode(n: Node): SchedNode {
  const d = n.description;
  return {
    id: n.id,
    hostname: d?.hostname ?? '',
    role: n.role,
    availability: n.spec.availability,
    state: n.status.state,
    os: d?.platform.os ?? '',
    arch: d?.platform.arch ?? '',
    labels: n.spec.labels,
    engineLabels: d?.engine?.labels ?? {},
    nanoCPUs: d?.resources.nanoCPUs ?? 0,
    memoryBytes: d?.resources.memoryBytes ?? 0,
  };
}

function pendingTask(t: Task): PendingTask {
  const p: PendingTask = {
    id: t.id,
    serviceId: t.serviceId,
    specVersion: t.specVersion,
    reservations: t.spec.resources.reservations,
    placement: t.spec.placement,
    ports: t.ports,
  };
  if (t.nodeId !== undefined) p.nodeId = t.nodeId;
  return p;
}

function placedTask(t: Task, nodeId: string): SchedTask {
  return {
    id: t.id,
    serviceId: t.serviceId,
    nodeId,
    reservations: t.spec.resources.reservations,
    // Ports the engine actually published (it picks one when publishedPort is 0) are held too.
    ports: t.status.ports ? [...t.ports, ...t.status.ports] : t.ports,
    stopping: taskStateRank(t.desiredState) > RUNNING,
  };
}

export function fromStore(nodes: readonly Node[], tasks: readonly Task[]): ScheduleInput {
  const placed: SchedTask[] = [];
  const pending: PendingTask[] = [];
  for (const t of tasks) {
    if (isTerminal(t.status.state)) continue;
    if (NOT_PLACED.has(t.status.state)) {
      if (taskStateRank(t.desiredState) <= RUNNING) pending.push(pendingTask(t));
    } else if (t.nodeId !== undefined) {
      placed.push(placedTask(t, t.nodeId));
    }
  }
  return { nodes: nodes.map(schedNode), tasks: placed, pending };
}

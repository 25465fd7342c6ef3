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

/** New or pending and wanted running: waiting for a node (what classifyTask calls pending, without building it). */
export function waitsForNode(t: { readonly status: { readonly state: TaskState }; readonly desiredState: TaskState }): boolean {
  return NOT_PLACED.has(t.status.state) && taskStateRank(t.desiredState) <= RUNNING;
}

/** Where one task stands for the scheduler: waiting for a node, holding a place on one, or neither. */
export function classifyTask(t: Task): { pending: PendingTask } | { placed: SchedTask } | undefined {
  if (isTerminal(t.status.state)) return undefined;
  if (NOT_PLACED.has(t.status.state)) return waitsForNode(t) ? { pending: pendingTask(t) } : undefined;
  return t.nodeId !== undefined ? { placed: placedTask(t, t.nodeId) } : undefined;
}

export function fromStore(nodes: readonly Node[], tasks: readonly Task[]): ScheduleInput {
  const placed: SchedTask[] = [];
  const pending: PendingTask[] = [];
  for (const t of tasks) {
    const c = classifyTask(t);
    if (!c) continue;
    if ('pending' in c) pending.push(c.pending);
    else placed.push(c.placed);
  }
  return { nodes: nodes.map(schedNode), tasks: placed, pending };
}

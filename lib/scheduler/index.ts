// The spread scheduler: pure functions over plain data. No I/O, no clock, no
// randomness and no store; the leader's scheduling loop takes a snapshot,
// calls these, and proposes the result through Raft in one entry.
//
//   const input = fromStore(nodes, tasks);        // lib/api objects -> plain input
//   const { assignments, unassigned } = scheduleTasks(input);
//   // assignments: [{ taskId, nodeId }], in decision order
//   // unassigned:  [{ taskId, reason: 'no suitable node (insufficient resources on 2 nodes)' }]
//
// scheduleTasks(input: ScheduleInput): ScheduleResult
//   input.nodes    every node (SchedNode), whatever its state;
//   input.tasks    tasks already holding a place on a node (SchedTask);
//   input.pending  tasks to place (PendingTask). Tasks with the same serviceId
//                  and specVersion form one batch, scheduled together; a task
//                  with nodeId set is pinned and only checked against its node.
//
// Filters, in order; a node is counted under the first that refuses it:
//   ready        node state 'ready' and availability 'active';
//   resources    reserved CPU and memory within the node's total minus what
//                its tasks reserve (skipped when the task reserves nothing);
//   constraints  placement.constraints, see parseConstraint;
//   hostPorts    no other task on the node holds the same host-mode port;
//   maxReplicas  fewer than placement.maxReplicas replicas of the service.
//
// Spreading: placement preferences split a batch level by level so replicas
// per label value come out even (nodes without the label are one group), then
// within a group the node with the fewest replicas of the service, then the
// fewest tasks, then the lowest node id. A batch of k tasks over n nodes costs
// O(n + k log n). The same input always gives the same result, whatever the
// order of nodes and placed tasks. It throws only when a node id is given twice;
// a stored placement that no longer parses leaves its batch unassigned with
// the parser's message as the reason.
//
// parseConstraint(expr) and parsePreference(expr) throw an Error explaining
// what is wrong; the CLI calls them before anything is stored. See
// docs/scheduler.md for the details and the choices made.

export { classifyTask, fromStore, schedNode, waitsForNode } from './adapt';
export { PlacedIndex } from './placed-index';
export { parseConstraint, parseConstraints, matchesConstraint, matchesConstraints, type Constraint } from './constraint';
export { FILTERS, type FilterName } from './filters';
export { noSuitableNode } from './explain';
export { KNOWN_KEYS, type NodeKey } from './node-key';
export { parsePreference, parseSpread, type Spread } from './preference';
export { scheduleTasks } from './schedule';
export type {
  Assignment,
  PendingTask,
  ScheduleInput,
  ScheduleResult,
  SchedNode,
  SchedPlacement,
  SchedPort,
  SchedResources,
  SchedTask,
  Unassigned,
} from './types';

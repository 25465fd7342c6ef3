// The constraint enforcer, as swarmkit has one: a node's labels or resources
// change after its tasks were placed, and a task it no longer qualifies for
// must leave it. The scheduler judged the node when it placed the task; only
// this looks again.
//
// A task leaves its node when the node is active (a drained or down node is
// step 1 of the planner's already; a paused one keeps what it runs, as in
// swarmkit) and either
//   - the node no longer meets the task's own placement constraints (the
//     task's, not the service's: a service whose constraints changed is an
//     update, paced by the updater); or
//   - the node's resources no longer cover the reservations of the tasks on
//     it. Tasks are kept oldest first while they fit; the newer ones that do
//     not are moved (swarmkit keeps them in store order, so which go is left
//     to chance there).
// Swarmkit marks such a task REJECTED and lets the restart policy replace it;
// here the planner shuts it down and puts a replacement in its slot at once,
// as for a drained node: the task did not fail, its node changed, so no
// restart delay applies and no attempt is counted.
//
// Only tasks wanted running that reached their node count: a task already
// told to stop is leaving anyway, and one not yet placed is the scheduler's.
// A node is judged on its tasks of every service together, so this looks at
// all the tasks of the pass once: O(n log n) in them.

import { isTerminal, Task } from '../../api/service-types';
import { Node } from '../../api/types';
import { matchesConstraints, parseConstraints, schedNode, type Constraint } from '../../scheduler';
import { DeepReadonly } from '../store';
import { placed } from './updater';

type RTask = DeepReadonly<Task>;

export const NO_LONGER_MEETS_CONSTRAINTS = 'node no longer meets its placement constraints';
export const NO_LONGER_HAS_RESOURCES = 'node no longer has the resources it reserves';

/** The tasks that must leave their node, by task id, with why (one of the two reasons above). */
export function noncompliantTasks(
  tasks: readonly RTask[],
  nodes: ReadonlyMap<string, DeepReadonly<Node>>,
  /** Only these nodes' resources are judged (all when absent): the ones all of whose tasks are given. */
  resourceNodes?: ReadonlySet<string>,
): Map<string, string> {
  const byNode = new Map<string, RTask[]>();
  for (const t of tasks) {
    if (t.desiredState !== 'running' || isTerminal(t.status.state) || !placed(t)) continue;
    const list = byNode.get(t.nodeId as string);
    if (list) list.push(t);
    else byNode.set(t.nodeId as string, [t]);
  }
  const out = new Map<string, string>();
  // Tasks of one service share their constraints: parsed once per distinct list.
  const parsed = new Map<string, Constraint[] | undefined>();
  for (const [nodeId, list] of byNode) {
    const node = nodes.get(nodeId);
    if (!node || node.status.state === 'down' || node.spec.availability !== 'active') continue;
    const sn = schedNode(node as Node);
    const fitting: RTask[] = [];
    for (const t of list) {
      const cs = constraintsOf(t, parsed);
      if (cs && !matchesConstraints(sn, cs)) out.set(t.id, NO_LONGER_MEETS_CONSTRAINTS);
      else fitting.push(t);
    }
    // A node that has not described itself yet has unknown resources, not none.
    if (!node.description || (resourceNodes && !resourceNodes.has(nodeId))) continue;
    fitting.sort((a, b) => Date.parse(a.meta.createdAt) - Date.parse(b.meta.createdAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    let cpu = sn.nanoCPUs;
    let mem = sn.memoryBytes;
    for (const t of fitting) {
      const r = t.spec.resources.reservations;
      // As the scheduler: a task that reserves nothing needs nothing; one that reserves needs all of it.
      if (r.nanoCPUs <= 0 && r.memoryBytes <= 0) continue;
      if (r.nanoCPUs > cpu || r.memoryBytes > mem) {
        out.set(t.id, NO_LONGER_HAS_RESOURCES);
        continue;
      }
      cpu -= r.nanoCPUs;
      mem -= r.memoryBytes;
    }
  }
  return out;
}

/** The task's constraints, undefined when it has none or they do not parse (they were checked on input; a bad one moves nothing). */
function constraintsOf(t: RTask, cache: Map<string, Constraint[] | undefined>): Constraint[] | undefined {
  const exprs = t.spec.placement.constraints;
  if (exprs.length === 0) return undefined;
  const key = exprs.join('\n');
  if (!cache.has(key)) {
    let cs: Constraint[] | undefined;
    try {
      cs = parseConstraints(exprs);
    } catch {
      cs = undefined;
    }
    cache.set(key, cs);
  }
  return cache.get(key);
}

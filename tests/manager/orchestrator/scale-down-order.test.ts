// Which tasks a scale down takes. The planner does it with one sorted list per
// node and a heap; the rule is that of a plain scan repeated per removal: take
// the task with the greatest (unplaced, tasks of the service on its node,
// least progress, highest slot). On seeded random services (tasks in every
// live state, placed or not, on six nodes, scaled down by any amount) the
// planner must take exactly the tasks that scan takes.

import { TASK_STATES, Task, taskStateRank } from '../../../lib/api/service-types';
import { planOrchestration } from '../../../lib/manager/orchestrator/plan';
import { newTask } from '../../../lib/manager/orchestrator/task-factory';
import { DeepReadonly } from '../../../lib/manager/store';
import { Draft } from '../../../lib/manager/store/transaction';
import { seededRandom } from '../../../lib/raft/random';
import { Sim } from './harness';

const NODES = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6'];
const LIVE_STATES = TASK_STATES.filter((s) => taskStateRank(s) <= taskStateRank('running'));
const SERVICE = 'svc'.padEnd(25, '0');

/** The rule, as the scan it replaced: one pass over every remaining task per removal. */
function scanChoice(tasks: readonly DeepReadonly<Task>[], count: number): Set<string> {
  const left = [...tasks];
  const taken = new Set<string>();
  const perNode = new Map<string, number>();
  for (const t of left) if (t.nodeId) perNode.set(t.nodeId, (perNode.get(t.nodeId) ?? 0) + 1);
  const key = (t: DeepReadonly<Task>) => [t.nodeId ? 0 : 1, t.nodeId ? (perNode.get(t.nodeId) ?? 0) : 0, -taskStateRank(t.status.state), t.slot ?? 0];
  for (let n = 0; n < count && left.length > 0; n++) {
    let best = 0;
    for (let i = 1; i < left.length; i++) {
      const a = key(left[i]);
      const b = key(left[best]);
      const d = a.findIndex((x, j) => x !== b[j]);
      if (d >= 0 && a[d] > b[d]) best = i;
    }
    const [t] = left.splice(best, 1);
    taken.add(t.id);
    if (t.nodeId) perNode.set(t.nodeId, (perNode.get(t.nodeId) ?? 1) - 1);
  }
  return taken;
}

function randomService(seed: number): { sim: Sim; tasks: DeepReadonly<Task>[]; removals: number } {
  const r = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const sim = new Sim();
  for (const n of NODES) sim.addNode(n);
  const size = 1 + Math.floor(r() * 60);
  sim.createService(SERVICE, (spec) => (spec.replicas = size));
  // Distinct slots: two tasks of one slot would be a duplicate the planner resolves first.
  for (let slot = 1; slot <= size; slot++) {
    const placed = r() < 0.85;
    const t: Draft<Task> = newTask(sim.service(SERVICE), sim.now, `t${slot}`, { slot, nodeId: placed ? pick(NODES) : undefined });
    t.status = { ...t.status, state: placed ? pick(LIVE_STATES) : pick(['new', 'pending'] as const) };
    sim.apply([{ op: 'create', kind: 'task', object: t }]);
  }
  const replicas = Math.floor(r() * size);
  sim.updateService(SERVICE, (spec) => (spec.replicas = replicas));
  return { sim, tasks: sim.store.list('task'), removals: size - replicas };
}

describe('a scale down takes the tasks the per-removal scan takes', () => {
  const seeds = Array.from({ length: 300 }, (_, i) => i + 1);
  test.each(seeds)('seed %i', (seed) => {
    const { sim, tasks, removals } = randomService(seed);
    const plans = planOrchestration({ services: sim.store.list('service'), tasks, nodes: sim.store.list('node'), historyLimit: sim.historyLimit, now: sim.now });
    const removed = new Set(plans.flat().flatMap((a) => (a.op === 'setDesiredState' && a.desiredState === 'remove' ? [a.id] : [])));
    expect(removed.size).toBe(removals);
    expect([...removed].sort()).toEqual([...scanChoice(tasks, removals)].sort());
  });
});

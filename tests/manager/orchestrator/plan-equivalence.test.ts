// The planner finds a service's tasks through slot indexes and scales down
// with a heap; before, it scanned every task for each slot looked up and each
// task removed. On seeded random stores (duplicate slots, every task state,
// lost, drained and paused nodes, outdated tasks mid-update, scale downs
// large and small) it must plan exactly what the scanning planner
// (plan-reference.ts, the old code) plans: the same actions on the same
// tasks, in the same order.
// (The tests of the planner's behaviour are the other files here.)

import { DEFAULT_UPDATE_CONFIG } from '../../../lib/api/service-defaults';
import { TASK_STATES, Task } from '../../../lib/api/service-types';
import { planOrchestrationPass } from '../../../lib/manager/orchestrator/plan';
import { newTask } from '../../../lib/manager/orchestrator/task-factory';
import { Draft } from '../../../lib/manager/store/transaction';
import { seededRandom } from '../../../lib/raft/random';
import { Sim } from './harness';
import { planOrchestrationPass as referencePass } from './plan-reference';

// Ids from a counter, reset before each planner runs, so both name the tasks they create alike.
let mockNextId = 0;
jest.mock('../../../lib/api/ids', () => ({
  newObjectId: () => (++mockNextId).toString(36).padStart(25, '0'),
  newRaftId: () => 1,
}));

const NODES = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6'];

function randomStore(seed: number): Sim {
  const r = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const sim = new Sim();
  sim.historyLimit = 1 + Math.floor(r() * 4);
  for (const n of NODES) {
    sim.addNode(n, { state: pick(['ready', 'ready', 'ready', 'down'] as const), availability: pick(['active', 'active', 'active', 'pause', 'drain'] as const) });
  }
  const services = 1 + Math.floor(r() * 3);
  for (let s = 0; s < services; s++) {
    const id = `svc${s}`.padEnd(25, '0');
    sim.createService(id, (spec) => {
      spec.replicas = Math.floor(r() * 40);
      spec.update = { ...DEFAULT_UPDATE_CONFIG, order: pick(['stop-first', 'start-first'] as const), parallelism: Math.floor(r() * 4) };
    });
    const addTasks = (count: number) => {
      for (let i = 0; i < count; i++) {
        const svc = sim.service(id);
        const placed = r() < 0.8;
        // A few without a slot: the store allows it, and a scale down takes them all at once.
        const slot = r() < 0.1 ? undefined : 1 + Math.floor(r() * 60);
        const t: Draft<Task> = newTask(svc, sim.now, { slot, nodeId: placed ? pick(NODES) : undefined });
        t.status = { ...t.status, state: placed ? pick(TASK_STATES) : pick(['new', 'pending', 'shutdown'] as const) };
        t.desiredState = pick(['running', 'running', 'running', 'shutdown', 'remove'] as const);
        sim.apply([{ op: 'create', kind: 'task', object: t }]);
        sim.advance(Math.floor(r() * 3) * 1000);
      }
    };
    addTasks(Math.floor(r() * 80));
    if (r() < 0.5) {
      sim.updateService(id, (spec) => {
        spec.task.container.image = 'nginx:2';
      });
      addTasks(Math.floor(r() * 30));
    }
    if (r() < 0.3) sim.updateService(id, (spec) => (spec.replicas = Math.floor(r() * 10)));
  }
  sim.advance(60_000);
  return sim;
}

describe('the indexed planner plans what the scanning one did', () => {
  const seeds = Array.from({ length: 200 }, (_, i) => i + 1);
  test.each(seeds)('seed %i', (seed) => {
    const sim = randomStore(seed);
    const input = {
      services: sim.store.list('service'),
      tasks: sim.store.list('task'),
      nodes: sim.store.list('node'),
      historyLimit: sim.historyLimit,
      now: sim.now,
    };
    mockNextId = 1_000_000;
    const expected = referencePass(input);
    mockNextId = 1_000_000;
    const actual = planOrchestrationPass(input);
    expect(actual).toEqual(expected);
  });

  test('the random stores do scale down, with several tasks to take', () => {
    let scaleDowns = 0;
    for (const seed of seeds) {
      const sim = randomStore(seed);
      const plans = planOrchestrationPass({ services: sim.store.list('service'), tasks: sim.store.list('task'), nodes: sim.store.list('node'), historyLimit: sim.historyLimit, now: sim.now }).plans;
      const removed = plans.flat().filter((a) => a.op === 'update' && a.kind === 'task' && a.object.desiredState === 'remove').length;
      if (removed >= 5) scaleDowns++;
    }
    expect(scaleDowns).toBeGreaterThan(30);
  });
});

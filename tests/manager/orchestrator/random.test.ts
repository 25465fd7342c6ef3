// Seeded random histories of failures, node trouble, scaling and updates; once
// the cluster has settled, what a user would check must hold: the right number
// of tasks running where they should, on the current spec, history within its
// limit, and an orchestrator with nothing left to do.

import { isTerminal } from '../../../lib/api/service-types';
import { finishedForGood } from '../../../lib/api/finished-tasks';
import { seededRandom } from '../../../lib/raft/random';
import { Sim } from './harness';

// Task ids from a counter, so a seed replays the same history (ids order the store's lists).
let mockNextId = 0;
jest.mock('../../../lib/api/ids', () => ({
  newObjectId: () => (++mockNextId).toString(36).padStart(25, '0'),
  newRaftId: () => 1,
}));

// 'na' is never touched, so there is always somewhere to run.
const SPARE = ['nb', 'nc', 'nd'];

function history(seed: number): void {
  // Deterministic, so a failing seed replays exactly.
  const r = seededRandom(seed);
  mockNextId = 0;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const sim = new Sim();
  sim.historyLimit = 3;
  sim.addNode('na', { labels: { zone: 'east' } });
  SPARE.forEach((n, i) => sim.addNode(n, { labels: { zone: i % 2 ? 'east' : 'west' } }));
  sim.createService('r1', (s) => (s.replicas = 3));
  sim.createService('g1', (s) => {
    s.mode = 'global';
    s.task.placement.constraints = ['node.labels.zone==east'];
  });
  // Tasks of r2 finish for good: after exit 0, or after a failure once restarted.
  sim.createService('r2', (s) => {
    s.replicas = 2;
    s.task.restartPolicy = { condition: 'on-failure', delayMs: 0, maxAttempts: 1, windowMs: 0 };
  });
  let version = 1;

  for (let step = 0; step < 40; step++) {
    const running = sim.tasks().filter((t) => t.desiredState === 'running' && t.status.state === 'running');
    switch (Math.floor(r() * 9)) {
      case 0:
        if (running.length) sim.fail(pick(running).id, 1 + Math.floor(r() * 3));
        break;
      case 1:
        if (running.length) sim.complete(pick(running).id);
        break;
      case 2: {
        const n = pick(SPARE);
        if (sim.store.get('node', n)) sim.setNodeState(n, pick(['down', 'ready', 'ready'] as const));
        break;
      }
      case 3: {
        const n = pick(SPARE);
        if (sim.store.get('node', n)) sim.setAvailability(n, pick(['active', 'pause', 'drain'] as const));
        break;
      }
      case 4:
        sim.updateService(pick(['r1', 'r2']), (s) => (s.replicas = Math.floor(r() * 6)));
        break;
      case 5:
        version++;
        sim.updateService(pick(['r1', 'g1', 'r2']), (s) => (s.task.container.image = `nginx:${version}`));
        break;
      case 6: {
        const n = pick(SPARE);
        if (sim.store.get('node', n)) sim.updateNode(n, (x) => (x.spec.labels.zone = pick(['east', 'west'])));
        break;
      }
      case 7: {
        // A node removed, or (the same machine) joining again.
        const n = pick(SPARE);
        if (sim.store.get('node', n)) sim.removeNode(n);
        else sim.addNode(n, { labels: { zone: pick(['east', 'west']) } });
        break;
      }
      default:
        sim.advance(Math.floor(r() * 10_000));
    }
    // Sometimes the cluster reacts at once, sometimes events pile up.
    if (r() < 0.5) {
      sim.pass();
      sim.schedule();
      sim.agents();
    }
  }

  // Let everything settle, restart delays included.
  for (let i = 0; i < 3; i++) {
    sim.converge();
    sim.advance(10_000);
  }
  sim.converge();

  const r1 = sim.store.get('service', 'r1')!;
  const g1 = sim.store.get('service', 'g1')!;
  const ctx = `seed ${seed}`;

  // Replicated: `replicas` slots (a scale down may leave gaps), one live running task each, on the current spec.
  const slots = sim.liveSlots('r1');
  expect([ctx, slots.length, new Set(slots).size]).toEqual([ctx, r1.spec.replicas, r1.spec.replicas]);
  for (const t of sim.live('r1')) {
    expect([ctx, t.status.state, t.spec]).toEqual([ctx, 'running', r1.spec.task]);
    const node = sim.store.get('node', t.nodeId!)!;
    expect([ctx, node.status.state, node.spec.availability === 'drain']).toEqual([ctx, 'ready', false]);
  }

  // Finishing for good: each of r2's slots holds a running task or one that finished for good (told
  // to shut down, on the current spec); together exactly `replicas` slots.
  const r2 = sim.store.get('service', 'r2')!;
  const finished = sim.tasks('r2').filter((t) => finishedForGood('r2', sim.tasks(), sim.now).has(t.id));
  const taken = [...sim.liveSlots('r2'), ...finished.map((t) => t.slot ?? -1)];
  expect([ctx, taken.length, new Set(taken).size]).toEqual([ctx, r2.spec.replicas, r2.spec.replicas]);
  for (const t of sim.live('r2')) expect([ctx, t.status.state, t.spec]).toEqual([ctx, 'running', r2.spec.task]);
  for (const t of finished) expect([ctx, t.desiredState, ['complete', 'failed'].includes(t.status.state), t.spec]).toEqual([ctx, 'shutdown', true, r2.spec.task]);

  // Global: one running task on every ready node in the east that is not drained; paused may keep one.
  for (const n of sim.store.list('node')) {
    const here = sim.live('g1').filter((t) => t.nodeId === n.id);
    const eligible = n.status.state !== 'down' && n.spec.availability !== 'drain' && n.spec.labels.zone === 'east';
    if (!eligible) expect([ctx, n.id, here.length]).toEqual([ctx, n.id, 0]);
    else if (n.spec.availability === 'active') {
      expect([ctx, n.id, here.map((t) => t.status.state)]).toEqual([ctx, n.id, ['running']]);
      expect(here[0].spec).toEqual(g1.spec.task);
    } else expect(here.length).toBeLessThanOrEqual(1);
  }

  // History within its limit per slot or node; nothing stuck half-way on a live node.
  const groups = new Map<string, number>();
  for (const t of sim.tasks()) {
    const k = `${t.serviceId}/${t.slot ?? t.nodeId}`;
    groups.set(k, (groups.get(k) ?? 0) + 1);
    const node = t.nodeId ? sim.store.get('node', t.nodeId) : undefined;
    if (t.desiredState !== 'running' && node && node.status.state !== 'down') expect([ctx, isTerminal(t.status.state)]).toEqual([ctx, true]);
  }
  for (const [k, n] of groups) expect([ctx, k, n <= sim.historyLimit]).toEqual([ctx, k, true]);

  expect([ctx, sim.plan()]).toEqual([ctx, []]);
}

describe('orchestrator: random histories settle to what the services ask for', () => {
  test.each(Array.from({ length: Number(process.env.ORCH_SEEDS ?? 25) }, (_, i) => i + 1))('seed %i', (seed) => history(seed));
});

// The control-plane simulator in CI: a fixed set of seeds must keep every
// invariant and converge, a seed must replay to the same fingerprint, and the
// checks themselves must see a broken store (else passing seeds prove nothing).

import { defaultServiceSpec } from '../../../lib/api/service-defaults';
import { Task } from '../../../lib/api/service-types';
import { Node } from '../../../lib/api/types';
import { newTask } from '../../../lib/manager/orchestrator/task-factory';
import { convergenceGaps, safetyViolations, stopFirstViolations } from '../../../lib/manager/sim/invariants';
import { runControlSim } from '../../../lib/manager/sim/control-sim';
import { MemoryStore, thaw } from '../../../lib/manager/store';
import { Action, Draft } from '../../../lib/manager/store/transaction';

const CI_SEEDS = Array.from({ length: 30 }, (_, i) => i + 1);

describe('control-plane simulator', () => {
  test.each(CI_SEEDS)('seed %i keeps every invariant and converges once the faults stop', async (seed) => {
    const r = await runControlSim({ seed });
    const tail = r.trace.slice(-30).join('\n');
    expect({ seed, violations: r.violations, gaps: r.gaps, tail: r.violations.length + r.gaps.length > 0 ? tail : '' }).toEqual({ seed, violations: [], gaps: [], tail: '' });
    expect(r.stats.convergeMs).toBeDefined();
  }, 30_000);

  test('a seed replays exactly: same fingerprint, same figures; another seed differs', async () => {
    const a = await runControlSim({ seed: 7, faultMs: 20_000 });
    const b = await runControlSim({ seed: 7, faultMs: 20_000 });
    const c = await runControlSim({ seed: 8, faultMs: 20_000 });
    expect(b.hash).toBe(a.hash);
    expect(b.stats).toEqual(a.stats);
    expect(b.trace).toEqual(a.trace);
    expect(c.hash).not.toBe(a.hash);
  }, 30_000);

  test('the faults happen: over the CI seeds, leaders change, agents are lost, writes conflict and watches overflow', async () => {
    const totals = { leaderChanges: 0, agentLosses: 0, injectedConflicts: 0, watchOverflows: 0, refused: 0, userActions: 0 };
    for (const seed of CI_SEEDS.slice(0, 10)) {
      const { stats } = await runControlSim({ seed, faultMs: 30_000 });
      for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += stats[k];
    }
    for (const v of Object.values(totals)) expect(v).toBeGreaterThan(0);
  }, 60_000);
});

describe('control-plane simulator: the checks see a broken store', () => {
  const T = Date.parse('2026-01-01T00:00:00.000Z');
  let index = 0;
  function storeWith(edit: (spec: ReturnType<typeof defaultServiceSpec>) => void = () => undefined) {
    const store = new MemoryStore();
    const apply = (actions: Action[]) => {
      const r = store.apply(++index, { at: new Date(T).toISOString(), actions });
      if (!r.ok) throw new Error(r.error.message);
    };
    const node: Draft<Node> = {
      id: 'n1',
      spec: { labels: {}, desiredRole: 'worker', availability: 'active' },
      role: 'worker',
      description: { hostname: 'n1', platform: { os: 'linux', arch: 'x86_64' }, resources: { nanoCPUs: 2e9, memoryBytes: 2 ** 30 } },
      status: { state: 'ready' },
    };
    apply([{ op: 'create', kind: 'node', object: node }]);
    const spec = defaultServiceSpec('web', 'img:1');
    edit(spec);
    apply([{ op: 'create', kind: 'service', object: { id: 's1', spec } }]);
    let n = 0;
    const task = (o: { slot: number; state: Task['status']['state']; image?: string }) => {
      const t = newTask(store.get('service', 's1')!, T, `t${++n}`, { slot: o.slot, nodeId: 'n1' });
      t.status = { ...t.status, state: o.state };
      // A new task shares its service's frozen spec: replaced, not edited.
      if (o.image) t.spec = { ...t.spec, container: { ...t.spec.container, image: o.image } };
      apply([{ op: 'create', kind: 'task', object: t }]);
    };
    return { store, task, apply };
  }

  test('two live tasks on the same spec in one slot', () => {
    const { store, task } = storeWith();
    task({ slot: 1, state: 'running' });
    task({ slot: 1, state: 'assigned' });
    expect(safetyViolations(store)).toEqual([expect.stringMatching(/^service web s1: 2 live tasks/)]);
  });

  test('an old and a new task in one slot: allowed for start-first only', () => {
    const stop = storeWith();
    stop.task({ slot: 1, state: 'running', image: 'img:0' });
    stop.task({ slot: 1, state: 'starting' });
    expect(safetyViolations(stop.store)).toHaveLength(1);
    const start = storeWith((s) => (s.update = { parallelism: 1, delayMs: 0, failureAction: 'pause', monitorMs: 0, maxFailureRatio: 0, order: 'start-first' }));
    start.task({ slot: 1, state: 'running', image: 'img:0' });
    start.task({ slot: 1, state: 'starting' });
    expect(safetyViolations(start.store)).toEqual([]);
  });

  test('a loop that creates a task next to a live one under stop-first, but not under start-first', () => {
    const stop = storeWith();
    stop.task({ slot: 1, state: 'running', image: 'img:0' });
    stop.task({ slot: 1, state: 'new' });
    const created = stop.store.tasksByService('s1').find((t) => t.status.state === 'new')!;
    const write: Action[] = [{ op: 'create', kind: 'task', object: thaw(created) }];
    expect(stopFirstViolations(stop.store, write)).toEqual([expect.stringMatching(/^service web \(stop-first\): t2.* created while t1.* still live in s1$/)]);
    const start = storeWith((s) => (s.update = { parallelism: 1, delayMs: 0, failureAction: 'pause', monitorMs: 0, maxFailureRatio: 0, order: 'start-first' }));
    start.task({ slot: 1, state: 'running', image: 'img:0' });
    start.task({ slot: 1, state: 'new' });
    expect(stopFirstViolations(start.store, write)).toEqual([]);
  });

  test('a node with more reserved than it has', () => {
    const { store, task } = storeWith((s) => (s.task.resources.reservations = { nanoCPUs: 1.5e9, memoryBytes: 0 }));
    task({ slot: 1, state: 'running' });
    expect(safetyViolations(store)).toEqual([]);
    task({ slot: 2, state: 'assigned' });
    expect(safetyViolations(store)).toEqual([expect.stringMatching(/^node n1 overcommitted: 3 of 2 CPUs/)]);
  });

  test('not converged: a replica missing, a task told to stop still running', () => {
    const { store, task, apply } = storeWith((s) => (s.replicas = 2));
    task({ slot: 1, state: 'running' });
    expect(convergenceGaps(store, () => true)).toEqual([expect.stringMatching(/1 running in slots \[1\], wants 2/)]);
    task({ slot: 2, state: 'running' });
    expect(convergenceGaps(store, () => true)).toEqual([]);
    const t = thaw(store.tasksByService('s1')[0]);
    t.desiredState = 'shutdown';
    apply([{ op: 'update', kind: 'task', object: t, expectedVersion: store.tasksByService('s1')[0].meta.version }]);
    expect(convergenceGaps(store, () => true).join('\n')).toMatch(/told to stop is still running/);
  });
});

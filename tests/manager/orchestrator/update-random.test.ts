// Seeded random histories of rolling updates: user updates, rollbacks and
// resumes, tasks failing, nodes lost and back, and leader changes (a leader
// that planned and died before its write was committed; the next one starts
// from the store alone, some time later). After every pass the updater's
// rules must hold; once the faults stop, the update must end where its
// status says.

import { isTerminal, Service, TaskState } from '../../../lib/api/service-types';
import { activeUpdateConfig } from '../../../lib/manager/orchestrator/update-status';
import { canonicalJson } from '../../../lib/manager/store/canonical-json';
import { DeepReadonly } from '../../../lib/manager/store';
import { seededRandom } from '../../../lib/raft/random';
import { Sim } from './harness';

let mockNextId = 0;
jest.mock('../../../lib/api/ids', () => ({
  newObjectId: () => (++mockNextId).toString(36).padStart(25, '0'),
  newRaftId: () => 1,
}));

const NODES = ['na', 'nb', 'nc', 'nd', 'ne'];
const active = (s: DeepReadonly<Service>) => s.updateStatus?.state === 'updating' || s.updateStatus?.state === 'rollback_started';

/**
 * Slots where the update replaced a task that had reached a node and whose
 * one new task has not run yet: the update's batch. (Restarts and
 * replacements for lost nodes are the restart policy's, not the batch's.)
 */
function batch(sim: Sim): number {
  const s = sim.service('s1');
  const since = s.updateStatus?.sinceVersion ?? Infinity;
  const spec = canonicalJson(s.spec.task);
  const slots = new Map<number, typeof tasks>();
  const tasks = sim.tasks('s1');
  for (const t of tasks) slots.set(t.slot ?? 0, [...(slots.get(t.slot ?? 0) ?? []), t]);
  let n = 0;
  for (const list of slots.values()) {
    const made = list.filter((t) => t.specVersion >= since && canonicalJson(t.spec) === spec);
    // The task the update replaced: the newest one before it.
    const replaced = list.filter((t) => t.specVersion < since).sort((a, b) => b.specVersion - a.specVersion || Date.parse(b.meta.createdAt) - Date.parse(a.meta.createdAt))[0];
    // (One that failed, or whose node is down, was replaced on the current spec by the restart policy, not the batch; so
    // was a task of the current spec that failed.)
    const replacedPlaced =
      replaced !== undefined &&
      canonicalJson(replaced.spec) !== spec &&
      replaced.nodeId !== undefined &&
      sim.store.get('node', replaced.nodeId)?.status.state === 'ready' &&
      !list.some((x) => ['failed', 'rejected', 'complete'].includes(x.status.state) && (x === replaced || canonicalJson(x.spec) === spec));
    const t = made[0];
    if (made.length === 1 && replacedPlaced && t.desiredState === 'running' && t.status.state !== 'running' && !isTerminal(t.status.state)) n++;
  }
  return n;
}

function history(seed: number): void {
  const r = seededRandom(seed);
  mockNextId = 0;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const sim = new Sim();
  sim.historyLimit = 4;
  for (const n of NODES) sim.addNode(n);
  const update = {
    parallelism: pick([0, 1, 2, 3]),
    delayMs: pick([0, 0, 3_000]),
    failureAction: pick(['pause', 'continue', 'rollback'] as const),
    monitorMs: pick([0, 2_000, 5_000]),
    maxFailureRatio: pick([0, 0, 0.25, 0.5]),
    order: pick(['stop-first', 'start-first'] as const),
  };
  const rollback = { ...update, failureAction: pick(['pause', 'continue'] as const), parallelism: pick([0, 1, 2]) };
  sim.createService('s1', (s) => {
    s.replicas = 4;
    s.update = update;
    s.rollback = rollback;
  });
  sim.converge();
  const ctx = `seed ${seed} ${JSON.stringify(update)} rollback ${JSON.stringify(rollback)}`;
  let version = 1;

  const checkedPass = (): void => {
    const before = sim.service('s1');
    const dump = (label: string) => console.log(label, JSON.stringify({ status: sim.service('s1').updateStatus, tasks: sim.tasks('s1').map((t) => [t.slot, t.id.slice(-3), t.spec.container.image, t.specVersion, t.nodeId, t.desiredState, t.status.state, t.meta.createdAt.slice(14)].join(' ')), nodes: sim.store.list('node').map((n) => n.id + ':' + n.status.state) }, null, 1));
    const pre = process.env.UPDATE_DEBUG ? () => dump('before') : () => undefined;
    pre();
    sim.pass();
    const after = sim.service('s1');
    // A rollback is never rolled back: the updater swaps the spec only out of an update in progress.
    if (canonicalJson(before.spec) !== canonicalJson(after.spec)) {
      expect([ctx, before.updateStatus?.state, after.updateStatus?.state]).toEqual([ctx, 'updating', 'rollback_started']);
    }
    if (active(after)) {
      const p = activeUpdateConfig(after).parallelism;
      if (p > 0 && batch(sim) > p && process.env.UPDATE_DEBUG) {
        console.log(JSON.stringify({ status: after.updateStatus, tasks: sim.tasks("s1").map((t) => [t.slot, t.id.slice(-3), t.spec.container.image, t.specVersion, t.nodeId, t.desiredState, t.status.state, t.meta.createdAt.slice(14)].join(" ")), cfg: activeUpdateConfig(after) }, null, 1));
      }
      if (p > 0) expect([ctx, batch(sim) <= p]).toEqual([ctx, true]);
    }
  };

  for (let step = 0; step < 60; step++) {
    const live = sim.tasks('s1').filter((t) => t.desiredState === 'running' && t.nodeId && !isTerminal(t.status.state));
    switch (Math.floor(r() * 10)) {
      case 0:
      case 1: {
        // A task fails, more often one of the new spec.
        const spec = canonicalJson(sim.service('s1').spec.task);
        const fresh = live.filter((t) => canonicalJson(t.spec) === spec);
        const t = pick(fresh.length > 0 && r() < 0.7 ? fresh : live.length > 0 ? live : [undefined]);
        if (t) sim.report(t.id, pick<TaskState>(['failed', 'failed', 'rejected', 'complete']), { exitCode: 1 });
        break;
      }
      case 2:
        version++;
        sim.updateService('s1', (s) => (s.task.container.image = `nginx:${version}`));
        break;
      case 3:
        if (sim.service('s1').previousSpec && r() < 0.5) sim.rollbackService('s1');
        else sim.updateService('s1', () => undefined); // resumes a paused update
        break;
      case 4: {
        const n = pick(NODES.slice(1));
        sim.setNodeState(n, sim.store.get('node', n)?.status.state === 'down' ? 'ready' : 'down');
        break;
      }
      case 5:
        // A leader change: this round's plan is lost, and the next leader comes a little later.
        sim.plan();
        sim.advance(Math.floor(r() * 3_000));
        continue;
      default:
        sim.advance(Math.floor(r() * 4_000));
    }
    if (r() < 0.7) {
      checkedPass();
      sim.schedule();
      // Agents report in a random order, some not at all this round.
      for (const t of sim.tasks('s1')) {
        if (!t.nodeId || isTerminal(t.status.state) || r() < 0.3) continue;
        if (sim.store.get('node', t.nodeId)?.status.state === 'down') continue;
        if (t.desiredState !== 'running') sim.report(t.id, 'shutdown');
        else if (t.status.state !== 'running') sim.run(t.id);
      }
      checkedPass();
    }
  }

  // The faults stop: every node back, time for restarts, delays and monitor periods.
  for (const n of NODES) if (sim.store.get('node', n)?.status.state === 'down') sim.setNodeState(n, 'ready');
  for (let i = 0; i < 12; i++) {
    for (let j = 0; j < 20; j++) {
      checkedPass();
      if (sim.schedule() + sim.agents() === 0) break;
    }
    sim.advance(5_000);
  }
  const s = sim.service('s1');
  const state = s.updateStatus?.state;
  expect([ctx, active(s)]).toEqual([ctx, false]);
  expect([ctx, sim.running('s1').length]).toEqual([ctx, 4]);
  if (state === 'completed' || state === 'rollback_completed' || state === undefined) {
    // The update is done: every slot runs the service's spec (bar one whose start-first replacement never ran, with continue).
    const stale = sim.running('s1').filter((t) => canonicalJson(t.spec) !== canonicalJson(s.spec.task));
    if (stale.length > 0) expect([ctx, s.updateStatus?.state === 'completed' || s.updateStatus?.state === 'rollback_completed', activeUpdateConfig(s).failureAction]).toEqual([ctx, true, 'continue']);
  }
  expect([ctx, sim.plan()]).toEqual([ctx, []]);
}

describe('rolling updates: random histories', () => {
  test.each(Array.from({ length: Number(process.env.UPDATE_SEEDS ?? 40) }, (_, i) => i + 1))('seed %i', (seed) => history(seed));
});

// The rolling updater through the orchestrator's planner, on the simulated
// cluster: batches, delay, order, monitor, failure ratio and actions, pause
// and resume, automatic and manual rollback.

import { ServiceSpec, UpdateConfig } from '../../../lib/api/service-types';
import { DEFAULT_UPDATE_CONFIG } from '../../../lib/api/service-defaults';
import { RTask, Sim } from './harness';

const cfg = (c: Partial<UpdateConfig>): UpdateConfig => ({ ...DEFAULT_UPDATE_CONFIG, ...c });

/** Four nodes and service s1 (`replicas` running), with these update and rollback settings. */
function deployed(replicas: number, update: Partial<UpdateConfig>, rollback: Partial<UpdateConfig> = {}, edit: (s: ServiceSpec) => void = () => undefined): Sim {
  const sim = new Sim();
  for (const n of ['na', 'nb', 'nc', 'nd']) sim.addNode(n);
  sim.createService('s1', (s) => {
    s.replicas = replicas;
    s.update = cfg(update);
    s.rollback = cfg(rollback);
    edit(s);
  });
  sim.converge();
  expect(sim.running('s1')).toHaveLength(replicas);
  return sim;
}

const image = (t: RTask) => t.spec.container.image;
const fresh = (sim: Sim, img = 'nginx:2') => sim.live('s1').filter((t) => image(t) === img);
/** New tasks on their way: wanted running, not running yet. */
const inFlight = (sim: Sim, img = 'nginx:2') =>
  fresh(sim, img)
    .filter((t) => t.status.state !== 'running')
    .sort((a, b) => (a.slot ?? 0) - (b.slot ?? 0));
const state = (sim: Sim) => sim.service('s1').updateStatus?.state;

/** Orchestrator, scheduler; the new tasks stay where they are until the test reports on them. */
function step(sim: Sim): void {
  sim.settle();
  sim.schedule();
  // Old tasks told to stop do stop.
  for (const t of sim.tasks('s1')) if (t.desiredState !== 'running' && t.nodeId && !['shutdown', 'failed', 'complete', 'rejected'].includes(t.status.state)) sim.report(t.id, 'shutdown');
  sim.settle();
}

describe('rolling updates', () => {
  test('parallelism 2: two slots at a time, the next batch once a slot runs and its delay is over', () => {
    const sim = deployed(5, { parallelism: 2, delayMs: 10_000, monitorMs: 20_000 });
    sim.updateService('s1', (s) => (s.task.container.image = 'nginx:2'));
    expect(sim.service('s1').updateStatus).toMatchObject({ state: 'updating', message: 'update in progress' });
    step(sim);
    expect(inFlight(sim).map((t) => t.slot)).toEqual([1, 2]);
    for (const t of inFlight(sim)) sim.run(t.id);
    step(sim);
    // Both run, but the delay holds the next batch back; the planner asks to be woken when it ends.
    expect(fresh(sim)).toHaveLength(2);
    expect(sim.planWithWake().wakeAt).toBe(sim.now + 10_000);
    sim.advance(9_999);
    step(sim);
    expect(fresh(sim)).toHaveLength(2);
    sim.advance(1);
    step(sim);
    expect(inFlight(sim).map((t) => t.slot)).toEqual([3, 4]);
    sim.advance(10_000);
    step(sim);
    expect(inFlight(sim)).toHaveLength(2);
    for (const t of inFlight(sim)) sim.run(t.id);
    sim.advance(10_000);
    step(sim);
    expect(inFlight(sim).map((t) => t.slot)).toEqual([5]);
    sim.run(inFlight(sim)[0].id);
    step(sim);
    expect(state(sim)).toBe('updating');
    // Complete once the last slot has run for the monitor period.
    sim.advance(19_999);
    step(sim);
    expect(state(sim)).toBe('updating');
    sim.advance(1);
    step(sim);
    expect(sim.service('s1').updateStatus).toMatchObject({ state: 'completed', message: 'update completed', completedAt: new Date(sim.now).toISOString() });
    expect(sim.running('s1').map(image)).toEqual(Array(5).fill('nginx:2'));
  });

  test('parallelism 0 updates every slot at once', () => {
    const sim = deployed(4, { parallelism: 0 });
    sim.updateService('s1', (s) => (s.task.container.image = 'nginx:2'));
    sim.pass();
    expect(fresh(sim)).toHaveLength(4);
    expect(sim.live('s1').filter((t) => image(t) === 'nginx:1')).toHaveLength(0);
  });

  test('start-first with parallelism 2 on 4 replicas: never fewer than 4 running, each old task stopped once its replacement runs', () => {
    const sim = deployed(4, { parallelism: 2, order: 'start-first', monitorMs: 0 });
    sim.updateService('s1', (s) => (s.task.container.image = 'nginx:2'));
    let least = Infinity;
    let most = 0;
    for (let round = 0; round < 20 && state(sim) !== 'completed'; round++) {
      sim.settle();
      sim.schedule();
      least = Math.min(least, sim.running('s1').length);
      most = Math.max(most, inFlight(sim).length);
      // New tasks start one at a time; old ones told to stop stop.
      const next = inFlight(sim)[0];
      if (next) sim.run(next.id);
      sim.agents();
      least = Math.min(least, sim.running('s1').length);
    }
    expect(state(sim)).toBe('completed');
    expect(least).toBe(4);
    expect(most).toBe(2);
    expect(sim.running('s1').map(image)).toEqual(Array(4).fill('nginx:2'));
    expect(sim.live('s1')).toHaveLength(4);
  });

  test('stop-first stops the old task in the same write that makes the new one', () => {
    const sim = deployed(2, {});
    const old = sim.inSlot('s1', 1);
    sim.updateService('s1', (s) => (s.task.container.image = 'nginx:2'));
    sim.pass();
    expect(sim.task(old.id).desiredState).toBe('shutdown');
    expect(image(sim.inSlot('s1', 1))).toBe('nginx:2');
  });

  test('a failure pauses the update (the default); the failed slot restarts as its policy says; `service update` resumes', () => {
    const sim = deployed(3, { monitorMs: 5_000 });
    sim.updateService('s1', (s) => (s.task.container.image = 'nginx:bad'));
    step(sim);
    const first = inFlight(sim, 'nginx:bad')[0];
    sim.run(first.id);
    sim.advance(2_000);
    sim.fail(first.id);
    step(sim);
    expect(sim.service('s1').updateStatus).toMatchObject({ state: 'paused', message: `update paused due to failure or early termination of task ${first.id}` });
    sim.advance(60_000);
    sim.converge();
    // Paused: slots 2 and 3 keep the old image; slot 1 was restarted on the new one.
    expect(sim.live('s1').map(image).sort()).toEqual(['nginx:1', 'nginx:1', 'nginx:bad']);
    expect(state(sim)).toBe('paused');
    // A scale alone would resume it too; here the user fixes the image.
    sim.updateService('s1', (s) => (s.task.container.image = 'nginx:3'));
    expect(state(sim)).toBe('updating');
    sim.converge();
    sim.advance(5_000);
    sim.converge();
    expect(state(sim)).toBe('completed');
    expect(sim.running('s1').map(image)).toEqual(['nginx:3', 'nginx:3', 'nginx:3']);
  });

  test('a failure after the monitor period is not the update\'s', () => {
    const sim = deployed(2, { monitorMs: 5_000 });
    sim.updateService('s1', (s) => (s.task.container.image = 'nginx:2'));
    step(sim);
    const first = inFlight(sim)[0];
    sim.run(first.id);
    sim.advance(5_001);
    sim.fail(first.id);
    sim.converge();
    expect(state(sim)).toBe('updating');
    // Its restart (after the restart delay) must run for the monitor period too.
    sim.advance(5_000);
    sim.converge();
    expect(state(sim)).toBe('updating');
    sim.advance(5_000);
    sim.converge();
    expect(state(sim)).toBe('completed');
    expect(sim.running('s1').map(image)).toEqual(['nginx:2', 'nginx:2']);
  });

  test('a task rejected before it runs is a failure; the ratio tolerates failures up to it', () => {
    const sim = deployed(4, { maxFailureRatio: 0.5, monitorMs: 1_000, parallelism: 1 });
    sim.updateService('s1', (s) => (s.task.container.image = 'nginx:2'));
    const rejected = new Set<number>();
    const rejectNext = () => {
      step(sim);
      const t = inFlight(sim).filter((x) => !rejected.has(x.slot ?? 0))[0];
      rejected.add(t.slot ?? 0);
      sim.report(t.id, 'rejected', { err: 'no such image' });
      step(sim);
    };
    rejectNext();
    rejectNext();
    expect(state(sim)).toBe('updating'); // 2 of 4 = 0.5, not above
    rejectNext();
    expect(state(sim)).toBe('paused'); // 3 of 4
  });

  test('failure action continue goes on through failures and completes', () => {
    const sim = deployed(3, { failureAction: 'continue', monitorMs: 1_000 });
    sim.updateService('s1', (s) => (s.task.container.image = 'nginx:2'));
    step(sim);
    sim.fail(inFlight(sim)[0].id);
    for (let i = 0; i < 10; i++) {
      sim.converge();
      sim.advance(5_000);
    }
    expect(state(sim)).toBe('completed');
    expect(sim.running('s1').map(image)).toEqual(['nginx:2', 'nginx:2', 'nginx:2']);
  });

  test('failure action rollback: back to the previous spec with the rollback settings, then rollback_completed', () => {
    const sim = deployed(4, { failureAction: 'rollback', parallelism: 2, monitorMs: 1_000 }, { parallelism: 0, monitorMs: 1_000 });
    sim.updateService('s1', (s) => (s.task.container.args = ['exit', '1']));
    step(sim);
    const failing = () => sim.live('s1').filter((t) => t.spec.container.args !== undefined && t.status.state !== 'running');
    expect(failing()).toHaveLength(2);
    const [a] = failing();
    sim.run(a.id);
    sim.fail(a.id);
    step(sim);
    const s = sim.service('s1');
    expect(s.updateStatus).toMatchObject({ state: 'rollback_started', message: `update rolled back due to failure or early termination of task ${a.id}` });
    expect(s.spec.task.container.args).toBeUndefined();
    expect(s.previousSpec?.task.container.args).toEqual(['exit', '1']);
    // Rollback parallelism 0: every slot holding the failed spec goes back at once.
    sim.pass();
    expect(sim.live('s1').filter((t) => t.spec.container.args !== undefined)).toHaveLength(0);
    sim.converge();
    // The failed task's slot waits for its restart delay (5 s), then the monitor period.
    sim.advance(5_000);
    sim.converge();
    sim.advance(1_000);
    sim.converge();
    expect(sim.service('s1').updateStatus).toMatchObject({ state: 'rollback_completed', message: `rollback completed: update rolled back due to failure or early termination of task ${a.id}` });
    expect(sim.running('s1').map((t) => t.spec)).toEqual(Array(4).fill(sim.service('s1').spec.task));
  });

  test('a rollback is never rolled back: a failing rollback pauses', () => {
    const sim = deployed(2, { failureAction: 'rollback', monitorMs: 1_000 }, { failureAction: 'pause', monitorMs: 1_000 });
    sim.updateService('s1', (s) => (s.task.container.image = 'nginx:2'));
    sim.updateService('s1', (s) => (s.task.container.image = 'nginx:3'));
    step(sim);
    sim.fail(inFlight(sim, 'nginx:3')[0].id);
    step(sim);
    expect(state(sim)).toBe('rollback_started');
    expect(image(sim.inSlot('s1', 1))).toBe('nginx:2');
    const back = sim.inSlot('s1', 1);
    sim.schedule();
    sim.fail(back.id);
    step(sim);
    const s = sim.service('s1');
    expect(s.updateStatus).toMatchObject({ state: 'rollback_paused', message: `rollback paused due to failure or early termination of task ${back.id}` });
    expect(s.spec.task.container.image).toBe('nginx:2');
    sim.advance(60_000);
    sim.converge();
    expect(state(sim)).toBe('rollback_paused');
  });

  test('a manual rollback swaps the spec and its previous one; the status says so', () => {
    const sim = deployed(2, { monitorMs: 0 });
    sim.updateService('s1', (s) => (s.task.container.image = 'nginx:2'));
    sim.converge();
    expect(state(sim)).toBe('completed');
    sim.rollbackService('s1');
    expect(sim.service('s1').updateStatus).toMatchObject({ state: 'rollback_started', message: 'manually requested rollback' });
    sim.converge();
    // The rollback settings' monitor period (docker's default, 5 s).
    expect(state(sim)).toBe('rollback_started');
    sim.advance(5_000);
    sim.converge();
    expect(sim.service('s1').updateStatus).toMatchObject({ state: 'rollback_completed', message: 'rollback completed' });
    expect(sim.running('s1').map(image)).toEqual(['nginx:1', 'nginx:1']);
    expect(sim.service('s1').previousSpec?.task.container.image).toBe('nginx:2');
  });

  test('scaling or relabelling is not an update: no status, no redeploy', () => {
    const sim = deployed(2, {});
    sim.updateService('s1', (s) => {
      s.replicas = 3;
      s.labels = { a: 'b' };
    });
    expect(sim.service('s1').updateStatus).toBeUndefined();
    sim.converge();
    expect(sim.service('s1').updateStatus).toBeUndefined();
  });

  test('a global service updates node by node, start-first keeping the old task until the new one runs', () => {
    const sim = new Sim();
    for (const n of ['na', 'nb']) sim.addNode(n);
    sim.createService('g1', (s) => {
      s.mode = 'global';
      s.update = cfg({ order: 'start-first', monitorMs: 0 });
    });
    sim.converge();
    sim.updateService('g1', (s) => (s.task.container.image = 'nginx:2'));
    sim.settle();
    sim.schedule();
    expect(sim.live('g1').filter((t) => t.nodeId === 'na').map(image).sort()).toEqual(['nginx:1', 'nginx:2']);
    sim.converge();
    expect(sim.running('g1').map((t) => `${t.nodeId}:${image(t)}`).sort()).toEqual(['na:nginx:2', 'nb:nginx:2']);
    expect(sim.service('g1').updateStatus?.state).toBe('completed');
  });
});

import { defaultTaskSpec } from '../../../lib/api/service-defaults';
import { DEFAULT_RESTART_POLICY, RestartCondition, RestartPolicy, ServiceSpec, Task } from '../../../lib/api/service-types';
import { decideRestart } from '../../../lib/api/restart-policy';
import { DeepReadonly } from '../../../lib/manager/store';
import { Sim, T0, iso } from './harness';

/** One node, a one-replica service with this restart policy, its task running. */
function running(policy: Partial<RestartPolicy> = {}, edit: (s: ServiceSpec) => void = () => undefined): { sim: Sim; id: string } {
  const sim = new Sim();
  sim.addNode('na');
  sim.createService('s1', (s) => {
    s.task.restartPolicy = { ...s.task.restartPolicy, ...policy };
    edit(s);
  });
  sim.converge();
  const t = sim.inSlot('s1', 1);
  expect(t.status.state).toBe('running');
  return { sim, id: t.id };
}

/** Fails the slot's live task, lets the orchestrator react and the cluster catch up (restart delays included). */
function failAndRecover(sim: Sim, slot = 1, exitCode = 1): void {
  sim.fail(sim.inSlot('s1', slot).id, exitCode);
  sim.settle();
  sim.advance(60_000);
  sim.converge();
}

describe('orchestrator: restart policy', () => {
  test('condition any (the default): a failed task is replaced in its slot after the 5 s delay', () => {
    const { sim, id } = running();
    sim.advance(10_000);
    const failedAt = sim.now;
    sim.fail(id, 2);

    expect(sim.pass()).toBe(2);
    const old = sim.task(id);
    expect(old.desiredState).toBe('shutdown');
    expect(old.status).toMatchObject({ state: 'failed', exitCode: 2 });

    const next = sim.inSlot('s1', 1);
    expect(next.id).not.toBe(id);
    expect(next.status.state).toBe('new');
    expect(next.nodeId).toBeUndefined();
    expect(next.notBefore).toBe(iso(failedAt + DEFAULT_RESTART_POLICY.delayMs));
    expect(next.restarts).toEqual([iso(failedAt)]);
    expect(sim.settle()).toBe(0);

    // The scheduler leaves it alone until the delay is over.
    sim.advance(4_999);
    expect(sim.schedule()).toBe(0);
    sim.advance(1);
    expect(sim.schedule()).toBe(1);
    sim.converge();
    expect(sim.running('s1').map((t) => t.id)).toEqual([next.id]);
    expect(sim.tasks('s1')).toHaveLength(2);
  });

  test('the delay counts from when the task ended, not from when the orchestrator noticed', () => {
    const { sim, id } = running({ delayMs: 10_000 });
    const endedAt = sim.now;
    sim.fail(id);
    sim.advance(3_000);
    sim.pass();
    expect(sim.inSlot('s1', 1).notBefore).toBe(iso(endedAt + 10_000));
  });

  test('an orchestrator that noticed after the delay was over starts the replacement at once', () => {
    const { sim, id } = running({ delayMs: 2_000 });
    sim.fail(id);
    sim.advance(5_000);
    sim.pass();
    const next = sim.inSlot('s1', 1);
    expect(next.id).not.toBe(id);
    expect(next.notBefore).toBeUndefined();
  });

  test('condition any: a task that completed (exit 0) is replaced too', () => {
    const { sim, id } = running();
    sim.complete(id);
    expect(sim.pass()).toBe(2);
    expect(sim.task(id).desiredState).toBe('shutdown');
    expect(sim.inSlot('s1', 1).id).not.toBe(id);
  });

  test('condition any: a task rejected by its node is replaced', () => {
    const { sim, id } = running();
    sim.report(id, 'rejected', { err: 'no such image' });
    expect(sim.pass()).toBe(2);
    expect(sim.inSlot('s1', 1).id).not.toBe(id);
  });

  test('delay 0: the replacement has no start time to wait for', () => {
    const { sim, id } = running({ delayMs: 0 });
    sim.fail(id);
    sim.pass();
    expect(sim.inSlot('s1', 1).notBefore).toBeUndefined();
  });

  test('condition none: the failed task is told to shut down (as docker shows it), nothing replaces it, and its slot stays taken, pass after pass', () => {
    const { sim, id } = running({ condition: 'none' }, (s) => (s.replicas = 2));
    const other = sim.inSlot('s1', 2).id;
    sim.fail(id);
    expect(sim.pass()).toBe(1);
    expect(sim.task(id).desiredState).toBe('shutdown');
    for (let i = 0; i < 10; i++) {
      expect(sim.pass()).toBe(0);
      sim.advance(60_000);
      sim.converge();
    }
    expect(sim.tasks('s1').map((t) => t.id).sort()).toEqual([id, other].sort());
    const dead = sim.task(id);
    expect(dead.desiredState).toBe('shutdown');
    expect(dead.status.state).toBe('failed');
    expect(sim.liveSlots('s1')).toEqual([2]);
    expect(sim.running('s1').map((t) => t.id)).toEqual([other]);
  });

  test('condition none: a completed task is told to shut down and not replaced either', () => {
    const { sim, id } = running({ condition: 'none' });
    sim.complete(id);
    expect(sim.pass()).toBe(1);
    expect(sim.task(id)).toMatchObject({ desiredState: 'shutdown', status: { state: 'complete' } });
    expect(sim.pass()).toBe(0);
    expect(sim.tasks('s1')).toHaveLength(1);
  });

  test('condition none: a spec update replaces a finished task in its slot', () => {
    const { sim, id } = running({ condition: 'none' });
    sim.complete(id);
    sim.converge();
    sim.updateService('s1', (s) => (s.task.container.image = 'nginx:2'));
    sim.converge();
    const next = sim.inSlot('s1', 1);
    expect(next.id).not.toBe(id);
    expect(next.spec.container.image).toBe('nginx:2');
    expect(sim.running('s1').map((t) => t.id)).toEqual([next.id]);
    expect(sim.task(id).desiredState).toBe('shutdown');
  });

  test('condition none: a slot whose finished task was replaced by an update, then scaled away, does not come back', () => {
    const sim = new Sim();
    sim.addNode('na');
    sim.addNode('nb');
    sim.createService('s1', (s) => {
      s.replicas = 3;
      s.task.restartPolicy.condition = 'none';
    });
    sim.settle();
    sim.assign(sim.inSlot('s1', 1).id, 'nb');
    sim.assign(sim.inSlot('s1', 2).id, 'na');
    sim.assign(sim.inSlot('s1', 3).id, 'na');
    sim.agents();
    const finished = sim.inSlot('s1', 1).id;
    sim.complete(finished);
    sim.settle();
    // The update replaces the finished task first; its replacement is not placed yet when the scale down comes.
    sim.updateService('s1', (s) => (s.task.container.image = 'nginx:2'));
    sim.settle();
    const replacement = sim.inSlot('s1', 1);
    expect(replacement.nodeId).toBeUndefined();
    sim.updateService('s1', (s) => (s.replicas = 2));
    sim.converge();
    // Had the finished task been left in slot 1, it would have taken the slot back once its
    // replacement was gone, and the scale down would then have stopped a running task on na.
    expect(sim.running('s1').map((t) => t.slot).sort()).toEqual([2, 3]);
    expect(sim.store.get('task', finished)).toBeUndefined();
    expect(sim.plan()).toEqual([]);
  });

  test('a finished task holds its slot, never more than one: scaling up fills the other slots only', () => {
    const { sim, id } = running({ condition: 'none' });
    sim.fail(id);
    sim.converge();
    sim.updateService('s1', (s) => (s.replicas = 3));
    sim.converge();
    expect(sim.running('s1').map((t) => t.slot).sort()).toEqual([2, 3]);
    expect(sim.tasks('s1')).toHaveLength(3);
  });

  test('condition on-failure: exit 0 is left alone, a failure is restarted', () => {
    const { sim, id } = running({ condition: 'on-failure' }, (s) => (s.replicas = 2));
    const second = sim.inSlot('s1', 2).id;
    sim.complete(id);
    sim.fail(second, 137);
    expect(sim.pass()).toBe(3);
    expect(sim.task(id).desiredState).toBe('shutdown');
    expect(sim.live('s1').map((t) => t.slot)).toEqual([2]);
    expect(sim.task(second).desiredState).toBe('shutdown');
    expect(sim.inSlot('s1', 2).id).not.toBe(second);
    sim.advance(60_000);
    sim.converge();
    expect(sim.tasks('s1')).toHaveLength(3);
    expect(sim.running('s1').map((t) => t.slot)).toEqual([2]);
  });

  test('max attempts 2: exactly 2 restarts, then the slot is left dead (3 tasks in all)', () => {
    const { sim } = running({ maxAttempts: 2 });
    failAndRecover(sim);
    expect(sim.running('s1')).toHaveLength(1);
    failAndRecover(sim);
    expect(sim.running('s1')).toHaveLength(1);
    expect(sim.inSlot('s1', 1).restarts).toHaveLength(2);
    failAndRecover(sim);
    expect(sim.running('s1')).toHaveLength(0);
    for (let i = 0; i < 5; i++) {
      sim.advance(3_600_000);
      expect(sim.pass()).toBe(0);
    }
    const slot = sim.slotHistory('s1', 1);
    expect(slot).toHaveLength(3);
    expect(slot.map((t) => [t.desiredState, t.status.state])).toEqual([
      ['shutdown', 'failed'],
      ['shutdown', 'failed'],
      ['shutdown', 'failed'],
    ]);
  });

  test('max attempts count per slot: another slot still has its own', () => {
    const { sim } = running({ maxAttempts: 1 }, (s) => (s.replicas = 2));
    failAndRecover(sim, 1);
    failAndRecover(sim, 1);
    expect(sim.slotHistory('s1', 1)).toHaveLength(2);
    failAndRecover(sim, 2);
    expect(sim.slotHistory('s1', 2)).toHaveLength(2);
    expect(sim.running('s1').map((t) => t.slot)).toEqual([2]);
  });

  test('window: attempts older than the window do not count', () => {
    const { sim } = running({ maxAttempts: 1, windowMs: 120_000, delayMs: 0 });
    // Attempt 1 at T0.
    sim.fail(sim.inSlot('s1', 1).id);
    sim.converge();
    expect(sim.running('s1')).toHaveLength(1);
    // 3 minutes later the first attempt has left the window: attempt 2 is allowed.
    sim.advance(180_000);
    sim.fail(sim.inSlot('s1', 1).id);
    sim.converge();
    expect(sim.running('s1')).toHaveLength(1);
    expect(sim.inSlot('s1', 1).restarts).toEqual([iso(T0 + 180_000)]);
    // A failure 1 minute after that one: the attempt at +180 s is in the window.
    sim.advance(60_000);
    sim.fail(sim.inSlot('s1', 1).id);
    expect(sim.pass()).toBe(1);
    expect(sim.live('s1')).toHaveLength(0);
    sim.converge();
    expect(sim.running('s1')).toHaveLength(0);
    expect(sim.slotHistory('s1', 1)).toHaveLength(3);
  });

  test('a spec update starts the attempt count afresh', () => {
    const { sim } = running({ maxAttempts: 1 });
    failAndRecover(sim);
    expect(sim.inSlot('s1', 1).restarts).toHaveLength(1);
    sim.updateService('s1', (s) => (s.task.container.image = 'nginx:2'));
    sim.converge();
    const updated = sim.inSlot('s1', 1);
    expect(updated.spec.container.image).toBe('nginx:2');
    expect(updated.restarts).toBeUndefined();
    failAndRecover(sim);
    expect(sim.running('s1')).toHaveLength(1);
  });
});

describe('decideRestart', () => {
  const policy = (p: Partial<RestartPolicy> = {}): RestartPolicy => ({ ...DEFAULT_RESTART_POLICY, ...p });
  const ended = (state: Task['status']['state'], at: number, restarts?: number[]): DeepReadonly<Task> =>
    ({
      id: 't1',
      meta: { version: 1, createdAt: iso(T0), updatedAt: iso(T0) },
      serviceId: 's1',
      serviceName: 'web',
      slot: 1,
      spec: defaultTaskSpec('nginx'),
      ports: [],
      specVersion: 1,
      desiredState: 'running',
      status: { state, timestamp: iso(at), message: state },
      ...(restarts ? { restarts: restarts.map(iso) } : {}),
    }) as DeepReadonly<Task>;

  test.each<[RestartCondition, Task['status']['state'], boolean]>([
    ['any', 'failed', true],
    ['any', 'complete', true],
    ['any', 'shutdown', true],
    ['on-failure', 'failed', true],
    ['on-failure', 'rejected', true],
    ['on-failure', 'complete', false],
    ['none', 'failed', false],
    ['none', 'complete', false],
  ])('condition %s, task %s: restart %s', (condition, state, restart) => {
    expect(decideRestart(ended(state, T0), policy({ condition }), T0 + 1).restart).toBe(restart);
  });

  test('the verdict does not depend on when it is asked', () => {
    const t = ended('failed', T0, [T0 - 1000]);
    const p = policy({ maxAttempts: 3, windowMs: 60_000 });
    expect(decideRestart(t, p, T0)).toEqual(decideRestart(t, p, T0 + 3_600_000));
    expect(decideRestart(t, p, T0)).toEqual({ restart: true, notBefore: T0 + 5_000, restarts: [iso(T0 - 1000), iso(T0)] });
  });

  test('an unreadable end time counts from now', () => {
    const t = { ...ended('failed', T0), status: { state: 'failed', timestamp: 'garbage', message: '' } } as DeepReadonly<Task>;
    expect(decideRestart(t, policy(), T0 + 7)).toEqual({ restart: true, notBefore: T0 + 5_007, restarts: [iso(T0 + 7)] });
  });

  test('with no attempt limit only the last 10 attempts are carried', () => {
    const past = Array.from({ length: 12 }, (_, i) => T0 - (12 - i) * 1000);
    const d = decideRestart(ended('failed', T0, past), policy(), T0);
    expect(d.restart).toBe(true);
    if (d.restart) {
      expect(d.restarts).toHaveLength(10);
      expect(d.restarts[9]).toBe(iso(T0));
    }
  });

  test('the window edge: an attempt exactly windowMs before the end still counts', () => {
    const p = policy({ maxAttempts: 1, windowMs: 60_000 });
    expect(decideRestart(ended('failed', T0, [T0 - 60_000]), p, T0).restart).toBe(false);
    expect(decideRestart(ended('failed', T0, [T0 - 60_001]), p, T0).restart).toBe(true);
  });
});

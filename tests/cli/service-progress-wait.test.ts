// When `service create/update/scale` stop waiting for tasks that will never
// run: the store as the orchestrator leaves it (the planner's simulation),
// read by the command's own selection of the tasks it follows.

import { Service, Task, UpdateStatus } from '../../lib/api/service-types';
import { slotHolders } from '../../lib/api/service-progress';
import { followedTasks, nextPollDelay, POLL_MIN_MS, updateVerdict, View } from '../../lib/cli/commands/service-progress-wait';
import { Sim } from '../manager/orchestrator/harness';

function view(sim: Sim): View {
  return {
    service: sim.store.get('service', 's1') as Service,
    tasks: sim.tasks('s1') as Task[],
    activeNodeIds: sim.store.list('node').map((n) => n.id),
  };
}

function twoReplicas(condition: 'none' | 'any'): Sim {
  const sim = new Sim();
  sim.addNode('na');
  sim.createService('s1', (s) => {
    s.replicas = 2;
    s.task.restartPolicy.condition = condition;
  });
  sim.converge();
  return sim;
}

describe('the progress wait', () => {
  test('ends once every slot holds a running task or one finished for good (restart condition none)', () => {
    const sim = twoReplicas('none');
    const done = sim.live('s1')[0];
    sim.complete(done.id);
    sim.converge();
    const f = followedTasks(view(sim), sim.now);
    expect(f.current).toHaveLength(2);
    expect(f.finished.map((t) => [t.id, t.desiredState, t.status.state])).toEqual([[done.id, 'shutdown', 'complete']]);
    expect(f.allSettled).toBe(true);
  });

  test('keeps waiting for a task that stopped and is to be restarted (restart condition any)', () => {
    const sim = twoReplicas('any');
    sim.fail(sim.live('s1')[0].id);
    // Before the orchestrator's pass: stopped, still wanted running.
    expect(followedTasks(view(sim), sim.now)).toMatchObject({ finished: [], allSettled: false });
    sim.pass();
    // After it: told to shut down, and its replacement waits out the restart delay.
    expect(followedTasks(view(sim), sim.now)).toMatchObject({ finished: [], allSettled: false });
  });

  test('a finished task of the previous spec is not followed: its replacement is awaited', () => {
    const sim = twoReplicas('none');
    sim.complete(sim.live('s1')[0].id);
    sim.converge();
    sim.updateService('s1', (s) => (s.task.container.image = 'nginx:2'));
    const f = followedTasks(view(sim), sim.now);
    expect(f.current).toHaveLength(0);
    expect(f.allSettled).toBe(false);
  });
});

describe('what the update status tells the waiting command', () => {
  const at = '2024-05-01T10:00:00Z';
  const status = (state: UpdateStatus['state'], message = 'm', sinceVersion = 8): UpdateStatus => ({ state, startedAt: at, message, sinceVersion });

  test('an update of this command: wait while it runs, done when completed, an error when it paused or rolled back', () => {
    expect(updateVerdict(status('updating'), { readVersion: 7 })).toEqual({ kind: 'wait', rollback: false });
    expect(updateVerdict(status('completed'), { readVersion: 7 })).toEqual({ kind: 'done' });
    expect(updateVerdict(status('paused', 'update paused due to failure or early termination of task t1'), { readVersion: 7 })).toEqual({
      kind: 'failed',
      error: 'service update paused: update paused due to failure or early termination of task t1',
    });
    expect(updateVerdict(status('rollback_started', 'update rolled back due to x', 9), { readVersion: 7 })).toEqual({
      kind: 'wait',
      rollback: true,
      notice: 'rollback: update rolled back due to x',
    });
    expect(updateVerdict(status('rollback_completed', 'rollback completed: update rolled back due to x', 9), { readVersion: 7 })).toEqual({
      kind: 'failed',
      error: 'service rolled back: rollback completed: update rolled back due to x',
    });
    expect(updateVerdict(status('rollback_paused', 'rollback paused due to y', 9), { readVersion: 7 })).toMatchObject({ kind: 'failed', error: 'service rollback paused: rollback paused due to y' });
  });

  test('`service rollback` waits for its rollback to complete, and says nothing of its start', () => {
    expect(updateVerdict(status('rollback_started', 'manually requested rollback'), { readVersion: 7, rollback: true })).toEqual({ kind: 'wait', rollback: true });
    expect(updateVerdict(status('rollback_completed', 'rollback completed'), { readVersion: 7, rollback: true })).toEqual({ kind: 'done' });
  });

  test('a status from before the command (a scale after a paused or rolled-back update) is not its own: the tasks decide', () => {
    expect(updateVerdict(status('rollback_completed', 'x', 5), { readVersion: 7 })).toEqual({ kind: 'tasks' });
    expect(updateVerdict(undefined, { readVersion: 7 })).toEqual({ kind: 'tasks' });
  });
});

describe('what the progress view is sent: the tasks holding a slot', () => {
  const scenarios: [string, () => Sim][] = [
    ['finished for good (restart condition none), with history', () => {
      const sim = twoReplicas('none');
      sim.updateService('s1', (s) => (s.task.container.image = 'nginx:2'));
      sim.converge();
      for (const t of sim.live('s1')) sim.complete(t.id);
      sim.converge();
      return sim;
    }],
    ['a restart on its way (restart condition any), with history', () => {
      const sim = twoReplicas('any');
      sim.fail(sim.live('s1')[0].id);
      sim.settle();
      return sim;
    }],
    ['an update under way', () => {
      const sim = twoReplicas('any');
      sim.updateService('s1', (s) => (s.task.container.image = 'nginx:2'));
      sim.settle();
      sim.schedule();
      return sim;
    }],
  ];

  test.each(scenarios)('%s: the same verdict as on every task of the service, from fewer tasks', (_what, make) => {
    const sim = make();
    const all = view(sim);
    const sent = { ...all, tasks: slotHolders('s1', all.tasks, sim.now) };
    expect(sent.tasks.length).toBeLessThan(all.tasks.length);
    expect(followedTasks(sent, sim.now)).toEqual(followedTasks(all, sim.now));
  });
});

describe('polling', () => {
  test('every 200 ms after a change, doubling up to once a second while nothing changes', () => {
    const seq: number[] = [];
    let d = POLL_MIN_MS;
    for (let i = 0; i < 5; i++) seq.push((d = nextPollDelay(d, false)));
    expect(seq).toEqual([400, 800, 1000, 1000, 1000]);
    expect(nextPollDelay(1000, true)).toBe(200);
  });
});

// When `service create/update/scale` stop waiting for tasks that will never
// run: the store as the orchestrator leaves it (the planner's simulation),
// read by the command's own selection of the tasks it follows.

import { Service, Task } from '../../lib/api/service-types';
import { followedTasks, View } from '../../lib/cli/commands/service-progress-wait';
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

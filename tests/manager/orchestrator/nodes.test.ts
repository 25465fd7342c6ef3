import { Sim } from './harness';

/** Nodes A and B; a 2-replica service with slot 1 on A and slot 2 on B, both running. */
function spread(edit: (sim: Sim) => void = () => undefined): { sim: Sim; onA: string; onB: string } {
  const sim = new Sim();
  sim.addNode('na');
  sim.addNode('nb');
  edit(sim);
  sim.createService('s1', (s) => (s.replicas = 2));
  sim.settle();
  const onA = sim.inSlot('s1', 1).id;
  const onB = sim.inSlot('s1', 2).id;
  sim.assign(onA, 'na');
  sim.assign(onB, 'nb');
  sim.agents();
  expect(sim.running('s1')).toHaveLength(2);
  return { sim, onA, onB };
}

describe('orchestrator: tasks on a node that is lost or drained (replicated)', () => {
  test.each([
    ['goes down', (sim: Sim) => sim.setNodeState('na', 'down')],
    ['is removed', (sim: Sim) => sim.removeNode('na')],
    ['is drained', (sim: Sim) => sim.setAvailability('na', 'drain')],
  ])('node %s: its task is shut down and replaced in the same slot at once', (what, lose) => {
    const { sim, onA, onB } = spread();
    const before = sim.task(onA);
    lose(sim);

    expect(sim.pass()).toBe(2);
    const old = sim.task(onA);
    expect(old.desiredState).toBe('shutdown');
    // The orchestrator does not pretend to know the container stopped.
    expect(old.status).toEqual(before.status);
    const next = sim.inSlot('s1', 1);
    expect(next.id).not.toBe(onA);
    expect(next.status.state).toBe('new');
    expect(next.nodeId).toBeUndefined();
    // Not a failure of the task: no restart delay, no attempt counted.
    expect(next.notBefore).toBeUndefined();
    expect(next.restarts).toBeUndefined();
    expect(sim.inSlot('s1', 2).id).toBe(onB);
    // A task on a node that is no more can never report: the next pass deletes it.
    expect(sim.settle()).toBe(what === 'is removed' ? 1 : 0);
    expect(sim.tasks('s1').some((t) => t.id === onA)).toBe(what !== 'is removed');

    sim.converge();
    expect(sim.running('s1').map((t) => t.nodeId)).toEqual(['nb', 'nb']);
  });

  test('a drained node that is up stops its task; the task is then history, not replaced twice', () => {
    const { sim, onA } = spread();
    sim.setAvailability('na', 'drain');
    sim.converge();
    expect(sim.task(onA).status.state).toBe('shutdown');
    expect(sim.tasks('s1')).toHaveLength(3);
    expect(sim.plan()).toEqual([]);
  });

  test('a paused node keeps its task', () => {
    const { sim, onA } = spread();
    sim.setAvailability('na', 'pause');
    expect(sim.pass()).toBe(0);
    expect(sim.inSlot('s1', 1).id).toBe(onA);
  });

  test('a node that is only disconnected (not yet down) keeps its task', () => {
    const { sim, onA } = spread();
    sim.setNodeState('na', 'disconnected');
    expect(sim.pass()).toBe(0);
    expect(sim.inSlot('s1', 1).id).toBe(onA);
  });

  test('a node coming back does not get its old task back, nor a second one', () => {
    const { sim, onA } = spread();
    sim.setNodeState('na', 'down');
    sim.converge();
    sim.setNodeState('na', 'ready');
    sim.converge();
    // The agent stopped the container it was told to stop.
    expect(sim.task(onA)).toMatchObject({ desiredState: 'shutdown', status: { state: 'shutdown' } });
    expect(sim.live('s1')).toHaveLength(2);
    expect(sim.running('s1')).toHaveLength(2);
  });

  test('a replacement keeps the restart attempts of the task it replaces', () => {
    const sim = new Sim();
    sim.addNode('na');
    sim.addNode('nb');
    sim.createService('s1', (s) => (s.task.restartPolicy = { condition: 'any', delayMs: 0, maxAttempts: 2, windowMs: 0 }));
    sim.settle();
    sim.assign(sim.inSlot('s1', 1).id, 'na');
    sim.agents();
    sim.fail(sim.inSlot('s1', 1).id);
    sim.settle();
    sim.assign(sim.inSlot('s1', 1).id, 'na');
    sim.agents();
    const restarts = sim.inSlot('s1', 1).restarts;
    expect(restarts).toHaveLength(1);
    sim.setNodeState('na', 'down');
    sim.settle();
    expect(sim.inSlot('s1', 1).restarts).toEqual(restarts);
  });

  test('a task that failed on a node that then went down follows its restart policy (with its delay)', () => {
    const { sim, onA } = spread();
    sim.fail(onA);
    sim.setNodeState('na', 'down');
    expect(sim.pass()).toBe(2);
    expect(sim.inSlot('s1', 1).notBefore).toBeDefined();
  });

  test('an unplaced task is not affected by nodes going down', () => {
    const sim = new Sim();
    sim.addNode('na');
    sim.createService('s1');
    sim.settle();
    sim.setNodeState('na', 'down');
    expect(sim.pass()).toBe(0);
  });
});

import { Sim } from './harness';

/** One node and a one-replica service that restarts at once, its task running. */
function restarting(historyLimit: number, mode: 'replicated' | 'global' = 'replicated'): Sim {
  const sim = new Sim();
  sim.historyLimit = historyLimit;
  sim.addNode('na');
  sim.createService('s1', (s) => {
    s.mode = mode;
    s.task.restartPolicy.delayMs = 0;
  });
  sim.converge();
  return sim;
}

/** Fails the live task `n` times, a second apart, the cluster catching up each time. Returns the failed ids, oldest first. */
function failRepeatedly(sim: Sim, n: number): string[] {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    sim.advance(1_000);
    const t = sim.live('s1')[0];
    ids.push(t.id);
    sim.fail(t.id);
    sim.converge();
  }
  return ids;
}

describe('orchestrator: task history', () => {
  test('with historyLimit 5 a slot keeps at most 5 tasks: the live one and the 4 newest finished', () => {
    const sim = restarting(5);
    const failed = failRepeatedly(sim, 10);
    const slot = sim.slotHistory('s1', 1);
    expect(slot).toHaveLength(5);
    expect(slot[4].desiredState).toBe('running');
    expect(slot[4].status.state).toBe('running');
    expect(slot.slice(0, 4).map((t) => t.id)).toEqual(failed.slice(6));
    for (const id of failed.slice(0, 6)) expect(sim.store.get('task', id)).toBeUndefined();
    expect(sim.tasks('s1')).toHaveLength(5);
  });

  test('the limit holds after every pass, not only in the end', () => {
    const sim = restarting(3);
    for (let i = 0; i < 6; i++) {
      failRepeatedly(sim, 1);
      expect(sim.slotHistory('s1', 1).length).toBeLessThanOrEqual(3);
    }
    expect(sim.slotHistory('s1', 1)).toHaveLength(3);
  });

  test('tasks created in the same millisecond are trimmed all the same, the live one kept', () => {
    const sim = restarting(3);
    const failed: string[] = [];
    for (let i = 0; i < 6; i++) {
      const t = sim.live('s1')[0].id;
      failed.push(t);
      sim.fail(t);
      sim.converge();
    }
    const slot = sim.tasks('s1');
    expect(slot).toHaveLength(3);
    expect(slot.filter((t) => t.desiredState === 'running' && t.status.state === 'running')).toHaveLength(1);
    // Among equals in age, the last written (the latest to finish) stay.
    expect(slot.filter((t) => t.desiredState !== 'running').map((t) => t.id).sort()).toEqual(failed.slice(4).sort());
  });

  test('an old task still stopping counts against the limit: fewer finished ones are kept', () => {
    const sim = new Sim();
    sim.historyLimit = 3;
    sim.addNode('na');
    sim.addNode('nb');
    sim.createService('s1', (s) => (s.task.restartPolicy.delayMs = 0));
    sim.settle();
    const stuck = sim.inSlot('s1', 1).id;
    sim.assign(stuck, 'nb');
    sim.run(stuck);
    sim.advance(1_000);
    // Its agent never reports the stop it is asked for.
    sim.updateService('s1', (s) => (s.task.container.image = 'nginx:2'));
    sim.settle();
    const failed: string[] = [];
    for (let i = 0; i < 4; i++) {
      sim.advance(1_000);
      sim.assign(sim.inSlot('s1', 1).id, 'na');
      sim.run(sim.inSlot('s1', 1).id);
      failed.push(sim.inSlot('s1', 1).id);
      sim.fail(sim.inSlot('s1', 1).id);
      sim.settle();
    }
    const ids = sim.tasks('s1').map((t) => t.id);
    expect(ids).toHaveLength(3);
    expect(ids).toContain(stuck);
    expect(ids).toContain(failed[3]);
    expect(ids).toContain(sim.inSlot('s1', 1).id);
  });

  test('historyLimit 0 keeps only the live task', () => {
    const sim = restarting(0);
    failRepeatedly(sim, 3);
    expect(sim.tasks('s1')).toHaveLength(1);
    expect(sim.tasks('s1')[0].status.state).toBe('running');
  });

  test('global services keep their history per node', () => {
    const sim = restarting(2, 'global');
    failRepeatedly(sim, 4);
    expect(sim.tasks('s1')).toHaveLength(2);
  });

  test('history is per slot: other slots are not trimmed for one busy slot', () => {
    const sim = new Sim();
    sim.historyLimit = 2;
    sim.addNode('na');
    sim.createService('s1', (s) => {
      s.replicas = 2;
      s.task.restartPolicy.delayMs = 0;
    });
    sim.converge();
    for (let i = 0; i < 4; i++) {
      sim.advance(1_000);
      sim.fail(sim.inSlot('s1', 1).id);
      sim.converge();
    }
    expect(sim.slotHistory('s1', 1)).toHaveLength(2);
    expect(sim.slotHistory('s1', 2)).toHaveLength(1);
  });

  test('a task still stopping on a live node is never deleted, however old', () => {
    const sim = restarting(1);
    const old = sim.live('s1')[0].id;
    sim.advance(1_000);
    sim.updateService('s1', (s) => (s.task.container.image = 'nginx:2'));
    sim.settle();
    sim.advance(1_000);
    sim.schedule();
    sim.run(sim.live('s1')[0].id);
    // The old task's agent has not reported yet.
    expect(sim.task(old)).toMatchObject({ desiredState: 'shutdown', status: { state: 'running' } });
    for (let i = 0; i < 3; i++) expect(sim.pass()).toBe(0);
    expect(sim.store.get('task', old)).toBeDefined();

    sim.report(old, 'shutdown');
    expect(sim.pass()).toBe(1);
    expect(sim.store.get('task', old)).toBeUndefined();
    expect(sim.tasks('s1')).toHaveLength(1);
  });

  test('a stopping task on a node that is down may go (nobody will report on it)', () => {
    const sim = new Sim();
    sim.historyLimit = 1;
    sim.addNode('na');
    sim.addNode('nb');
    sim.createService('s1');
    sim.settle();
    const old = sim.inSlot('s1', 1).id;
    sim.assign(old, 'na');
    sim.agents();
    sim.advance(1_000);
    sim.setNodeState('na', 'down');
    sim.settle();
    expect(sim.store.get('task', old)).toBeUndefined();
    expect(sim.tasks('s1')).toHaveLength(1);
  });

  test('a dead task that keeps its slot (condition none) is never deleted', () => {
    const sim = new Sim();
    sim.historyLimit = 1;
    sim.addNode('na');
    sim.createService('s1', (s) => (s.task.restartPolicy.condition = 'none'));
    sim.converge();
    const t = sim.live('s1')[0].id;
    sim.fail(t);
    expect(sim.pass()).toBe(1);
    sim.advance(3_600_000);
    expect(sim.pass()).toBe(0);
    expect(sim.task(t)).toMatchObject({ desiredState: 'shutdown', status: { state: 'failed' } });
  });
});

describe('orchestrator: removed services', () => {
  test('running tasks are told to go, finished and unplaced ones are deleted, the rest once they report', () => {
    const sim = new Sim();
    for (const n of ['na', 'nb', 'nc']) sim.addNode(n);
    sim.createService('s1', (s) => {
      s.replicas = 4;
      s.task.restartPolicy.delayMs = 0;
    });
    sim.settle();
    const [t1, t2, t3, t4] = [1, 2, 3, 4].map((slot) => sim.inSlot('s1', slot).id);
    sim.assign(t1, 'na');
    sim.agents(); // t1 running on A
    sim.fail(t1);
    sim.settle(); // t1 is history now; its replacement is unplaced
    const t1b = sim.inSlot('s1', 1).id;
    sim.assign(t1b, 'na');
    sim.run(t1b); // running on A
    sim.assign(t2, 'nb'); // assigned on B, not running yet
    sim.assign(t3, 'nc');
    sim.run(t3);
    sim.setNodeState('nc', 'down'); // running on a node that is down
    sim.settle();
    const t3b = sim.inSlot('s1', 3).id; // its unplaced replacement
    expect(sim.tasks('s1')).toHaveLength(6);

    sim.removeService('s1');
    const plans = sim.plan();
    expect(plans).toHaveLength(1);
    const ops = Object.fromEntries(plans[0].map((a) => (a.op === 'delete' ? [a.id, 'delete'] : a.op === 'setDesiredState' ? [a.id, `desired:${a.desiredState}`] : [a.op, a.op])));
    expect(ops).toEqual({
      [t1]: 'delete', // failed
      [t1b]: 'desired:remove', // running
      [t2]: 'desired:remove', // assigned
      [t3]: 'delete', // its node is down
      [t3b]: 'delete', // never placed
      [t4]: 'delete', // never placed
    });
    sim.pass();
    expect(sim.pass()).toBe(0);
    expect(sim.tasks('s1').map((t) => t.id).sort()).toEqual([t1b, t2].sort());

    sim.report(t1b, 'shutdown');
    expect(sim.pass()).toBe(1);
    expect(sim.tasks('s1').map((t) => t.id)).toEqual([t2]);
    sim.report(t2, 'rejected');
    expect(sim.pass()).toBe(1);
    expect(sim.tasks()).toHaveLength(0);
    expect(sim.plan()).toEqual([]);
  });

  test('a removed global service: tasks pinned to a live node are stopped by their agent, then deleted', () => {
    const sim = new Sim();
    sim.addNode('na');
    sim.addNode('nb');
    sim.createService('g1', (s) => (s.mode = 'global'));
    sim.settle();
    sim.schedule();
    sim.run(sim.onNode('g1', 'na').id);
    sim.removeService('g1');
    expect(sim.pass()).toBe(2);
    expect(sim.tasks().map((t) => t.desiredState)).toEqual(['remove', 'remove']);
    sim.converge();
    expect(sim.tasks()).toHaveLength(0);
  });

  test('a removed global service: a task made for its node but never assigned (waiting out a restart delay) is deleted, not left waiting for an agent that never hears of it', () => {
    // Found by the control-plane simulator (seed 18): such a task was marked `remove` and stayed in the store for good.
    const sim = new Sim();
    sim.addNode('na');
    sim.createService('g1', (s) => {
      s.mode = 'global';
      s.task.restartPolicy.delayMs = 60_000;
    });
    sim.converge();
    sim.fail(sim.onNode('g1', 'na').id);
    sim.pass();
    const waiting = sim.onNode('g1', 'na');
    expect(waiting.status.state).toBe('new');
    sim.removeService('g1');
    const ops = sim.plan().flat().map((a) => (a.op === 'delete' ? `delete ${a.id}` : `${a.op} ${'object' in a ? a.object.id : a.id}`));
    expect(ops).toContain(`delete ${waiting.id}`);
    sim.converge();
    expect(sim.tasks()).toHaveLength(0);
  });

  test('removing one service leaves the others alone', () => {
    const sim = new Sim();
    sim.addNode('na');
    sim.createService('s1', (s) => (s.replicas = 2));
    sim.createService('s2', (s) => (s.replicas = 2));
    sim.converge();
    const keep = sim.tasks('s2').map((t) => `${t.id}@${t.meta.version}`);
    sim.removeService('s1');
    sim.converge();
    expect(sim.tasks('s1')).toHaveLength(0);
    expect(sim.tasks('s2').map((t) => `${t.id}@${t.meta.version}`)).toEqual(keep);
  });

  test('a service removed and recreated under the same name starts afresh', () => {
    const sim = new Sim();
    sim.addNode('na');
    sim.createService('s1', (s) => (s.replicas = 2));
    sim.converge();
    const old = sim.tasks('s1').map((t) => t.id);
    sim.removeService('s1');
    sim.createService('s2', (s) => {
      s.name = 'svcs1';
      s.replicas = 2;
    });
    sim.converge();
    expect(sim.tasks('s1')).toHaveLength(0);
    expect(sim.running('s2').map((t) => t.slot)).toEqual(expect.arrayContaining([1, 2]));
    for (const id of old) expect(sim.store.get('task', id)).toBeUndefined();
  });
});

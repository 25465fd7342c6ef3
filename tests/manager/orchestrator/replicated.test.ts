import { taskName } from '../../../lib/api/service-types';
import { Sim, T0, iso } from './harness';

function cluster(nodes = ['na', 'nb', 'nc']): Sim {
  const sim = new Sim();
  for (const n of nodes) sim.addNode(n);
  return sim;
}

describe('orchestrator: replicated services', () => {
  test('a new service gets one task per replica, in slots 1..N, named service.slot.id', () => {
    const sim = cluster();
    sim.createService('s1', (s) => (s.replicas = 3));
    const service = sim.store.get('service', 's1')!;

    expect(sim.pass()).toBe(3);
    expect(sim.pass()).toBe(0);

    const tasks = sim.tasks('s1');
    expect(tasks).toHaveLength(3);
    expect(sim.liveSlots('s1')).toEqual([1, 2, 3]);
    for (const t of tasks) {
      expect(t.serviceId).toBe('s1');
      expect(t.serviceName).toBe('svcs1');
      expect(t.desiredState).toBe('running');
      expect(t.status.state).toBe('new');
      expect(t.status.timestamp).toBe(iso(T0));
      expect(t.nodeId).toBeUndefined();
      expect(t.notBefore).toBeUndefined();
      expect(t.specVersion).toBe(service.meta.version);
      expect(t.spec).toEqual(service.spec.task);
      expect(taskName(t)).toBe(`svcs1.${t.slot}.${t.id}`);
    }
    expect(new Set(tasks.map((t) => t.id)).size).toBe(3);
  });

  test('each service is planned in its own transaction', () => {
    const sim = cluster();
    sim.createService('s1', (s) => (s.replicas = 2));
    sim.createService('s2', (s) => (s.replicas = 1));
    const plans = sim.plan();
    expect(plans).toHaveLength(2);
    const serviceOf = (p: (typeof plans)[number]) => new Set(p.map((a) => (a.op === 'create' ? (a.object as { serviceId: string }).serviceId : '?')));
    expect(plans.map(serviceOf)).toEqual([new Set(['s1']), new Set(['s2'])]);
    expect(plans.map((p) => p.length)).toEqual([2, 1]);
  });

  test('a service with 0 replicas gets no task', () => {
    const sim = cluster();
    sim.createService('s1', (s) => (s.replicas = 0));
    expect(sim.plan()).toEqual([]);
  });

  test('scaling up fills the lowest free slots', () => {
    const sim = cluster(['na', 'nb']);
    sim.createService('s1', (s) => (s.replicas = 3));
    sim.settle();
    const [t1, t2, t3] = [1, 2, 3].map((slot) => sim.inSlot('s1', slot).id);
    sim.assign(t1, 'na');
    sim.assign(t2, 'na');
    sim.assign(t3, 'nb');
    sim.agents();
    // 3 -> 2 frees slot 2 (the higher slot on the busier node), 2 -> 4 refills 2 and adds 4.
    sim.updateService('s1', (s) => (s.replicas = 2));
    sim.converge();
    expect(sim.liveSlots('s1')).toEqual([1, 3]);
    sim.updateService('s1', (s) => (s.replicas = 4));
    expect(sim.pass()).toBe(2);
    expect(sim.liveSlots('s1')).toEqual([1, 2, 3, 4]);
    expect(sim.inSlot('s1', 1).id).toBe(t1);
    expect(sim.inSlot('s1', 3).id).toBe(t3);
    expect(sim.inSlot('s1', 2).id).not.toBe(t2);
    expect(sim.inSlot('s1', 2).status.state).toBe('new');
    expect(sim.inSlot('s1', 4).status.state).toBe('new');
  });

  test('scaling down takes tasks from the node running the most of the service first', () => {
    const sim = cluster(['na', 'nb']);
    sim.createService('s1', (s) => (s.replicas = 3));
    sim.settle();
    sim.assign(sim.inSlot('s1', 1).id, 'nb');
    sim.assign(sim.inSlot('s1', 2).id, 'na');
    sim.assign(sim.inSlot('s1', 3).id, 'na');
    sim.agents();
    expect(sim.running('s1')).toHaveLength(3);

    sim.updateService('s1', (s) => (s.replicas = 2));
    expect(sim.pass()).toBe(1);
    const stopped = sim.tasks('s1').filter((t) => t.desiredState === 'remove');
    expect(stopped).toHaveLength(1);
    expect(stopped[0].nodeId).toBe('na');
    // It ran on a node: the agent says when it is down, not the orchestrator.
    expect(stopped[0].status.state).toBe('running');
    expect(sim.live('s1').map((t) => t.nodeId).sort()).toEqual(['na', 'nb']);
    expect(sim.settle()).toBe(0);
  });

  test('scaling down by several balances what is left', () => {
    const sim = cluster(['na', 'nb', 'nc']);
    sim.createService('s1', (s) => (s.replicas = 6));
    sim.settle();
    // 4 on A, 1 on B, 1 on C.
    const place = ['na', 'na', 'na', 'na', 'nb', 'nc'];
    place.forEach((n, i) => sim.assign(sim.inSlot('s1', i + 1).id, n));
    sim.agents();
    sim.updateService('s1', (s) => (s.replicas = 3));
    sim.settle();
    expect(sim.live('s1').map((t) => t.nodeId).sort()).toEqual(['na', 'nb', 'nc']);
  });

  test('scaling down removes unplaced tasks before placed ones', () => {
    const sim = cluster(['na', 'nb']);
    sim.createService('s1', (s) => (s.replicas = 4));
    sim.settle();
    sim.assign(sim.inSlot('s1', 1).id, 'na');
    sim.assign(sim.inSlot('s1', 2).id, 'na');
    sim.assign(sim.inSlot('s1', 4).id, 'nb');
    sim.agents();
    const unplaced = sim.inSlot('s1', 3);
    expect(unplaced.nodeId).toBeUndefined();

    sim.updateService('s1', (s) => (s.replicas = 3));
    expect(sim.pass()).toBe(1);
    const gone = sim.task(unplaced.id);
    expect(gone.desiredState).toBe('remove');
    // Nobody would ever report on it: the orchestrator closes it itself.
    expect(gone.status.state).toBe('shutdown');
    expect(sim.liveSlots('s1')).toEqual([1, 2, 4]);
    expect(sim.running('s1')).toHaveLength(3);
  });

  test('scaling down removes a dead task (not restarted) before a running one on the same node', () => {
    const sim = cluster(['na', 'nb']);
    sim.createService('s1', (s) => {
      s.replicas = 3;
      s.task.restartPolicy.condition = 'none';
    });
    sim.settle();
    sim.assign(sim.inSlot('s1', 1).id, 'na');
    sim.assign(sim.inSlot('s1', 2).id, 'na');
    sim.assign(sim.inSlot('s1', 3).id, 'nb');
    sim.agents();
    const dead = sim.inSlot('s1', 1);
    sim.fail(dead.id);
    sim.settle();
    expect(sim.running('s1')).toHaveLength(2);

    sim.updateService('s1', (s) => (s.replicas = 2));
    expect(sim.pass()).toBe(1);
    expect(sim.task(dead.id).desiredState).toBe('remove');
    expect(sim.running('s1')).toHaveLength(2);
    expect(sim.liveSlots('s1')).toEqual([2, 3]);
  });

  test('a failure and a scale down seen in one pass: the restart the scale down cancels is not written', () => {
    const sim = cluster(['na', 'nb', 'nc']);
    sim.createService('s1', (s) => (s.replicas = 3));
    sim.converge();
    const failed = sim.inSlot('s1', 3).id;
    sim.fail(failed);
    sim.updateService('s1', (s) => (s.replicas = 2));
    const plans = sim.plan();
    expect(plans.flat().map((a) => a.op)).toEqual(['setDesiredState']);
    sim.pass();
    expect(sim.task(failed)).toMatchObject({ desiredState: 'shutdown', status: { state: 'failed' } });
    expect(sim.tasks('s1')).toHaveLength(3);
    expect(sim.liveSlots('s1')).toEqual([1, 2]);
    expect(sim.running('s1')).toHaveLength(2);
  });

  test('scaling to 0 stops everything and creates nothing', () => {
    const sim = cluster();
    sim.createService('s1', (s) => (s.replicas = 3));
    sim.converge();
    expect(sim.running('s1')).toHaveLength(3);
    sim.updateService('s1', (s) => (s.replicas = 0));
    expect(sim.pass()).toBe(3);
    sim.converge();
    expect(sim.live('s1')).toHaveLength(0);
    // Scaled-down tasks are removed once stopped, not kept as history (as swarmkit).
    expect(sim.tasks('s1')).toEqual([]);
  });

  test('two live tasks in one slot (a race of two leaders): the newest is kept', () => {
    const sim = cluster();
    sim.createService('s1', (s) => (s.replicas = 1));
    sim.settle();
    const older = sim.inSlot('s1', 1);
    sim.advance(1000);
    // A second leader's pass, planned on the store before the first committed.
    const dup = structuredClone(sim.planned[0][0]);
    if (dup.op !== 'create' || dup.kind !== 'task') throw new Error('expected a task create');
    dup.object.id = 'dup1';
    sim.apply([dup]);
    expect(sim.live('s1')).toHaveLength(2);

    expect(sim.pass()).toBe(1);
    expect(sim.task(older.id).desiredState).toBe('shutdown');
    expect(sim.inSlot('s1', 1).id).toBe('dup1');
  });

  test('a converged cluster is quiescent: the planner writes nothing, pass after pass', () => {
    const sim = cluster();
    sim.createService('s1', (s) => (s.replicas = 5));
    sim.createService('s2', (s) => (s.replicas = 2));
    sim.converge();
    expect(sim.running('s1')).toHaveLength(5);
    expect(sim.running('s2')).toHaveLength(2);
    expect(sim.plan()).toEqual([]);
    sim.advance(3_600_000);
    expect(sim.plan()).toEqual([]);
    expect(sim.plan()).toEqual([]);
  });

  test('the plan is a function of its input: the same store gives the same plan (up to new ids)', () => {
    const sim = cluster();
    sim.createService('s1', (s) => (s.replicas = 3));
    sim.converge();
    sim.fail(sim.inSlot('s1', 2).id);
    sim.setNodeState('nc', 'down');
    const strip = (p: ReturnType<Sim['plan']>) =>
      JSON.parse(JSON.stringify(p, (k, v) => (k === 'id' && typeof v === 'string' && v.length === 25 ? '<new>' : v)));
    expect(strip(sim.plan())).toEqual(strip(sim.plan()));
  });
});

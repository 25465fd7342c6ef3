import { Sim } from './harness';

function globalService(sim: Sim, constraints: string[] = []): void {
  sim.createService('g1', (s) => {
    s.mode = 'global';
    s.task.placement.constraints = constraints;
  });
}

const liveNodes = (sim: Sim) =>
  sim
    .live('g1')
    .map((t) => t.nodeId)
    .sort();

describe('orchestrator: global services', () => {
  test('one task per eligible node: not down, not drained, not paused (for a new task), constraints met', () => {
    const sim = new Sim();
    sim.addNode('na');
    sim.addNode('nb', { state: 'down' });
    sim.addNode('nc', { availability: 'drain' });
    sim.addNode('nd', { availability: 'pause' });
    sim.addNode('ne', { labels: { zone: 'west' } });
    sim.addNode('nf', { labels: { zone: 'east' } });
    sim.addNode('ng', { state: 'unknown' });
    globalService(sim, ['node.labels.zone!=west']);

    expect(sim.pass()).toBe(3);
    expect(liveNodes(sim)).toEqual(['na', 'nf', 'ng']);
    for (const t of sim.tasks('g1')) {
      expect(t.slot).toBeUndefined();
      expect(t.status.state).toBe('new');
      expect(t.desiredState).toBe('running');
    }
    expect(sim.settle()).toBe(0);
    sim.converge();
    expect(sim.running('g1')).toHaveLength(3);
    expect(sim.tasks('g1')).toHaveLength(3);
  });

  test('a new node gets one task; a second pass does not add another', () => {
    const sim = new Sim();
    sim.addNode('na');
    globalService(sim);
    sim.converge();
    sim.addNode('nb');
    expect(sim.pass()).toBe(1);
    expect(sim.onNode('g1', 'nb').status.state).toBe('new');
    expect(sim.pass()).toBe(0);
    sim.converge();
    expect(sim.running('g1').map((t) => t.nodeId).sort()).toEqual(['na', 'nb']);
  });

  test('draining a node stops its task and nothing replaces it elsewhere', () => {
    const sim = new Sim();
    sim.addNode('na');
    sim.addNode('nb');
    globalService(sim);
    sim.converge();
    const onB = sim.onNode('g1', 'nb').id;
    sim.setAvailability('nb', 'drain');
    expect(sim.pass()).toBe(1);
    expect(sim.task(onB).desiredState).toBe('shutdown');
    sim.converge();
    expect(liveNodes(sim)).toEqual(['na']);
    expect(sim.tasks('g1')).toHaveLength(2);
    // Made active again, it gets a new task.
    sim.setAvailability('nb', 'active');
    sim.converge();
    expect(sim.running('g1').map((t) => t.nodeId).sort()).toEqual(['na', 'nb']);
    expect(sim.onNode('g1', 'nb').id).not.toBe(onB);
  });

  test('a paused node keeps its task but a paused node without one gets none', () => {
    const sim = new Sim();
    sim.addNode('na');
    globalService(sim);
    sim.converge();
    const onA = sim.onNode('g1', 'na').id;
    sim.setAvailability('na', 'pause');
    sim.addNode('nb', { availability: 'pause' });
    expect(sim.pass()).toBe(0);
    expect(sim.onNode('g1', 'na').id).toBe(onA);
    expect(liveNodes(sim)).toEqual(['na']);
  });

  test('a task that fails on a paused node is not restarted there until the node is active again', () => {
    const sim = new Sim();
    sim.addNode('na');
    sim.addNode('nb');
    globalService(sim);
    sim.converge();
    const onB = sim.onNode('g1', 'nb').id;
    sim.setAvailability('nb', 'pause');
    sim.fail(onB);
    expect(sim.pass()).toBe(1);
    expect(sim.task(onB).desiredState).toBe('shutdown');
    sim.advance(60_000);
    sim.converge();
    expect(liveNodes(sim)).toEqual(['na']);

    sim.setAvailability('nb', 'active');
    sim.converge();
    expect(sim.running('g1').map((t) => t.nodeId).sort()).toEqual(['na', 'nb']);
  });

  test("an update leaves a paused node's task alone until the node is active again", () => {
    const sim = new Sim();
    sim.addNode('na');
    sim.addNode('nb');
    globalService(sim);
    sim.converge();
    const onB = sim.onNode('g1', 'nb').id;
    sim.setAvailability('nb', 'pause');
    sim.updateService('g1', (s) => (s.task.container.image = 'nginx:2'));
    sim.converge();
    expect(sim.onNode('g1', 'nb').id).toBe(onB);
    expect(sim.onNode('g1', 'na').spec.container.image).toBe('nginx:2');
    expect(sim.plan()).toEqual([]);

    sim.setAvailability('nb', 'active');
    expect(sim.pass()).toBe(2);
    sim.converge();
    expect(sim.onNode('g1', 'nb').spec.container.image).toBe('nginx:2');
    expect(sim.task(onB)).toMatchObject({ desiredState: 'shutdown', status: { state: 'shutdown' } });
  });

  test('a node going down: its task is shut down, not replaced; when it is back it gets a new one', () => {
    const sim = new Sim();
    sim.addNode('na');
    sim.addNode('nb');
    globalService(sim);
    sim.converge();
    const onB = sim.onNode('g1', 'nb').id;
    sim.setNodeState('nb', 'down');
    expect(sim.pass()).toBe(1);
    expect(sim.task(onB).desiredState).toBe('shutdown');
    expect(liveNodes(sim)).toEqual(['na']);
    sim.converge();
    expect(sim.tasks('g1')).toHaveLength(2);

    sim.setNodeState('nb', 'ready');
    sim.converge();
    expect(sim.task(onB).status.state).toBe('shutdown');
    expect(sim.running('g1').map((t) => t.nodeId).sort()).toEqual(['na', 'nb']);
  });

  test('a node removed: its task is shut down and nothing replaces it', () => {
    const sim = new Sim();
    sim.addNode('na');
    sim.addNode('nb');
    globalService(sim);
    sim.converge();
    const onB = sim.onNode('g1', 'nb').id;
    sim.removeNode('nb');
    expect(sim.pass()).toBe(1);
    expect(sim.task(onB).desiredState).toBe('shutdown');
    sim.converge();
    expect(liveNodes(sim)).toEqual(['na']);
  });

  test('a changed constraint moves the service to the nodes that now match', () => {
    const sim = new Sim();
    sim.addNode('na', { labels: { zone: 'east' } });
    sim.addNode('nb', { labels: { zone: 'west' } });
    sim.addNode('nc', { labels: { zone: 'east' } });
    globalService(sim, ['node.labels.zone==east']);
    sim.converge();
    expect(sim.running('g1').map((t) => t.nodeId).sort()).toEqual(['na', 'nc']);

    sim.updateService('g1', (s) => (s.task.placement.constraints = ['node.labels.zone==west']));
    sim.converge();
    expect(sim.running('g1').map((t) => t.nodeId)).toEqual(['nb']);
    expect(sim.live('g1')).toHaveLength(1);
    expect(sim.tasks('g1').filter((t) => t.nodeId !== 'nb').every((t) => t.desiredState === 'shutdown' && t.status.state === 'shutdown')).toBe(true);
  });

  test('a node label change makes a node eligible or not', () => {
    const sim = new Sim();
    sim.addNode('na', { labels: { zone: 'east' } });
    sim.addNode('nb');
    globalService(sim, ['node.labels.zone==east']);
    sim.converge();
    expect(liveNodes(sim)).toEqual(['na']);
    sim.updateNode('nb', (n) => (n.spec.labels.zone = 'east'));
    sim.updateNode('na', (n) => (n.spec.labels.zone = 'north'));
    sim.converge();
    expect(sim.running('g1').map((t) => t.nodeId)).toEqual(['nb']);
  });

  test('a failed task is restarted on its node, after the delay', () => {
    const sim = new Sim();
    sim.addNode('na');
    globalService(sim);
    sim.converge();
    const first = sim.onNode('g1', 'na').id;
    const failedAt = sim.now;
    sim.fail(first);
    expect(sim.pass()).toBe(2);
    const next = sim.onNode('g1', 'na');
    expect(next.id).not.toBe(first);
    expect(next.nodeId).toBe('na');
    expect(next.notBefore).toBe(new Date(failedAt + 5_000).toISOString());
    expect(sim.settle()).toBe(0);
  });

  test('condition none: a failed task keeps its node taken', () => {
    const sim = new Sim();
    sim.addNode('na');
    sim.createService('g1', (s) => {
      s.mode = 'global';
      s.task.restartPolicy.condition = 'none';
    });
    sim.converge();
    const id = sim.onNode('g1', 'na').id;
    sim.fail(id);
    expect(sim.pass()).toBe(1);
    expect(sim.task(id).desiredState).toBe('shutdown');
    for (let i = 0; i < 5; i++) {
      sim.advance(60_000);
      expect(sim.pass()).toBe(0);
    }
    expect(sim.tasks('g1')).toHaveLength(1);
  });

  test('condition none: a finished task keeps its node through the node going down and back', () => {
    const sim = new Sim();
    sim.addNode('na');
    sim.createService('g1', (s) => {
      s.mode = 'global';
      s.task.restartPolicy.condition = 'none';
    });
    sim.converge();
    sim.complete(sim.onNode('g1', 'na').id);
    sim.converge();
    sim.setNodeState('na', 'down');
    sim.converge();
    sim.setNodeState('na', 'ready');
    sim.converge();
    expect(sim.tasks('g1')).toHaveLength(1);
    expect(sim.live('g1')).toHaveLength(0);
  });

  test('global services ignore replicas', () => {
    const sim = new Sim();
    sim.addNode('na');
    sim.addNode('nb');
    sim.createService('g1', (s) => {
      s.mode = 'global';
      s.replicas = 5;
    });
    sim.converge();
    expect(sim.running('g1')).toHaveLength(2);
  });

  test('a converged global service is quiescent', () => {
    const sim = new Sim();
    for (const n of ['na', 'nb', 'nc']) sim.addNode(n);
    globalService(sim);
    sim.converge();
    sim.advance(3_600_000);
    expect(sim.plan()).toEqual([]);
  });
});

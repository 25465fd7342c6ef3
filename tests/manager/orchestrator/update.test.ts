import { ServiceSpec } from '../../../lib/api/service-types';
import { Sim } from './harness';

/** Three nodes and a service (3 replicas unless `edit` says otherwise), every task running. */
function deployed(edit: (s: ServiceSpec) => void = () => undefined): Sim {
  const sim = new Sim();
  for (const n of ['na', 'nb', 'nc']) sim.addNode(n);
  sim.createService('s1', (s) => {
    s.replicas = 3;
    edit(s);
  });
  sim.converge();
  expect(sim.running('s1')).toHaveLength(sim.store.get('service', 's1')!.spec.replicas);
  return sim;
}

const images = (sim: Sim) =>
  sim
    .live('s1')
    .sort((a, b) => (a.slot ?? 0) - (b.slot ?? 0))
    .map((t) => t.spec.container.image);

describe('orchestrator: spec updates', () => {
  test('a new image replaces running tasks one at a time, each once the previous replacement runs', () => {
    const sim = deployed();
    const oldIds = sim.live('s1').map((t) => t.id);
    sim.updateService('s1', (s) => (s.task.container.image = 'nginx:2'));
    const version = sim.store.get('service', 's1')!.meta.version;

    // First pass: slot 1 only (lowest slot first).
    expect(sim.pass()).toBe(2);
    expect(images(sim)).toEqual(['nginx:2', 'nginx:1', 'nginx:1']);
    const first = sim.inSlot('s1', 1);
    expect(first.specVersion).toBe(version);
    expect(first.status.state).toBe('new');
    expect(first.notBefore).toBeUndefined();
    expect(sim.tasks('s1').filter((t) => t.desiredState === 'shutdown').map((t) => t.slot)).toEqual([1]);
    expect(sim.settle()).toBe(0);

    // Placed, then preparing: still not running, so nothing more.
    sim.agents(); // the old task of slot 1 reports shutdown
    sim.schedule();
    expect(sim.pass()).toBe(0);
    sim.report(first.id, 'preparing');
    expect(sim.pass()).toBe(0);
    sim.run(first.id);

    // Running: the next slot goes.
    expect(sim.pass()).toBe(2);
    expect(images(sim)).toEqual(['nginx:2', 'nginx:2', 'nginx:1']);
    expect(sim.settle()).toBe(0);

    sim.converge();
    expect(images(sim)).toEqual(['nginx:2', 'nginx:2', 'nginx:2']);
    expect(sim.running('s1')).toHaveLength(3);
    expect(sim.tasks('s1')).toHaveLength(6);
    for (const id of oldIds) expect(sim.task(id)).toMatchObject({ desiredState: 'shutdown', status: { state: 'shutdown' } });
  });

  test('never more than one replacement on its way while the rollout runs', () => {
    const sim = deployed((s) => (s.replicas = 5));
    sim.updateService('s1', (s) => (s.task.container.image = 'nginx:2'));
    let rounds = 0;
    while (images(sim).some((i) => i === 'nginx:1')) {
      sim.settle();
      const upcoming = sim.live('s1').filter((t) => t.spec.container.image === 'nginx:2' && t.status.state !== 'running');
      expect(upcoming).toHaveLength(1);
      sim.schedule();
      sim.agents();
      if (++rounds > 20) throw new Error('rollout did not finish');
    }
    expect(rounds).toBe(5);
    sim.converge();
    expect(sim.running('s1').filter((t) => t.spec.container.image === 'nginx:2')).toHaveLength(5);
  });

  test('a replacement that fails and is restarted still holds the rollout back', () => {
    const sim = deployed();
    sim.updateService('s1', (s) => (s.task.container.image = 'nginx:bad'));
    sim.settle();
    sim.agents();
    sim.schedule();
    const first = sim.inSlot('s1', 1);
    sim.fail(first.id);
    sim.settle();
    expect(sim.inSlot('s1', 1).id).not.toBe(first.id);
    expect(images(sim)).toEqual(['nginx:bad', 'nginx:1', 'nginx:1']);
    sim.advance(60_000);
    expect(sim.pass()).toBe(0);
  });

  test('tasks not placed yet are replaced at once, all of them', () => {
    const sim = new Sim();
    sim.addNode('na');
    sim.createService('s1', (s) => (s.replicas = 3));
    sim.settle();
    const oldIds = sim.live('s1').map((t) => t.id);
    sim.updateService('s1', (s) => (s.task.container.image = 'nginx:2'));
    expect(sim.pass()).toBe(6);
    expect(images(sim)).toEqual(['nginx:2', 'nginx:2', 'nginx:2']);
    for (const id of oldIds) expect(sim.task(id)).toMatchObject({ desiredState: 'shutdown', status: { state: 'shutdown' } });
    expect(sim.settle()).toBe(0);
  });

  test('with some tasks unplaced and some running, the unplaced go at once and the running wait their turn', () => {
    const sim = new Sim();
    sim.addNode('na');
    sim.createService('s1', (s) => (s.replicas = 3));
    sim.settle();
    sim.assign(sim.inSlot('s1', 1).id, 'na');
    sim.assign(sim.inSlot('s1', 2).id, 'na');
    sim.agents();
    sim.updateService('s1', (s) => (s.task.container.image = 'nginx:2'));
    expect(sim.pass()).toBe(2);
    expect(images(sim)).toEqual(['nginx:1', 'nginx:1', 'nginx:2']);
    expect(sim.settle()).toBe(0);
    sim.converge();
    expect(images(sim)).toEqual(['nginx:2', 'nginx:2', 'nginx:2']);
  });

  test('a change of service labels only does not redeploy', () => {
    const sim = deployed();
    sim.updateService('s1', (s) => (s.labels = { team: 'web' }));
    expect(sim.plan()).toEqual([]);
  });

  test('a scale change alone does not redeploy the tasks that stay', () => {
    const sim = deployed();
    const ids = sim.live('s1').map((t) => t.id).sort();
    sim.updateService('s1', (s) => (s.replicas = 4));
    expect(sim.pass()).toBe(1);
    sim.converge();
    expect(ids.every((id) => sim.task(id).desiredState === 'running')).toBe(true);
  });

  test.each<[string, (s: ServiceSpec) => void]>([
    ['--force', (s) => (s.task.forceUpdate += 1)],
    ['an env change', (s) => s.task.container.env.push('A=1')],
    ['a container label change', (s) => (s.task.container.labels = { a: 'b' })],
    ['a published port', (s) => s.endpoint.ports.push({ protocol: 'tcp', targetPort: 80, publishedPort: 8080, publishMode: 'ingress' })],
  ])('%s redeploys', (_what, edit) => {
    const sim = deployed();
    sim.updateService('s1', edit);
    expect(sim.pass()).toBe(2);
    sim.converge();
    const service = sim.store.get('service', 's1')!;
    for (const t of sim.live('s1')) {
      expect(t.spec).toEqual(service.spec.task);
      expect(t.ports).toEqual(service.spec.endpoint.ports);
      expect(t.specVersion).toBe(service.meta.version);
    }
    expect(sim.tasks('s1')).toHaveLength(6);
  });

  test('a global service is updated one node at a time too', () => {
    const sim = new Sim();
    for (const n of ['na', 'nb', 'nc']) sim.addNode(n);
    sim.createService('g1', (s) => (s.mode = 'global'));
    sim.converge();
    sim.updateService('g1', (s) => (s.task.container.image = 'nginx:2'));
    expect(sim.pass()).toBe(2);
    const fresh = sim.live('g1').filter((t) => t.spec.container.image === 'nginx:2');
    expect(fresh.map((t) => t.nodeId)).toEqual(['na']);
    expect(sim.settle()).toBe(0);
    sim.converge();
    expect(
      sim
        .running('g1')
        .map((t) => `${t.nodeId}:${t.spec.container.image}`)
        .sort(),
    ).toEqual(['na:nginx:2', 'nb:nginx:2', 'nc:nginx:2']);
  });

  test('a second update during a rollout: tasks go straight to the newest spec', () => {
    const sim = deployed();
    sim.updateService('s1', (s) => (s.task.container.image = 'nginx:2'));
    sim.settle();
    sim.updateService('s1', (s) => (s.task.container.image = 'nginx:3'));
    // The nginx:2 replacement never ran: it is unplaced, so replaced at once.
    expect(sim.pass()).toBe(2);
    expect(images(sim)).toEqual(['nginx:3', 'nginx:1', 'nginx:1']);
    sim.converge();
    expect(images(sim)).toEqual(['nginx:3', 'nginx:3', 'nginx:3']);
    expect(sim.tasks('s1').filter((t) => t.spec.container.image === 'nginx:2')).toHaveLength(1);
  });

  test('rolling back a start-first update while neither task of the slot runs yet keeps the old task, on the spec rolled back to, and makes no third', () => {
    // Found by the control-plane simulator (seed 40): the slot got a second task on the rolled-back spec next to the old one.
    const sim = new Sim();
    sim.addNode('na');
    sim.createService('s1', (s) => {
      s.update = { parallelism: 1, delayMs: 0, failureAction: 'pause', monitorMs: 0, maxFailureRatio: 0, order: 'start-first' };
      s.rollback = { ...s.update, order: 'stop-first' };
    });
    sim.settle();
    sim.schedule();
    const old = sim.inSlot('s1', 1);
    expect(old.status.state).toBe('assigned');
    sim.advance(1_000);
    sim.updateService('s1', (s) => (s.task.container.image = 'nginx:2'));
    sim.settle();
    sim.schedule();
    const fresh = sim.live('s1').find((t) => t.id !== old.id)!;
    expect(fresh.spec.container.image).toBe('nginx:2');
    sim.report(fresh.id, 'starting');

    sim.advance(1_000);
    sim.rollbackService('s1');
    expect(sim.plan().flat().filter((a) => a.op === 'create')).toEqual([]);
    sim.settle();
    expect(sim.live('s1').map((t) => t.id)).toEqual([old.id]);
    expect(sim.task(fresh.id).desiredState).toBe('shutdown');
    sim.converge();
    expect(sim.running('s1').map((t) => t.id)).toEqual([old.id]);
  });
});

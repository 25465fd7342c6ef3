import { DEFAULT_UPDATE_CONFIG } from '../../../lib/api/service-defaults';
import { Task } from '../../../lib/api/service-types';
import { Node } from '../../../lib/api/types';
import { NO_LONGER_HAS_RESOURCES, NO_LONGER_MEETS_CONSTRAINTS, noncompliantTasks } from '../../../lib/manager/orchestrator/constraint-enforcer';
import { DeepReadonly } from '../../../lib/manager/store';
import { Sim } from './harness';

const CPU = 1e9;

/** Nodes na and nb in zone a, nc in zone b; a 2-replica service held to zone a, running on na and nb. */
function zoned(): { sim: Sim; onA: string; onB: string } {
  const sim = new Sim();
  sim.addNode('na', { labels: { zone: 'a' } });
  sim.addNode('nb', { labels: { zone: 'a' } });
  sim.addNode('nc', { labels: { zone: 'b' } });
  sim.createService('s1', (s) => {
    s.replicas = 2;
    s.task.placement.constraints = ['node.labels.zone==a'];
  });
  sim.converge();
  const onA = sim.live('s1').find((t) => t.nodeId === 'na')?.id;
  const onB = sim.live('s1').find((t) => t.nodeId === 'nb')?.id;
  if (!onA || !onB) throw new Error('expected one task on na and one on nb');
  return { sim, onA, onB };
}

describe('constraint enforcer: a task whose node no longer qualifies is moved', () => {
  test.each([
    ['its label is removed', (n: Node) => delete n.spec.labels.zone],
    ['its label changes', (n: Node) => (n.spec.labels.zone = 'b')],
  ])('node %s: its task is shut down and replaced in its slot on a node that matches', (_what, edit) => {
    const { sim, onA, onB } = zoned();
    const slot = sim.task(onA).slot as number;
    const before = sim.task(onA);
    sim.updateNode('na', edit);

    expect(sim.pass()).toBe(2);
    const old = sim.task(onA);
    expect(old.desiredState).toBe('shutdown');
    // The agent reports the container's end; the orchestrator does not pretend to know it.
    expect(old.status).toEqual(before.status);
    const next = sim.inSlot('s1', slot);
    expect(next.id).not.toBe(onA);
    expect(next.nodeId).toBeUndefined();
    expect(next.status.message).toBe(`replaces a task whose ${NO_LONGER_MEETS_CONSTRAINTS}`);
    // Its node changed, the task did not fail: no restart delay, no attempt counted.
    expect(next.notBefore).toBeUndefined();
    expect(next.restarts).toBeUndefined();
    // The other task's node still matches: left alone.
    expect(sim.task(onB).desiredState).toBe('running');

    sim.converge();
    expect(sim.running('s1').map((t) => t.nodeId)).toEqual(['nb', 'nb']);
    expect(sim.task(onA).status.state).toBe('shutdown');
    // Moved once: nothing left to do.
    expect(sim.plan()).toEqual([]);
  });

  test('with no node left that matches, the replacement waits unplaced and the old task still goes', () => {
    const { sim, onA, onB } = zoned();
    sim.updateNode('na', (n) => (n.spec.labels.zone = 'b'));
    sim.updateNode('nb', (n) => (n.spec.labels.zone = 'b'));
    sim.converge();
    expect(sim.task(onA)).toMatchObject({ desiredState: 'shutdown', status: { state: 'shutdown' } });
    expect(sim.task(onB)).toMatchObject({ desiredState: 'shutdown', status: { state: 'shutdown' } });
    expect(sim.live('s1').map((t) => t.nodeId)).toEqual([undefined, undefined]);
    expect(sim.plan()).toEqual([]);
    // A node that matches again takes them.
    sim.updateNode('nc', (n) => (n.spec.labels.zone = 'a'));
    sim.converge();
    expect(sim.running('s1').map((t) => t.nodeId)).toEqual(['nc', 'nc']);
  });

  test('a paused node keeps its task though it no longer matches (as swarmkit)', () => {
    const { sim, onA } = zoned();
    sim.setAvailability('na', 'pause');
    sim.updateNode('na', (n) => delete n.spec.labels.zone);
    expect(sim.pass()).toBe(0);
    expect(sim.task(onA).desiredState).toBe('running');
    // Back to active, it is judged again.
    sim.setAvailability('na', 'active');
    expect(sim.pass()).toBe(2);
    expect(sim.task(onA).desiredState).toBe('shutdown');
  });

  test("a task is judged by its own constraints: a service's new constraints are an update, paced by the updater", () => {
    const { sim } = zoned();
    sim.updateService('s1', (s) => {
      s.task.placement.constraints = ['node.labels.zone==b'];
      s.update = { ...DEFAULT_UPDATE_CONFIG, parallelism: 1, delayMs: 60_000 };
    });
    sim.settle();
    // One slot at a time, not both at once as an enforcer judging by the service would.
    expect(sim.live('s1').filter((t) => t.nodeId === undefined)).toHaveLength(1);
  });
});

describe("constraint enforcer: a node's resources no longer cover its tasks' reservations", () => {
  /** One node of 4 CPUs running two tasks reserving 1.5 CPU each, the second created a minute later. */
  function reserved(): { sim: Sim; first: string; second: string } {
    const sim = new Sim();
    sim.addNode('na');
    sim.createService('s1', (s) => {
      s.replicas = 1;
      s.task.resources.reservations.nanoCPUs = 1.5 * CPU;
    });
    sim.converge();
    sim.advance(60_000);
    sim.updateService('s1', (s) => (s.replicas = 2));
    sim.converge();
    const [first, second] = [...sim.running('s1')].sort((a, b) => Date.parse(a.meta.createdAt) - Date.parse(b.meta.createdAt));
    expect([first.nodeId, second.nodeId]).toEqual(['na', 'na']);
    expect(Date.parse(second.meta.createdAt)).toBeGreaterThan(Date.parse(first.meta.createdAt));
    return { sim, first: first.id, second: second.id };
  }

  const shrink = (cpus: number) => (n: Node) => {
    if (n.description) n.description.resources.nanoCPUs = cpus * CPU;
  };

  test('the newer tasks that no longer fit are moved; the older ones that fit stay', () => {
    const { sim, first, second } = reserved();
    sim.updateNode('na', shrink(2));
    expect(sim.pass()).toBe(2);
    expect(sim.task(first).desiredState).toBe('running');
    expect(sim.task(second).desiredState).toBe('shutdown');
    const next = sim.inSlot('s1', sim.task(second).slot as number);
    expect(next.status.message).toBe(`replaces a task whose ${NO_LONGER_HAS_RESOURCES}`);
    // The task that stays fits: the next pass moves nothing more.
    sim.agents();
    expect(sim.plan()).toEqual([]);
  });

  test('resources that still cover every reservation move nothing', () => {
    const { sim } = reserved();
    sim.updateNode('na', shrink(3));
    expect(sim.pass()).toBe(0);
  });

  test('a global task that no longer fits is shut down; its node gets a new one, which waits for room there (as swarmkit)', () => {
    const sim = new Sim();
    sim.addNode('na');
    sim.createService('g1', (s) => {
      s.mode = 'global';
      s.task.resources.reservations.nanoCPUs = 3 * CPU;
    });
    sim.converge();
    const before = sim.onNode('g1', 'na').id;
    sim.updateNode('na', shrink(2));
    expect(sim.pass()).toBe(2);
    expect(sim.task(before).desiredState).toBe('shutdown');
    const next = sim.onNode('g1', 'na');
    expect(next.id).not.toBe(before);
    // Not placed yet: the scheduler decides whether it fits, and says why not.
    expect(next.status.state).toBe('new');
    expect(sim.plan()).toEqual([]);
  });

  test('tasks that reserve nothing are never moved for resources', () => {
    const sim = new Sim();
    sim.addNode('na');
    sim.createService('s1', (s) => (s.replicas = 3));
    sim.converge();
    sim.updateNode('na', shrink(0));
    expect(sim.pass()).toBe(0);
  });
});

describe('noncompliantTasks', () => {
  const node = (id: string, o: { labels?: Record<string, string>; cpus?: number; described?: boolean; availability?: Node['spec']['availability'] } = {}): DeepReadonly<Node> => {
    const n = {
      id,
      spec: { labels: o.labels ?? {}, desiredRole: 'worker', availability: o.availability ?? 'active' },
      role: 'worker',
      status: { state: 'ready' },
      meta: { version: 1, createdAt: '2026-03-01T00:00:00.000Z', updatedAt: '2026-03-01T00:00:00.000Z' },
    } as Node;
    if (o.described !== false) {
      n.description = { hostname: id, platform: { os: 'linux', arch: 'x86_64' }, resources: { nanoCPUs: (o.cpus ?? 4) * CPU, memoryBytes: 2 ** 30 } };
    }
    return n;
  };
  const task = (id: string, nodeId: string, o: Partial<Pick<Task, 'desiredState'>> & { state?: Task['status']['state']; cpus?: number; constraints?: string[]; at?: string } = {}) =>
    ({
      id,
      serviceId: 's',
      nodeId,
      desiredState: o.desiredState ?? 'running',
      status: { state: o.state ?? 'running', timestamp: '', message: '' },
      spec: {
        placement: { constraints: o.constraints ?? [], preferences: [], maxReplicas: 0 },
        resources: { reservations: { nanoCPUs: (o.cpus ?? 0) * CPU, memoryBytes: 0 }, limits: { nanoCPUs: 0, memoryBytes: 0 } },
      },
      meta: { version: 1, createdAt: o.at ?? '2026-03-01T00:00:00.000Z', updatedAt: '' },
    }) as unknown as DeepReadonly<Task>;
  const byId = (...ns: DeepReadonly<Node>[]) => new Map(ns.map((n) => [n.id, n]));

  test('judges only tasks wanted running that reached their node', () => {
    const nodes = byId(node('na'));
    const bad = ['node.labels.zone==a'];
    const r = noncompliantTasks(
      [
        task('t1', 'na', { constraints: bad }),
        task('t2', 'na', { constraints: bad, desiredState: 'shutdown' }),
        task('t3', 'na', { constraints: bad, state: 'pending' }),
        task('t4', 'na', { constraints: bad, state: 'failed' }),
      ],
      nodes,
    );
    expect([...r]).toEqual([['t1', NO_LONGER_MEETS_CONSTRAINTS]]);
  });

  test('leaves drained, paused and down nodes to the rest of the planner, and unknown resources alone', () => {
    const t = [task('t1', 'na', { cpus: 8, constraints: ['node.labels.zone==a'] })];
    expect(noncompliantTasks(t, byId(node('na', { availability: 'pause' })))).toEqual(new Map());
    expect(noncompliantTasks(t, byId(node('na', { availability: 'drain' })))).toEqual(new Map());
    expect(noncompliantTasks([task('t1', 'na', { cpus: 8 })], byId(node('na', { described: false })))).toEqual(new Map());
    expect(noncompliantTasks([task('t1', 'na', { cpus: 8 })], byId(node('na')))).toEqual(new Map([['t1', NO_LONGER_HAS_RESOURCES]]));
  });

  test('a task moved for its constraints frees nothing; the rest are fitted oldest first', () => {
    const r = noncompliantTasks(
      [
        task('late', 'na', { cpus: 2, at: '2026-03-01T00:03:00.000Z' }),
        task('early', 'na', { cpus: 2, at: '2026-03-01T00:01:00.000Z' }),
        task('mid', 'na', { cpus: 2, at: '2026-03-01T00:02:00.000Z' }),
        task('elsewhere', 'na', { cpus: 1, constraints: ['node.labels.zone==a'] }),
      ],
      byId(node('na', { cpus: 4 })),
    );
    expect(r).toEqual(
      new Map([
        ['elsewhere', NO_LONGER_MEETS_CONSTRAINTS],
        ['late', NO_LONGER_HAS_RESOURCES],
      ]),
    );
  });

  test('resources are judged only on the nodes named, whose tasks are all given (a pass over some services)', () => {
    // All of na's tasks: the old 1-CPU one stays, the 1.5 goes, the 0.9 still fits.
    const all = [
      task('old', 'na', { cpus: 1, at: '2026-03-01T00:01:00.000Z' }),
      task('big', 'na', { cpus: 1.5, at: '2026-03-01T00:02:00.000Z' }),
      task('small', 'na', { cpus: 0.9, at: '2026-03-01T00:03:00.000Z' }),
    ];
    const nodes = byId(node('na', { cpus: 2 }));
    expect(noncompliantTasks(all, nodes, new Set(['na']))).toEqual(new Map([['big', NO_LONGER_HAS_RESOURCES]]));
    // Without 'old', na would wrongly shed 'small': a node not named is not judged on resources.
    expect(noncompliantTasks(all.slice(1), nodes, new Set(['na']))).toEqual(new Map([['small', NO_LONGER_HAS_RESOURCES]]));
    expect(noncompliantTasks(all.slice(1), nodes, new Set())).toEqual(new Map());
    // Constraints are per task, judged whatever the set.
    expect(noncompliantTasks([task('t', 'na', { constraints: ['node.labels.zone==a'] })], nodes, new Set())).toEqual(new Map([['t', NO_LONGER_MEETS_CONSTRAINTS]]));
  });
});

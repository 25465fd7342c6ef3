// Property tests: random clusters and batches, checked against the naive
// reference in fixtures.ts and against the spreading guarantees.

import fc from 'fast-check';
import { PlacedIndex, scheduleTasks, type PendingTask, type ScheduleInput, type SchedNode, type SchedPort, type SchedTask } from '../../lib/scheduler';
import { check, CPU, GIB, node, pending, perNode, replicas, running } from './fixtures';

const SERVICES = ['s0', 's1', 's2'];
const MAX_NODES = 10;
const CONSTRAINTS = [
  'node.labels.zone==a',
  'node.labels.zone!=b',
  'node.role==worker',
  'engine.labels.disk==SSD',
  'node.platform.os==linux',
  'node.hostname!=host-n1',
  'node.id!=n2',
];
const SPREADS = ['node.labels.zone', 'engine.labels.disk', 'node.role'];
const PORTS: SchedPort[][] = [
  [],
  [{ protocol: 'tcp', publishedPort: 80, publishMode: 'host' }],
  [{ protocol: 'udp', publishedPort: 80, publishMode: 'host' }],
  [{ protocol: 'tcp', publishedPort: 80, publishMode: 'ingress' }],
  [
    { protocol: 'tcp', publishedPort: 443, publishMode: 'host' },
    { protocol: 'tcp', publishedPort: 80, publishMode: 'host' },
  ],
];

const arbNodes: fc.Arbitrary<SchedNode[]> = fc
  .array(
    fc.record({
      state: fc.constantFrom('ready', 'ready', 'ready', 'down'),
      availability: fc.constantFrom('active', 'active', 'active', 'pause', 'drain'),
      role: fc.constantFrom('worker', 'worker', 'manager'),
      zone: fc.constantFrom('a', 'b', 'c', undefined),
      disk: fc.constantFrom('ssd', 'hdd', undefined),
      nanoCPUs: fc.constantFrom(0, 1 * CPU, 2 * CPU, 4 * CPU),
      memoryBytes: fc.constantFrom(0, 1 * GIB, 4 * GIB),
    }),
    { maxLength: MAX_NODES },
  )
  .map((shapes) =>
    shapes.map((s, i) =>
      node(`n${i}`, {
        state: s.state,
        availability: s.availability,
        role: s.role,
        labels: s.zone === undefined ? {} : { zone: s.zone },
        engineLabels: s.disk === undefined ? {} : { disk: s.disk },
        nanoCPUs: s.nanoCPUs,
        memoryBytes: s.memoryBytes,
      }),
    ),
  );

const arbReservations = fc.record({
  nanoCPUs: fc.constantFrom(0, 0, 0.5 * CPU, 1 * CPU),
  memoryBytes: fc.constantFrom(0, 0, 512 * 1024 ** 2, 1 * GIB),
});

const arbSpec = fc.record({
  serviceId: fc.constantFrom(...SERVICES),
  reservations: arbReservations,
  constraints: fc.subarray(CONSTRAINTS, { maxLength: 3 }),
  preferences: fc.shuffledSubarray(SPREADS, { maxLength: 2 }),
  maxReplicas: fc.integer({ min: 0, max: 3 }),
  ports: fc.constantFrom(...PORTS),
});
type Spec = typeof arbSpec extends fc.Arbitrary<infer T> ? T : never;

const task = (id: string, s: Spec, specVersion: number, nodeId?: string): PendingTask =>
  pending(id, s.serviceId, {
    specVersion,
    reservations: s.reservations,
    placement: { constraints: s.constraints, preferences: s.preferences.map((spread) => ({ spread })), maxReplicas: s.maxReplicas },
    ports: s.ports,
    ...(nodeId === undefined ? {} : { nodeId }),
  });

const arbRunning: fc.Arbitrary<SchedTask[]> = fc
  .array(
    fc.record({
      serviceId: fc.constantFrom(...SERVICES, 'other'),
      // Some land on node ids that are not in the cluster.
      node: fc.nat(MAX_NODES + 1),
      reservations: arbReservations,
      ports: fc.constantFrom(...PORTS),
      stopping: fc.boolean(),
    }),
    { maxLength: 15 },
  )
  .map((ts) => ts.map((t, i) => running(`r${i}`, t.serviceId, `n${t.node}`, { reservations: t.reservations, ports: t.ports, stopping: t.stopping })));

const arbInput: fc.Arbitrary<ScheduleInput> = fc
  .record({
    nodes: arbNodes,
    tasks: arbRunning,
    batches: fc.array(fc.record({ spec: arbSpec, count: fc.integer({ min: 0, max: 15 }) }), { maxLength: 4 }),
    pinned: fc.array(fc.record({ spec: arbSpec, node: fc.nat(MAX_NODES + 1) }), { maxLength: 4 }),
  })
  .map(({ nodes, tasks, batches, pinned }) => ({
    nodes,
    tasks,
    pending: [
      // Distinct spec versions: a batch is exactly the tasks generated together.
      ...batches.flatMap((b, j) => Array.from({ length: b.count }, (_, i) => task(`b${j}.${i}`, b.spec, j + 1))),
      ...pinned.map((p, j) => task(`p${j}`, p.spec, 100 + j, `n${p.node}`)),
    ],
  }));

/** A different listing of the same nodes and tasks: reversed, then rotated. */
function relist<T>(xs: readonly T[], by: number): T[] {
  const r = [...xs].reverse();
  const k = r.length === 0 ? 0 : by % r.length;
  return [...r.slice(k), ...r.slice(0, k)];
}

describe('properties', () => {
  test('never breaks a filter, accounts for every task, leaves one unassigned only when no node takes it, and spreads in order', () => {
    fc.assert(
      fc.property(arbInput, (input) => {
        expect(check(input, scheduleTasks(input)).problems).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  test('the result does not depend on the order nodes and running tasks are listed in', () => {
    fc.assert(
      fc.property(arbInput, fc.nat(), (input, by) => {
        const again = scheduleTasks({ ...input, nodes: relist(input.nodes, by), tasks: relist(input.tasks, by) });
        expect(again).toEqual(scheduleTasks(input));
      }),
      { numRuns: 200 },
    );
  });

  test('placed tasks grouped per node and service (as the leader keeps them from events) schedule exactly like the list', () => {
    fc.assert(
      fc.property(arbInput, arbRunning, fc.nat(), (input, gone, by) => {
        const index = new PlacedIndex();
        // Tasks that come and go before the pass, and the live ones set in another order, some twice.
        for (const t of gone) index.set(`gone-${t.id}`, t);
        for (const t of relist(input.tasks, by)) index.set(t.id, t);
        for (const t of gone) index.set(`gone-${t.id}`, undefined);
        for (const t of input.tasks.slice(0, by % 4)) index.set(t.id, t);
        expect(index.size).toBe(input.tasks.length);
        expect(scheduleTasks({ ...input, tasks: index.tasks() })).toEqual(scheduleTasks(input));
      }),
      { numRuns: 300 },
    );
  });

  test('a group counts every task it stands for: replicas, tasks, resources and ports', () => {
    const index = new PlacedIndex();
    const nodes = [node('n0', { nanoCPUs: 4 * CPU }), node('n1', { nanoCPUs: 4 * CPU })];
    const port: SchedPort[] = [{ protocol: 'tcp', publishedPort: 80, publishMode: 'host' }];
    index.set('a', running('a', 's0', 'n0', { reservations: { nanoCPUs: CPU, memoryBytes: 0 } }));
    index.set('b', running('b', 's0', 'n0', { reservations: { nanoCPUs: CPU, memoryBytes: 0 }, ports: port }));
    index.set('c', running('c', 's0', 'n1', { reservations: { nanoCPUs: CPU, memoryBytes: 0 } }));
    // n0 runs two replicas, n1 one: the next goes to n1; then n0 has 2 CPUs left and port 80 taken.
    const one = scheduleTasks({ nodes, tasks: index.tasks(), pending: [pending('p', 's0')] });
    expect(one.assignments).toEqual([{ taskId: 'p', nodeId: 'n1' }]);
    const big = scheduleTasks({ nodes, tasks: index.tasks(), pending: [pending('q', 's1', { reservations: { nanoCPUs: 3 * CPU, memoryBytes: 0 } })] });
    expect(big.assignments).toEqual([{ taskId: 'q', nodeId: 'n1' }]);
    const ported = scheduleTasks({ nodes: [nodes[0]], tasks: index.tasks(), pending: [pending('r', 's1', { ports: port })] });
    expect(ported.assignments).toEqual([]);
    index.set('b', undefined);
    const freed = scheduleTasks({ nodes: [nodes[0]], tasks: index.tasks(), pending: [pending('r', 's1', { ports: port })] });
    expect(freed.assignments).toEqual([{ taskId: 'r', nodeId: 'n0' }]);
  });

  test('on equal unconstrained nodes, replicas per node differ by at most one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 300 }), fc.array(fc.nat(39), { maxLength: 30 }), (n, k, others) => {
        const nodes = Array.from({ length: n }, (_, i) => node(`n${i}`));
        // Tasks of other services make totals unequal; they must not unbalance this one.
        const tasks = others.map((i, j) => running(`o${j}`, 'other', `n${i % n}`));
        const r = scheduleTasks({ nodes, tasks, pending: replicas(k, 'web') });
        expect(r.unassigned).toEqual([]);
        const counts = nodes.map((x) => perNode(r).get(x.id) ?? 0);
        expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
      }),
      { numRuns: 200 },
    );
  });

  test('with replicas already running, the new ones only go where the count is lowest (water-filling)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 60 }), fc.array(fc.nat(19), { maxLength: 40 }), (n, k, existing) => {
        const nodes = Array.from({ length: n }, (_, i) => node(`n${i}`));
        const tasks = existing.map((i, j) => running(`e${j}`, 'web', `n${i % n}`));
        const input = { nodes, tasks, pending: replicas(k, 'web') };
        const r = scheduleTasks(input);
        const c = check(input, r);
        expect(c.problems).toEqual([]);
        const got = perNode(r);
        const low = Math.min(...nodes.map((x) => c.replicasAfter('web', x.id)));
        for (const x of nodes) if (got.has(x.id)) expect(c.replicasAfter('web', x.id)).toBeLessThanOrEqual(low + 1);
      }),
      { numRuns: 200 },
    );
  });

  test('preferences balance replicas per label value, level by level, as far as capacity allows', () => {
    const arbCluster = fc.record({
      // Nodes per zone, and how many have no zone label.
      zones: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }),
      unlabelled: fc.integer({ min: 0, max: 3 }),
      racks: fc.array(fc.constantFrom('r1', 'r2', 'r3', undefined), { minLength: 25, maxLength: 25 }),
      maxReplicas: fc.integer({ min: 0, max: 3 }),
      k: fc.integer({ min: 0, max: 80 }),
    });
    fc.assert(
      fc.property(arbCluster, ({ zones, unlabelled, racks, maxReplicas, k }) => {
        const nodes: SchedNode[] = [];
        const add = (zone: string | undefined): void => {
          const rack = racks[nodes.length % racks.length];
          nodes.push(node(`n${nodes.length}`, { labels: { ...(zone ? { zone } : {}), ...(rack ? { rack } : {}) } }));
        };
        zones.forEach((size, z) => Array.from({ length: size }, () => add(`z${z}`)));
        for (let i = 0; i < unlabelled; i++) add(undefined);

        const placement = { constraints: [], preferences: [{ spread: 'node.labels.zone' }, { spread: 'node.labels.rack' }], maxReplicas };
        const input = { nodes, tasks: [], pending: replicas(k, 'web', { placement }) };
        const r = scheduleTasks(input);
        expect(check(input, r).problems).toEqual([]);
        const counts = perNode(r);
        const capacity = maxReplicas === 0 ? Infinity : maxReplicas * nodes.length;
        expect(r.assignments).toHaveLength(Math.min(k, capacity));

        // Groups of nodes by one label, within a set of nodes: a group more than one
        // replica behind another must be full.
        const balanced = (within: SchedNode[], label: string): void => {
          const groups = new Map<string, SchedNode[]>();
          for (const x of within) {
            const v = x.labels[label] ?? '';
            groups.set(v, [...(groups.get(v) ?? []), x]);
          }
          const sum = (g: SchedNode[]): number => g.reduce((s, x) => s + (counts.get(x.id) ?? 0), 0);
          const full = (g: SchedNode[]): boolean => maxReplicas > 0 && sum(g) === maxReplicas * g.length;
          for (const g of groups.values()) {
            for (const h of groups.values()) if (sum(g) < sum(h) - 1) expect(full(g)).toBe(true);
          }
          if (label === 'zone') for (const g of groups.values()) balanced(g, 'rack');
        };
        balanced(nodes, 'zone');
      }),
      { numRuns: 300 },
    );
  });
});

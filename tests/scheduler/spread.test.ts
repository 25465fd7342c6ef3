// How tasks are spread: node order, placement preferences (docker's own
// example among them), batches and determinism.

import { scheduleTasks, type SchedNode } from '../../lib/scheduler';
import { CPU, node, pending, perNode, replicas, running } from './fixtures';

const spreadOver = (...keys: string[]) => ({ constraints: [], preferences: keys.map((spread) => ({ spread })), maxReplicas: 0 });

function perLabel(nodes: readonly SchedNode[], counts: Map<string, number>, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of nodes) {
    const v = n.labels[label] ?? '(none)';
    out[v] = (out[v] ?? 0) + (counts.get(n.id) ?? 0);
  }
  return out;
}

describe('node order', () => {
  test('fewest replicas of the service first, then fewest tasks in all, then lowest id', () => {
    const nodes = [node('d'), node('c'), node('b'), node('a')];
    const tasks = [running('w1', 'web', 'a'), running('o1', 'other', 'b'), running('o2', 'other', 'b'), running('o3', 'other', 'c')];
    const r = scheduleTasks({ nodes, tasks, pending: replicas(4, 'web') });
    // d: 0 web, 0 tasks; c: 0 web, 1 task; b: 0 web, 2 tasks; then a (1 web, 1 task) ties d (1 web, 1 task): a's id wins.
    expect(r.assignments.map((x) => x.nodeId)).toEqual(['d', 'c', 'b', 'a']);
  });

  test('tops up the emptiest nodes before spreading evenly', () => {
    const nodes = [node('a'), node('b'), node('c')];
    const tasks = [running('1', 'web', 'a'), running('2', 'web', 'a'), running('3', 'web', 'a'), running('4', 'web', 'b')];
    const r = scheduleTasks({ nodes, tasks, pending: replicas(5, 'web') });
    // Final replicas: a 3, b 1+2, c 0+3.
    expect(perNode(r)).toEqual(new Map([['b', 2], ['c', 3]]));
  });

  test('does not depend on the order nodes and tasks are listed in', () => {
    const nodes = Array.from({ length: 7 }, (_, i) => node(`n${i}`, { labels: { zone: `z${i % 3}` } }));
    const tasks = [running('x', 'web', 'n3'), running('y', 'other', 'n1'), running('z', 'other', 'n5')];
    const input = { nodes, tasks, pending: replicas(11, 'web', { placement: spreadOver('node.labels.zone') }) };
    const a = scheduleTasks(input);
    const b = scheduleTasks({ ...input, nodes: [...nodes].reverse(), tasks: [...tasks].reverse() });
    expect(b).toEqual(a);
  });
});

describe('placement preferences', () => {
  // docker's documented example: zone east has 3 nodes, south 2, west 1.
  const zones = ['east', 'east', 'east', 'south', 'south', 'west'];
  const nodes = zones.map((zone, i) => node(`n${i}`, { labels: { zone } }));

  test("docker's example: 9 replicas over east(3 nodes), south(2), west(1) split 3/3/3", () => {
    const r = scheduleTasks({ nodes, tasks: [], pending: replicas(9, 'web', { placement: spreadOver('node.labels.zone') }) });
    expect(r.unassigned).toEqual([]);
    const counts = perNode(r);
    expect(perLabel(nodes, counts, 'zone')).toEqual({ east: 3, south: 3, west: 3 });
    // Within a zone, the usual spread.
    expect([...counts.entries()].sort()).toEqual([
      ['n0', 1],
      ['n1', 1],
      ['n2', 1],
      ['n3', 2],
      ['n4', 1],
      ['n5', 3],
    ]);
  });

  test('nodes without the label are a group of their own', () => {
    const withUnlabelled = [...nodes, node('x1'), node('x2')];
    const r = scheduleTasks({ nodes: withUnlabelled, tasks: [], pending: replicas(8, 'web', { placement: spreadOver('node.labels.zone') }) });
    expect(perLabel(withUnlabelled, perNode(r), 'zone')).toEqual({ east: 2, south: 2, west: 2, '(none)': 2 });
  });

  test('a label set to the empty string reads as a missing one', () => {
    const blank = [node('a1', { labels: { zone: 'a' } }), node('e1', { labels: { zone: '' } }), node('x1')];
    const r = scheduleTasks({ nodes: blank, tasks: [], pending: replicas(4, 'web', { placement: spreadOver('node.labels.zone') }) });
    // Two groups, not three: "a" gets 2, and e1 and x1 share the other 2.
    expect(Object.fromEntries([...perNode(r).entries()].sort())).toEqual({ a1: 2, e1: 1, x1: 1 });
  });

  test('when replicas do not divide evenly, groups earlier in value order get the extra ones', () => {
    const r = scheduleTasks({ nodes, tasks: [], pending: replicas(11, 'web', { placement: spreadOver('node.labels.zone') }) });
    expect(perLabel(nodes, perNode(r), 'zone')).toEqual({ east: 4, south: 4, west: 3 });
  });

  test('counts the replicas already in each group', () => {
    const tasks = [running('1', 'web', 'n0'), running('2', 'web', 'n1'), running('3', 'web', 'n2'), running('4', 'other', 'n5')];
    const r = scheduleTasks({ nodes, tasks, pending: replicas(6, 'web', { placement: spreadOver('node.labels.zone') }) });
    // east already has 3: the 6 new ones even out south and west at 3 each.
    expect(perLabel(nodes, perNode(r), 'zone')).toEqual({ east: 0, south: 3, west: 3 });
  });

  test('a group that is full passes its share to the others', () => {
    // west's one node has room for a single task.
    const small = nodes.map((n) => (n.labels.zone === 'west' ? { ...n, nanoCPUs: 1 * CPU } : n));
    const r = scheduleTasks({
      nodes: small,
      tasks: [],
      pending: replicas(9, 'web', { placement: spreadOver('node.labels.zone'), reservations: { nanoCPUs: 1 * CPU, memoryBytes: 0 } }),
    });
    expect(r.unassigned).toEqual([]);
    expect(perLabel(small, perNode(r), 'zone')).toEqual({ east: 4, south: 4, west: 1 });
  });

  test('a group with no usable node gets nothing, and the rest is spread over the others', () => {
    const r = scheduleTasks({
      nodes,
      tasks: [],
      pending: replicas(6, 'web', {
        placement: { constraints: ['node.labels.zone!=west'], preferences: [{ spread: 'node.labels.zone' }], maxReplicas: 0 },
      }),
    });
    expect(perLabel(nodes, perNode(r), 'zone')).toEqual({ east: 3, south: 3, west: 0 });
  });

  test('applies level by level', () => {
    const racked = [
      node('a1', { labels: { zone: 'a', rack: '1' } }),
      node('a2', { labels: { zone: 'a', rack: '1' } }),
      node('a3', { labels: { zone: 'a', rack: '2' } }),
      node('b1', { labels: { zone: 'b', rack: '1' } }),
      node('b2', { labels: { zone: 'b', rack: '1' } }),
      node('b3', { labels: { zone: 'b', rack: '1' } }),
      node('b4', { labels: { zone: 'b' } }),
    ];
    const r = scheduleTasks({ nodes: racked, tasks: [], pending: replicas(8, 'web', { placement: spreadOver('node.labels.zone', 'node.labels.rack') }) });
    const counts = perNode(r);
    // 4 per zone; in a, racks 1 and 2 get 2 each; in b, rack 1 and "no rack" get 2 each.
    expect(Object.fromEntries([...counts.entries()].sort())).toEqual({ a1: 1, a2: 1, a3: 2, b1: 1, b2: 1, b4: 2 });
  });

  test('may spread on engine labels and node attributes too', () => {
    const mixed = [
      node('m1', { role: 'manager' }),
      node('w1', { engineLabels: { disk: 'ssd' } }),
      node('w2', { engineLabels: { disk: 'ssd' } }),
      node('w3', { engineLabels: { disk: 'ssd' } }),
    ];
    const byRole = scheduleTasks({ nodes: mixed, tasks: [], pending: replicas(4, 'web', { placement: spreadOver('node.role') }) });
    expect(perNode(byRole).get('m1')).toBe(2);
    const byDisk = scheduleTasks({ nodes: mixed, tasks: [], pending: replicas(4, 'web', { placement: spreadOver('engine.labels.disk') }) });
    expect(perNode(byDisk).get('m1')).toBe(2);
  });
});

describe('batches', () => {
  test('tasks of one service and spec version are one batch; another version is its own, sharing the replica counts', () => {
    const nodes = [node('a'), node('b')];
    const v1 = replicas(3, 'web', { specVersion: 1 }, 'v1.');
    const v2 = replicas(1, 'web', { specVersion: 2, placement: { constraints: [], preferences: [], maxReplicas: 1 } }, 'v2.');
    const r = scheduleTasks({ nodes, tasks: [], pending: [v1[0], v2[0], v1[1], v1[2]] });
    // v1 goes first (its first task is listed first): a 2, b 1. v2 then finds both at its limit of 1.
    expect(perNode(r)).toEqual(new Map([['a', 2], ['b', 1]]));
    expect(r.unassigned).toEqual([{ taskId: 'v2.1', reason: 'no suitable node (max replicas per node limit exceed on 2 nodes)' }]);
  });

  test('batches take turns in the order their first task appears, and see each other\'s placements', () => {
    const r = scheduleTasks({
      nodes: [node('a'), node('b')],
      tasks: [],
      pending: [pending('one.1', 'one'), pending('two.1', 'two'), pending('one.2', 'one')],
    });
    expect(r.assignments).toEqual([
      { taskId: 'one.1', nodeId: 'a' },
      { taskId: 'one.2', nodeId: 'b' },
      // Neither node has a "two" yet and both have one task in all: the lower id wins.
      { taskId: 'two.1', nodeId: 'a' },
    ]);
  });

  test('a large batch is spread evenly and quickly', () => {
    const nodes = Array.from({ length: 1000 }, (_, i) => node(`n${String(i).padStart(4, '0')}`));
    const t0 = Date.now();
    const r = scheduleTasks({ nodes, tasks: [], pending: replicas(20_500, 'web') });
    const ms = Date.now() - t0;
    const counts = [...perNode(r).values()];
    expect(counts).toHaveLength(1000);
    expect(Math.min(...counts)).toBe(20);
    expect(Math.max(...counts)).toBe(21);
    // Generous: the benchmark does 100,000 over 5,000 nodes in well under a second.
    expect(ms).toBeLessThan(2000);
  });
});

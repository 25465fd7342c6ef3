// Each filter on its own, through scheduleTasks, and the "no suitable node"
// explanations they produce.

import { noSuitableNode, scheduleTasks, type SchedPort } from '../../lib/scheduler';
import { CPU, GIB, node, pending, perNode, replicas, running } from './fixtures';

const hostPort = (publishedPort: number, protocol: 'tcp' | 'udp' = 'tcp'): SchedPort => ({
  protocol,
  publishedPort,
  publishMode: 'host',
});

describe('ready and active', () => {
  test('only ready, active nodes get tasks', () => {
    const nodes = [
      node('down', { state: 'down' }),
      node('unknown', { state: 'unknown' }),
      node('gone', { state: 'disconnected' }),
      node('paused', { availability: 'pause' }),
      node('drained', { availability: 'drain' }),
      node('ok'),
    ];
    const r = scheduleTasks({ nodes, tasks: [], pending: replicas(4, 'web') });
    expect(perNode(r)).toEqual(new Map([['ok', 4]]));
    expect(r.unassigned).toEqual([]);
  });

  test('explains, counting nodes in the singular and the plural', () => {
    const one = scheduleTasks({ nodes: [node('a', { availability: 'drain' })], tasks: [], pending: replicas(1, 'web') });
    expect(one.unassigned).toEqual([{ taskId: 'web.1', reason: 'no suitable node (1 node not available for new tasks)' }]);
    const two = scheduleTasks({ nodes: [node('a', { state: 'down' }), node('b', { availability: 'pause' })], tasks: [], pending: replicas(2, 'web') });
    expect(two.unassigned.map((u) => u.reason)).toEqual([
      'no suitable node (2 nodes not available for new tasks)',
      'no suitable node (2 nodes not available for new tasks)',
    ]);
  });

  test('with no nodes at all the reason is plain', () => {
    const r = scheduleTasks({ nodes: [], tasks: [], pending: replicas(1, 'web') });
    expect(r.unassigned).toEqual([{ taskId: 'web.1', reason: 'no suitable node' }]);
  });
});

describe('resources', () => {
  const reservations = { nanoCPUs: 1 * CPU, memoryBytes: 1 * GIB };

  test('a node takes tasks until its CPU or its memory runs out', () => {
    const nodes = [node('cpu', { nanoCPUs: 2 * CPU, memoryBytes: 100 * GIB }), node('mem', { nanoCPUs: 100 * CPU, memoryBytes: 3 * GIB })];
    const r = scheduleTasks({ nodes, tasks: [], pending: replicas(7, 'web', { reservations }) });
    expect(perNode(r)).toEqual(new Map([['cpu', 2], ['mem', 3]]));
    expect(r.unassigned.map((u) => u.taskId)).toEqual(['web.6', 'web.7']);
    expect(r.unassigned[0].reason).toBe('no suitable node (insufficient resources on 2 nodes)');
  });

  test('what tasks already on a node reserve is not free, but a stopping task still holds its share', () => {
    const nodes = [node('a', { nanoCPUs: 4 * CPU }), node('b', { nanoCPUs: 4 * CPU })];
    const tasks = [
      running('x', 'other', 'a', { reservations: { nanoCPUs: 3 * CPU, memoryBytes: 0 } }),
      running('y', 'other', 'b', { reservations: { nanoCPUs: 2 * CPU, memoryBytes: 0 }, stopping: true }),
    ];
    const r = scheduleTasks({ nodes, tasks, pending: replicas(4, 'web', { reservations }) });
    expect(perNode(r)).toEqual(new Map([['a', 1], ['b', 2]]));
    expect(r.unassigned).toHaveLength(1);
  });

  test('a reservation that exactly fills the node fits', () => {
    const r = scheduleTasks({ nodes: [node('a', { nanoCPUs: 3 * CPU, memoryBytes: 3 * GIB })], tasks: [], pending: replicas(3, 'web', { reservations }) });
    expect(r.assignments).toHaveLength(3);
  });

  test('a task that reserves nothing goes even onto an overcommitted node', () => {
    const tasks = [running('x', 'other', 'a', { reservations: { nanoCPUs: 10 * CPU, memoryBytes: 0 } })];
    const free = scheduleTasks({ nodes: [node('a')], tasks, pending: replicas(2, 'web') });
    expect(free.assignments).toHaveLength(2);
    // One that reserves only memory is refused: like swarmkit, every resource must cover it.
    const memOnly = scheduleTasks({ nodes: [node('a')], tasks, pending: replicas(1, 'web', { reservations: { nanoCPUs: 0, memoryBytes: 1 } }) });
    expect(memOnly.unassigned[0].reason).toBe('no suitable node (insufficient resources on 1 node)');
  });

  test('tasks on nodes that are no longer in the cluster are ignored', () => {
    const tasks = [running('x', 'web', 'gone', { reservations: { nanoCPUs: 100 * CPU, memoryBytes: 0 } })];
    const r = scheduleTasks({ nodes: [node('a')], tasks, pending: replicas(1, 'web', { reservations }) });
    expect(r.assignments).toEqual([{ taskId: 'web.1', nodeId: 'a' }]);
  });
});

describe('constraints', () => {
  const nodes = [
    node('e1', { labels: { zone: 'east' } }),
    node('e2', { labels: { zone: 'EAST' }, role: 'manager' }),
    node('w1', { labels: { zone: 'west' } }),
    node('none'),
  ];

  test('tasks go only where every constraint holds', () => {
    const placement = { constraints: ['node.labels.zone==east', 'node.role!=manager'], preferences: [], maxReplicas: 0 };
    const r = scheduleTasks({ nodes, tasks: [], pending: replicas(3, 'web', { placement }) });
    expect(perNode(r)).toEqual(new Map([['e1', 3]]));
  });

  test('!= on a label also matches nodes without it', () => {
    const placement = { constraints: ['node.labels.zone!=east'], preferences: [], maxReplicas: 0 };
    const r = scheduleTasks({ nodes, tasks: [], pending: replicas(2, 'web', { placement }) });
    expect(perNode(r)).toEqual(new Map([['w1', 1], ['none', 1]]));
  });

  test('explains', () => {
    const placement = { constraints: ['node.labels.zone==north'], preferences: [], maxReplicas: 0 };
    const r = scheduleTasks({ nodes, tasks: [], pending: replicas(1, 'web', { placement }) });
    expect(r.unassigned[0].reason).toBe('no suitable node (scheduling constraints not satisfied on 4 nodes)');
  });

  test('a stored constraint that no longer parses keeps the whole batch pending, saying why', () => {
    const placement = { constraints: ['node.labels.zone=east'], preferences: [], maxReplicas: 0 };
    const r = scheduleTasks({ nodes, tasks: [], pending: replicas(2, 'web', { placement }) });
    expect(r.assignments).toEqual([]);
    expect(r.unassigned.map((u) => u.reason)).toEqual([
      'invalid constraint "node.labels.zone=east": expected KEY==VALUE or KEY!=VALUE',
      'invalid constraint "node.labels.zone=east": expected KEY==VALUE or KEY!=VALUE',
    ]);
  });
});

describe('host-mode ports', () => {
  test('one task per node per published host port and protocol', () => {
    const nodes = [node('a'), node('b'), node('c')];
    const r = scheduleTasks({ nodes, tasks: [], pending: replicas(4, 'web', { ports: [hostPort(80)] }) });
    expect(perNode(r)).toEqual(new Map([['a', 1], ['b', 1], ['c', 1]]));
    expect(r.unassigned).toEqual([{ taskId: 'web.4', reason: 'no suitable node (host-mode port already in use on 3 nodes)' }]);
  });

  test('a port held by a running task (even a stopping one) blocks the node; another protocol or port does not', () => {
    const nodes = [node('a'), node('b'), node('c'), node('d')];
    const tasks = [
      running('x', 'other', 'a', { ports: [hostPort(80)] }),
      running('y', 'other', 'b', { ports: [hostPort(80)], stopping: true }),
      running('z', 'other', 'c', { ports: [hostPort(80, 'udp'), hostPort(81)] }),
    ];
    const r = scheduleTasks({ nodes, tasks, pending: replicas(3, 'web', { ports: [hostPort(80)] }) });
    expect(perNode(r)).toEqual(new Map([['c', 1], ['d', 1]]));
    expect(r.unassigned[0].reason).toBe('no suitable node (host-mode port already in use on 4 nodes)');
  });

  test('host ports the engine picks (published 0) never conflict', () => {
    const tasks = [running('x', 'other', 'a', { ports: [hostPort(0)] })];
    const r = scheduleTasks({ nodes: [node('a')], tasks, pending: replicas(3, 'web', { ports: [hostPort(0)] }) });
    expect(perNode(r)).toEqual(new Map([['a', 3]]));
  });

  test('ingress ports hold nothing on a node: the routing mesh opens them everywhere', () => {
    const ingress: SchedPort = { protocol: 'tcp', publishedPort: 80, publishMode: 'ingress' };
    const r = scheduleTasks({ nodes: [node('a'), node('b')], tasks: [], pending: replicas(3, 'web', { ports: [ingress] }) });
    expect(perNode(r)).toEqual(new Map([['a', 2], ['b', 1]]));
    expect(r.unassigned).toHaveLength(0);
  });

  test('a later batch sees the ports an earlier one took', () => {
    const r = scheduleTasks({
      nodes: [node('a'), node('b')],
      tasks: [],
      pending: [...replicas(1, 'one', { ports: [hostPort(8080)] }), ...replicas(2, 'two', { ports: [hostPort(8080)] })],
    });
    expect(r.assignments).toEqual([
      { taskId: 'one.1', nodeId: 'a' },
      { taskId: 'two.1', nodeId: 'b' },
    ]);
    expect(r.unassigned.map((u) => u.taskId)).toEqual(['two.2']);
  });
});

describe('max replicas per node', () => {
  const placement = { constraints: [], preferences: [], maxReplicas: 2 };

  test('counts only this service\'s replicas, and not stopping ones', () => {
    const nodes = [node('a'), node('b')];
    const tasks = [
      running('x', 'web', 'a'),
      running('y', 'web', 'b', { stopping: true }),
      running('z', 'other', 'b'),
      running('w', 'other', 'b'),
    ];
    const r = scheduleTasks({ nodes, tasks, pending: replicas(5, 'web', { placement }) });
    expect(perNode(r)).toEqual(new Map([['a', 1], ['b', 2]]));
    expect(r.unassigned).toHaveLength(2);
    expect(r.unassigned[0].reason).toBe('no suitable node (max replicas per node limit exceed on 2 nodes)');
  });
});

describe('explanations', () => {
  test('count each node once, under the first filter that refuses it, most refusals first', () => {
    const nodes = [
      node('drained', { availability: 'drain', labels: { zone: 'west' } }),
      node('small', { nanoCPUs: 0, labels: { zone: 'west' } }),
      node('west', { labels: { zone: 'west' } }),
      node('port', { labels: { zone: 'east' } }),
      node('full1', { labels: { zone: 'east' } }),
      node('full2', { labels: { zone: 'east' } }),
    ];
    const tasks = [
      running('p', 'other', 'port', { ports: [hostPort(443)] }),
      running('f1', 'web', 'full1'),
      running('f2', 'web', 'full2'),
    ];
    const placement = { constraints: ['node.labels.zone==east'], preferences: [], maxReplicas: 1 };
    const r = scheduleTasks({
      nodes,
      tasks,
      pending: replicas(1, 'web', { placement, ports: [hostPort(443)], reservations: { nanoCPUs: 1, memoryBytes: 0 } }),
    });
    expect(r.unassigned).toEqual([
      {
        taskId: 'web.1',
        reason:
          'no suitable node (max replicas per node limit exceed on 2 nodes; 1 node not available for new tasks; ' +
          'insufficient resources on 1 node; scheduling constraints not satisfied on 1 node; host-mode port already in use on 1 node)',
      },
    ]);
  });

  test('describe the state after the batch took what it could', () => {
    // Two tasks fit; the third finds both nodes at their replica limit.
    const r = scheduleTasks({
      nodes: [node('a'), node('b')],
      tasks: [],
      pending: replicas(3, 'web', { placement: { constraints: [], preferences: [], maxReplicas: 1 } }),
    });
    expect(r.unassigned).toEqual([{ taskId: 'web.3', reason: 'no suitable node (max replicas per node limit exceed on 2 nodes)' }]);
  });

  test('noSuitableNode orders by count, then by pipeline order', () => {
    expect(noSuitableNode(new Map())).toBe('no suitable node');
    expect(
      noSuitableNode(
        new Map([
          ['hostPorts', 1],
          ['ready', 1],
          ['maxReplicas', 2],
        ]),
      ),
    ).toBe('no suitable node (max replicas per node limit exceed on 2 nodes; 1 node not available for new tasks; host-mode port already in use on 1 node)');
  });
});

describe('pinned tasks (global services)', () => {
  test('are placed on their node when it passes every filter, else say why', () => {
    const nodes = [node('a'), node('b', { availability: 'drain' })];
    const r = scheduleTasks({
      nodes,
      tasks: [],
      pending: [pending('g.a', 'g', { nodeId: 'a' }), pending('g.b', 'g', { nodeId: 'b' }), pending('g.c', 'g', { nodeId: 'c' })],
    });
    expect(r.assignments).toEqual([{ taskId: 'g.a', nodeId: 'a' }]);
    expect(r.unassigned).toEqual([
      { taskId: 'g.b', reason: 'no suitable node (1 node not available for new tasks)' },
      { taskId: 'g.c', reason: 'no suitable node (node c is not in the cluster)' },
    ]);
  });

  test('take their place before batches are spread', () => {
    const r = scheduleTasks({
      nodes: [node('a'), node('b')],
      tasks: [],
      // Listed after the batch, yet pinned first: the batch then avoids the port it holds.
      pending: [...replicas(1, 'web', { ports: [hostPort(80)] }), pending('g.a', 'g', { nodeId: 'a', ports: [hostPort(80)] })],
    });
    expect(r.assignments).toEqual([
      { taskId: 'g.a', nodeId: 'a' },
      { taskId: 'web.1', nodeId: 'b' },
    ]);
  });
});

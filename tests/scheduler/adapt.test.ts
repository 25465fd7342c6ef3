import type { Node } from '../../lib/api/types';
import type { Task, TaskState } from '../../lib/api/service-types';
import { fromStore, scheduleTasks } from '../../lib/scheduler';

const meta = { version: 1, createdAt: '2024-01-01T00:00:00Z', updatedAt: '2024-01-01T00:00:00Z' };

function storeNode(id: string, over: Partial<Node> = {}): Node {
  return {
    id,
    meta,
    spec: { labels: { zone: 'east' }, desiredRole: 'worker', availability: 'active' },
    role: 'worker',
    description: {
      hostname: `h-${id}`,
      platform: { os: 'linux', arch: 'x86_64' },
      resources: { nanoCPUs: 2e9, memoryBytes: 4e9 },
      engine: { version: '24.0', labels: { disk: 'ssd' } },
    },
    status: { state: 'ready' },
    ...over,
  };
}

function storeTask(id: string, state: TaskState, desiredState: TaskState, nodeId?: string): Task {
  const t: Task = {
    id,
    meta,
    serviceId: 'svc',
    serviceName: 'web',
    slot: 1,
    spec: {
      container: { image: 'busybox', env: [], labels: {}, mounts: [], stopGracePeriodMs: 10_000 },
      resources: { limits: { nanoCPUs: 0, memoryBytes: 0 }, reservations: { nanoCPUs: 1e9, memoryBytes: 0 } },
      restartPolicy: { condition: 'any', delayMs: 5_000, maxAttempts: 0, windowMs: 0 },
      placement: { constraints: ['node.labels.zone==east'], preferences: [], maxReplicas: 0 },
      forceUpdate: 0,
    },
    ports: [{ protocol: 'tcp', targetPort: 80, publishedPort: 8080, publishMode: 'host' }],
    specVersion: 7,
    desiredState,
    status: { state, timestamp: meta.createdAt, message: '' },
  };
  if (nodeId !== undefined) t.nodeId = nodeId;
  return t;
}

describe('fromStore', () => {
  test('flattens a node, reading a missing description as empty', () => {
    const { nodes } = fromStore([storeNode('a'), storeNode('b', { description: undefined, role: 'manager', status: { state: 'down' } })], []);
    expect(nodes).toEqual([
      {
        id: 'a',
        hostname: 'h-a',
        role: 'worker',
        availability: 'active',
        state: 'ready',
        os: 'linux',
        arch: 'x86_64',
        labels: { zone: 'east' },
        engineLabels: { disk: 'ssd' },
        nanoCPUs: 2e9,
        memoryBytes: 4e9,
      },
      {
        id: 'b',
        hostname: '',
        role: 'manager',
        availability: 'active',
        state: 'down',
        os: '',
        arch: '',
        labels: { zone: 'east' },
        engineLabels: {},
        nanoCPUs: 0,
        memoryBytes: 0,
      },
    ]);
  });

  test('sorts tasks into pending, placed (active or stopping) and ignored', () => {
    const tasks = [
      storeTask('new', 'new', 'running'),
      storeTask('pending', 'pending', 'running'),
      storeTask('pinned', 'pending', 'running', 'a'),
      storeTask('never', 'pending', 'shutdown'),
      storeTask('assigned', 'assigned', 'running', 'a'),
      storeTask('running', 'running', 'running', 'a'),
      storeTask('stopping', 'running', 'shutdown', 'a'),
      storeTask('done', 'complete', 'running', 'a'),
      storeTask('failed', 'failed', 'shutdown', 'a'),
      storeTask('lost', 'running', 'running'),
    ];
    const input = fromStore([storeNode('a')], tasks);
    expect(input.pending.map((t) => [t.id, t.nodeId])).toEqual([
      ['new', undefined],
      ['pending', undefined],
      ['pinned', 'a'],
    ]);
    expect(input.tasks.map((t) => [t.id, t.stopping])).toEqual([
      ['assigned', false],
      ['running', false],
      ['stopping', true],
    ]);
    expect(input.pending[0]).toMatchObject({
      serviceId: 'svc',
      specVersion: 7,
      reservations: { nanoCPUs: 1e9, memoryBytes: 0 },
      placement: { constraints: ['node.labels.zone==east'], preferences: [], maxReplicas: 0 },
    });
  });

  test('a placed task also holds the host ports the engine actually published', () => {
    const t = storeTask('r', 'running', 'running', 'a');
    t.status.ports = [{ protocol: 'tcp', targetPort: 80, publishedPort: 30001, publishMode: 'host' }];
    const [placed] = fromStore([storeNode('a')], [t]).tasks;
    expect(placed.ports.map((p) => p.publishedPort)).toEqual([8080, 30001]);
  });

  test('feeds scheduleTasks: what running tasks hold is respected', () => {
    const input = fromStore(
      [storeNode('a'), storeNode('b')],
      [storeTask('old', 'running', 'running', 'a'), storeTask('t1', 'pending', 'running'), storeTask('t2', 'pending', 'running')],
    );
    // Every task publishes host port 8080, which the running one holds on a: b takes one, the other finds no node.
    const r = scheduleTasks(input);
    expect(r.assignments).toEqual([{ taskId: 't1', nodeId: 'b' }]);
    expect(r.unassigned).toEqual([{ taskId: 't2', reason: 'no suitable node (host-mode port already in use on 2 nodes)' }]);
  });
});

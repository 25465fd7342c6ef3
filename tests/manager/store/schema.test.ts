import { Cluster, Network, Node, Service, Task } from '../../../lib/api/types';
import { ServiceSpec, TaskSpec } from '../../../lib/api/service-types';
import { OBJECT_SCHEMAS, checkStoredObject } from '../../../lib/manager/store/object-schemas';
import { canonicalJson } from '../../../lib/manager/store/canonical-json';

// One fully populated object of each type (every optional field set). If a field
// is added to lib/api/types.ts without the schema learning it, these fail.
const meta = { version: 1, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z' };
const fullNode: Required<Node> = {
  id: 'n1',
  meta,
  spec: { name: 'box', labels: { a: 'b' }, desiredRole: 'manager', availability: 'pause' },
  role: 'manager',
  description: {
    hostname: 'h',
    platform: { os: 'linux', arch: 'aarch64' },
    resources: { nanoCPUs: 1, memoryBytes: 2 },
    engine: { version: '25', labels: { c: 'd' } },
    dataPath: { addr: '10.0.0.9:4242', hostKey: 'k' },
  },
  status: { state: 'disconnected', message: 'gone', addr: '10.0.0.9' },
  managerStatus: { raftId: 7, addr: '10.0.0.9:4242' },
};
const fullCluster: Required<Cluster> = {
  id: 'c1',
  meta,
  name: 'default',
  spec: {
    dispatcherHeartbeatMs: 5000,
    taskHistoryLimit: 0,
    raft: { tickMs: 100, electionTick: 10, heartbeatTick: 1, snapshotEvery: 10000 },
    addressPool: { pools: ['100.64.0.0/10'], subnetSize: 20 },
    autolock: true,
  },
  joinTokens: { worker: 'w', manager: 'm' },
  rootCA: { certPem: 'c', keyPem: 'k', digest: 'd' },
  unlockKeys: ['SWMKEY-1-current', 'SWMKEY-1-previous'],
};
const fullUpdate = { parallelism: 1, delayMs: 0, failureAction: 'pause' as const, monitorMs: 5000, maxFailureRatio: 0.5, order: 'stop-first' as const };
const fullTaskSpec: TaskSpec = {
  container: {
    image: 'busybox',
    command: ['sh'],
    args: ['-c', 'true'],
    env: ['A=1'],
    labels: { l: 'v' },
    dir: '/tmp',
    user: 'nobody',
    hostname: 'h',
    mounts: [{ type: 'bind', source: '/a', target: '/b', readOnly: true }],
    stopGracePeriodMs: 10000,
    healthcheck: { test: ['CMD-SHELL', 'true'], intervalMs: 1, timeoutMs: 2, retries: 3, startPeriodMs: 4 },
  },
  resources: { limits: { nanoCPUs: 1, memoryBytes: 2 }, reservations: { nanoCPUs: 3, memoryBytes: 4 } },
  restartPolicy: { condition: 'on-failure', delayMs: 5000, maxAttempts: 2, windowMs: 0 },
  placement: { constraints: ['node.role==worker'], preferences: [{ spread: 'node.labels.zone' }], maxReplicas: 2 },
  forceUpdate: 1,
  networks: [{ target: 'net1', aliases: ['w'] }],
};
const port = { protocol: 'udp' as const, targetPort: 80, publishedPort: 8080, publishMode: 'host' as const };
const fullSpec: Required<ServiceSpec> = {
  name: 'web',
  labels: { a: 'b' },
  task: fullTaskSpec,
  mode: 'replicated',
  replicas: 3,
  endpoint: { mode: 'vip', ports: [port] },
  update: fullUpdate,
  rollback: fullUpdate,
  autoscale: { min: 1, max: 5, cpuPercent: 50, memoryPercent: 70, downDelayMs: 300000, upDelayMs: 0 },
};
const fullService: Required<Service> = {
  id: 's1',
  meta,
  spec: fullSpec,
  previousSpec: fullSpec,
  endpoint: { virtualIPs: [{ networkId: 'net1', addr: '10.0.1.2/24' }], ports: [port] },
  updateStatus: { state: 'rollback_paused', startedAt: '2026-01-01T00:00:00Z', completedAt: '2026-01-01T00:01:00Z', message: 'update rolled back', sinceVersion: 12 },
  autoscaleStatus: { last: { at: '2026-01-01T00:00:00Z', from: 1, to: 3, metric: 'cpu', value: 92.5, target: 50, reason: 'cpu above target' } },
};
const fullNetwork: Required<Network> = {
  id: 'net1',
  meta,
  spec: { name: 'front', labels: { a: 'b' }, driver: 'overlay', attachable: true, internal: true, ingress: false, subnet: '10.0.1.0/24' },
  subnet: '10.0.1.0/24',
};
const fullTask: Required<Task> = {
  id: 't1',
  meta,
  serviceId: 's1',
  serviceName: 'web',
  nodeId: 'n1',
  slot: 1,
  spec: fullTaskSpec,
  ports: [port],
  specVersion: 3,
  desiredState: 'running',
  status: {
    state: 'running',
    timestamp: '2026-01-01T00:00:00Z',
    startedAt: '2026-01-01T00:00:00Z',
    message: 'started',
    err: 'none',
    containerId: 'abc',
    pid: 42,
    exitCode: -1,
    ports: [port],
    addr: '172.17.0.2',
    served: [{ protocol: 'tcp', port: 80 }],
  },
  notBefore: '2026-01-01T00:00:05Z',
  restarts: ['2026-01-01T00:00:00Z'],
  networks: [{ networkId: 'net1', addresses: ['10.0.1.3/24'] }],
};

describe('object schemas match lib/api/types.ts', () => {
  test.each([
    ['node', fullNode],
    ['cluster', fullCluster],
    ['service', fullService],
    ['task', fullTask],
    ['network', fullNetwork],
  ] as const)('a full %s passes, as a draft and as stored', (kind, obj) => {
    expect(OBJECT_SCHEMAS[kind](obj, kind)).toBeUndefined();
    expect(checkStoredObject(kind, obj, kind)).toBeUndefined();
  });

  test('a stored object needs a real meta', () => {
    expect(checkStoredObject('service', { ...fullService, meta: { version: 0, createdAt: 'x', updatedAt: 'y' } }, 's')).toBe(
      's.meta.version must be a positive integer (got 0)',
    );
  });

  test('a schema does not mistake Object.prototype names for fields', () => {
    expect(OBJECT_SCHEMAS.service({ ...fullService, toString: 'x' }, 's')).toBe('s has an unknown field "toString"');
  });
});

describe('canonical JSON', () => {
  test('sorts keys at every depth, drops undefined, keeps arrays in order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[3,{"y":2,"z":1}]},"b":1}');
  });
});

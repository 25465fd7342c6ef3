import { Cluster, Node, Service, Task } from '../../../lib/api/types';
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
  },
  status: { state: 'disconnected', message: 'gone', addr: '10.0.0.9' },
  managerStatus: { raftId: 7, addr: '10.0.0.9:4242' },
};
const fullCluster: Required<Cluster> = {
  id: 'c1',
  meta,
  name: 'default',
  spec: { dispatcherHeartbeatMs: 5000, taskHistoryLimit: 0, raft: { tickMs: 100, electionTick: 10, heartbeatTick: 1, snapshotEvery: 10000 } },
  joinTokens: { worker: 'w', manager: 'm' },
  rootCA: { certPem: 'c', keyPem: 'k', digest: 'd' },
};
const fullService: Required<Service> = { id: 's1', meta, spec: { name: 'web', labels: {} } };
const fullTask: Required<Task> = {
  id: 't1',
  meta,
  serviceId: 's1',
  nodeId: 'n1',
  slot: 0,
  desiredState: 'running',
  status: { state: 'running', message: 'started' },
};

describe('object schemas match lib/api/types.ts', () => {
  test.each([
    ['node', fullNode],
    ['cluster', fullCluster],
    ['service', fullService],
    ['task', fullTask],
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

import { defaultServiceSpec, defaultTaskSpec } from '../../../lib/api/service-defaults';
import { Cluster, Node, Service, Task } from '../../../lib/api/types';
import { Action, Draft, Transaction } from '../../../lib/manager/store/transaction';

export const AT = '2026-01-02T03:04:05.000Z';
export const LATER = '2026-01-02T03:05:00.000Z';

export function node(id: string, hostname: string, over: Partial<Draft<Node>> = {}): Draft<Node> {
  return {
    id,
    spec: { labels: {}, desiredRole: 'worker', availability: 'active' },
    role: 'worker',
    description: {
      hostname,
      platform: { os: 'linux', arch: 'x86_64' },
      resources: { nanoCPUs: 2e9, memoryBytes: 4 * 2 ** 30 },
      engine: { version: '24.0.7', labels: {} },
    },
    status: { state: 'ready', addr: '10.0.0.1' },
    ...over,
  };
}

export function service(id: string, name: string): Draft<Service> {
  return { id, spec: defaultServiceSpec(name, 'busybox') };
}

export function task(id: string, serviceId: string, nodeId?: string, slot = 1): Draft<Task> {
  const t: Draft<Task> = {
    id,
    serviceId,
    serviceName: `svc-${serviceId}`,
    slot,
    spec: defaultTaskSpec('busybox'),
    ports: [],
    specVersion: 1,
    desiredState: 'running',
    status: { state: 'new', timestamp: '2026-01-01T00:00:00Z', message: 'created' },
  };
  if (nodeId) t.nodeId = nodeId;
  return t;
}

export function cluster(id: string, name = 'default'): Draft<Cluster> {
  return {
    id,
    name,
    spec: {
      dispatcherHeartbeatMs: 5000,
      taskHistoryLimit: 5,
      raft: { tickMs: 100, electionTick: 10, heartbeatTick: 1, snapshotEvery: 10000 },
    },
    joinTokens: { worker: 'SWMTKN-1-w', manager: 'SWMTKN-1-m' },
    rootCA: { certPem: '-----BEGIN CERTIFICATE-----', keyPem: '-----BEGIN PRIVATE KEY-----', digest: 'sha256:00' },
  };
}

export const tx = (...actions: Action[]): Transaction => ({ at: AT, actions });
export const txAt = (at: string, ...actions: Action[]): Transaction => ({ at, actions });
export const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));

import type { PeerCertificate } from 'tls';
import { newObjectId } from '../../lib/api/ids';
import { authorizeRaftPeer } from '../../lib/manager/raft-peer-auth';
import { MemoryStore } from '../../lib/manager/store';

const CLUSTER = 'c0ffee';

/** Only the subject is read by the checks; a real handshake adds nothing they look at. */
function cert(nodeId: string, role: 'manager' | 'worker', clusterId = CLUSTER): PeerCertificate {
  return { subject: { CN: nodeId, OU: `swarm-${role}`, O: clusterId } } as unknown as PeerCertificate;
}

describe('who may speak Raft to a manager', () => {
  const store = new MemoryStore();
  const mgr = newObjectId();
  const demoted = newObjectId();
  const at = '2026-11-26T00:00:00.000Z';
  const node = (id: string, role: 'manager' | 'worker', raftId?: number) => ({
    id,
    spec: { labels: {}, desiredRole: role, availability: 'active' as const },
    role,
    status: { state: 'ready' as const },
    ...(raftId ? { managerStatus: { raftId, addr: '127.0.0.1:1' } } : {}),
  });

  beforeAll(() => {
    const r = store.apply(1, {
      at,
      actions: [
        { op: 'create', kind: 'node', object: node(mgr, 'manager', 42) },
        { op: 'create', kind: 'node', object: node(demoted, 'worker') },
      ],
    });
    expect(r.ok).toBe(true);
  });

  test('a manager certificate whose raft id matches the store is let in', () => {
    expect(authorizeRaftPeer(store, CLUSTER, { id: 42, certificate: cert(mgr, 'manager') })).toBe(true);
  });

  test('a manager certificate claiming another raft id is refused', () => {
    expect(authorizeRaftPeer(store, CLUSTER, { id: 43, certificate: cert(mgr, 'manager') })).toMatch(/raft id 43 does not belong/);
  });

  test('a worker certificate, or none, or another cluster, is refused', () => {
    expect(authorizeRaftPeer(store, CLUSTER, { id: 42, certificate: cert(mgr, 'worker') })).not.toBe(true);
    expect(authorizeRaftPeer(store, CLUSTER, { id: 42 })).toBe('no client certificate');
    expect(authorizeRaftPeer(store, CLUSTER, { id: 42, certificate: cert(mgr, 'manager', 'other') })).not.toBe(true);
  });

  test('a demoted manager keeps a valid manager certificate but is refused by the store', () => {
    expect(authorizeRaftPeer(store, CLUSTER, { id: 7, certificate: cert(demoted, 'manager') })).toMatch(/not a manager any more/);
  });

  test('an unknown node is refused once the store holds the cluster, accepted while catching up', () => {
    const stranger = newObjectId();
    expect(authorizeRaftPeer(store, CLUSTER, { id: 9, certificate: cert(stranger, 'manager') })).toBe(true);
    const r = store.apply(2, {
      at,
      actions: [
        {
          op: 'create',
          kind: 'cluster',
          object: {
            id: CLUSTER,
            name: 'default',
            spec: { dispatcherHeartbeatMs: 5000, taskHistoryLimit: 5, raft: { tickMs: 100, electionTick: 10, heartbeatTick: 1, snapshotEvery: 10000 } },
            joinTokens: { worker: 'w', manager: 'm' },
            rootCA: { certPem: 'x', keyPem: 'y', digest: 'z' },
          },
        },
      ],
    });
    expect(r.ok).toBe(true);
    expect(authorizeRaftPeer(store, CLUSTER, { id: 9, certificate: cert(stranger, 'manager') })).toMatch(/not a manager of this cluster/);
  });
});

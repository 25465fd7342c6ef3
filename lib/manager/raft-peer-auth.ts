// Who may speak Raft to this manager: a manager certificate of this cluster
// (checked by TLS and the certificate's role) AND, as far as this manager's
// store knows, the Raft id the peer claims must be the one recorded for the
// node named in its certificate. A demoted or removed manager keeps a valid
// certificate until it expires; the store is what revokes it.

import type { PeerCertificate } from 'tls';
import { authorizePeerCertificate, identityFromPeerCertificate } from '../ca';
import { MemoryStore } from './store';

export function authorizeRaftPeer(
  store: MemoryStore | undefined,
  clusterId: string,
  peer: { id: number; certificate?: PeerCertificate },
): true | string {
  if (!peer.certificate) return 'no client certificate';
  const byCert = authorizePeerCertificate(peer.certificate, { clusterId, roles: ['manager'] });
  if (byCert !== true) return byCert;
  // Still opening its storage: only the certificate can be judged.
  if (!store) return true;
  const { nodeId } = identityFromPeerCertificate(peer.certificate);
  const node = store.get('node', nodeId);
  if (node) {
    if (node.role !== 'manager' || !node.managerStatus) return `node ${nodeId} is not a manager any more`;
    if (node.managerStatus.raftId !== peer.id) return `raft id ${peer.id} does not belong to node ${nodeId}`;
    return true;
  }
  // A manager that has not caught up yet cannot know a recent joiner; one that has, does.
  return store.get('cluster', clusterId) ? `node ${nodeId} is not a manager of this cluster (removed?)` : true;
}

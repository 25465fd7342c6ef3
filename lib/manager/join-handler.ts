// The manager's side of `swarm join`: check the token against the current
// ones, sign a certificate for an identity the manager chooses, and record
// the node. Any manager can do it (the CA key is replicated; the write is
// forwarded to the leader); a joining manager's Raft membership is then
// added by the leader's membership loop.

import { Node, NodeRole } from '../api/types';
import { newObjectId, newRaftId } from '../api/ids';
import { roleForJoinToken, signNodeCertificate } from '../ca';
import { JoinRefused, JoinRequest, JoinResponse, ManagerInfo } from '../net';
import { ManagerError } from './errors';
import { Manager } from './manager';
import { autolockKey } from './dispatcher/role-changes';
import { Draft } from './store/transaction';

export function makeJoinHandler(m: Manager, clusterId: string): (req: JoinRequest) => Promise<JoinResponse> {
  return async (req) => {
    try {
      await m.syncRead();
    } catch (e) {
      throw new JoinRefused(503, e instanceof Error ? e.message : String(e));
    }
    const cluster = m.store.get('cluster', clusterId);
    if (!cluster) throw new JoinRefused(503, 'this manager has not finished creating the swarm; retry in a moment');
    const role = roleForJoinToken(req.token, cluster.joinTokens);
    if (!role) {
      throw new JoinRefused(401, 'the join token is not valid for this swarm (it may have been rotated); get the current one with swarm join-token');
    }
    const nodeId = newObjectId();
    const raftId = role === 'manager' ? newRaftId() : undefined;
    const certPem = await signNodeCertificate({ ca: cluster.rootCA, csrPem: req.csrPem, nodeId, role, clusterId });
    try {
      await m.write([{ op: 'create', kind: 'node', object: joinedNodeDraft(nodeId, role, req, raftId) }]);
    } catch (e) {
      const status = e instanceof ManagerError && e.code === 'NoQuorum' ? 503 : 500;
      throw new JoinRefused(status, e instanceof Error ? e.message : String(e));
    }
    return {
      nodeId,
      role,
      certPem,
      caCertPem: cluster.rootCA.certPem,
      clusterId,
      managers: managersOf(m),
      raftId,
      raft: role === 'manager' ? { ...cluster.spec.raft } : undefined,
      ...(role === 'manager' ? autolockKey(cluster) : {}),
    };
  };
}

function joinedNodeDraft(nodeId: string, role: NodeRole, req: JoinRequest, raftId: number | undefined): Draft<Node> {
  const host = req.advertiseAddr.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return {
    id: nodeId,
    spec: { labels: {}, desiredRole: role, availability: req.availability ?? 'active' },
    role,
    // Until its agent registers, the node is known only by the name it gave.
    status: { state: 'unknown', addr: host, message: `joined as ${req.hostname}` },
    ...(raftId !== undefined ? { managerStatus: { raftId, addr: req.advertiseAddr } } : {}),
  };
}

export function managersOf(m: Manager): ManagerInfo[] {
  return m.store
    .list('node')
    .filter((n) => n.role === 'manager' && n.managerStatus)
    .map((n) => ({ nodeId: n.id, addr: n.managerStatus?.addr ?? '', raftId: n.managerStatus?.raftId }));
}

// `swarm init` on the first manager: a new cluster id, its root CA and join
// tokens, and this node's own manager certificate. Everything here happens
// before Raft starts; the cluster and node objects are committed once the
// one-member Raft has elected itself.

import { Cluster, ClusterSpec, Node, NodeAvailability, NodeDescription } from '../api/types';
import { newObjectId, newRaftId } from '../api/ids';
import { createCSR, createNodeKey, createRootCA, generateJoinTokens, generateUnlockKey, signNodeCertificate } from '../ca';
import { DEFAULT_CLUSTER_SPEC } from '../api/cluster-defaults';
import { Draft } from './store/transaction';

export { DEFAULT_CLUSTER_SPEC };

export interface NewCluster {
  clusterId: string;
  nodeId: string;
  raftId: number;
  cluster: Draft<Cluster>;
  keyPem: string;
  certPem: string;
  caCertPem: string;
}

export async function createCluster(spec: ClusterSpec): Promise<NewCluster> {
  const clusterId = newObjectId();
  const nodeId = newObjectId();
  const ca = await createRootCA({ clusterId });
  const key = await createNodeKey();
  const certPem = await signNodeCertificate({
    ca,
    csrPem: await createCSR(key, { nodeId }),
    nodeId,
    role: 'manager',
    clusterId,
  });
  return {
    clusterId,
    nodeId,
    raftId: newRaftId(),
    cluster: {
      id: clusterId,
      name: 'default',
      spec,
      joinTokens: generateJoinTokens(ca.digest),
      rootCA: { certPem: ca.certPem, keyPem: ca.keyPem, digest: ca.digest },
      ...(spec.autolock ? { unlockKeys: [generateUnlockKey()] } : {}),
    },
    keyPem: key.keyPem,
    certPem,
    caCertPem: ca.certPem,
  };
}

export function managerNodeDraft(o: {
  nodeId: string;
  raftId: number;
  addr: string;
  availability: NodeAvailability;
  description: NodeDescription;
}): Draft<Node> {
  return {
    id: o.nodeId,
    spec: { labels: {}, desiredRole: 'manager', availability: o.availability },
    role: 'manager',
    description: o.description,
    status: { state: 'ready', addr: o.addr.replace(/:\d+$/, '') },
    managerStatus: { raftId: o.raftId, addr: o.addr },
  };
}

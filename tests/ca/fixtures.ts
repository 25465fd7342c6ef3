// Shared set-up for the CA tests: a cluster CA and node credentials signed by it.

import { NodeRole, RootCA, createCSR, createNodeKey, createRootCA, signNodeCertificate } from '../../lib/ca';

export interface NodeCreds {
  keyPem: string;
  certPem: string;
}

export async function issueNode(ca: RootCA, clusterId: string, nodeId: string, role: NodeRole): Promise<NodeCreds> {
  const key = await createNodeKey();
  const csrPem = await createCSR(key);
  const certPem = await signNodeCertificate({ ca, csrPem, nodeId, role, clusterId });
  return { keyPem: key.keyPem, certPem };
}

export async function newCluster(clusterId: string): Promise<RootCA> {
  return createRootCA({ clusterId });
}

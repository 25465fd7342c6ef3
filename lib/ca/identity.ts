// Who a certificate says a node is, and the naming rules those values must follow.

import { CertificateError } from './errors';

export type NodeRole = 'manager' | 'worker';

/** The OU values swarmkit uses; the OU is what grants a role. */
export const ROLE_OU: Readonly<Record<NodeRole, string>> = {
  manager: 'swarm-manager',
  worker: 'swarm-worker',
};

/**
 * OU (and CN) of a dashboard's HTTPS certificate. No node has this role: peer
 * authentication names it when it refuses one, so a leaked dashboard key is
 * never a cluster credential.
 */
export const DASHBOARD_OU = 'swarm-dashboard';
export const DASHBOARD_REFUSED = "a dashboard's HTTPS certificate is not a node's: refused";

/** CN of the root CA, and the extra DNS name managers carry (they serve the CA endpoint). */
export const CA_NAME = 'swarm-ca';

export interface NodeIdentity {
  nodeId: string;
  role: NodeRole;
  clusterId: string;
}

export function roleFromOU(ou: string): NodeRole | undefined {
  if (ou === ROLE_OU.manager) return 'manager';
  if (ou === ROLE_OU.worker) return 'worker';
  return undefined;
}

// The node id also goes into a DNS subjectAltName so TLS hostname checks can
// target it, hence one DNS label (letters, digits, inner hyphens, at most 63).
const NODE_ID = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
// Plain characters only: the cluster id ends up in a DN and in log lines.
const CLUSTER_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function assertNodeId(nodeId: string): void {
  if (!NODE_ID.test(nodeId)) {
    throw new CertificateError(`invalid node id ${JSON.stringify(nodeId)}: must be a DNS label (letters, digits, inner hyphens, 1-63 characters)`);
  }
  if (nodeId === ROLE_OU.manager || nodeId === ROLE_OU.worker || nodeId === CA_NAME || nodeId === DASHBOARD_OU) {
    // Would let a node's own DNS name double as a role name in hostname checks.
    throw new CertificateError(`invalid node id ${JSON.stringify(nodeId)}: reserved name`);
  }
}

export function assertClusterId(clusterId: string): void {
  if (!CLUSTER_ID.test(clusterId)) {
    throw new CertificateError(`invalid cluster id ${JSON.stringify(clusterId)}: 1-64 characters of letters, digits, '.', '_' or '-'`);
  }
}

export function assertRole(role: string): asserts role is NodeRole {
  if (role !== 'manager' && role !== 'worker') {
    throw new CertificateError(`invalid role ${JSON.stringify(role)}: must be 'manager' or 'worker'`);
  }
}

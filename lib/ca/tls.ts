// Mutual TLS between nodes with the cluster's certificates, and reading a
// verified peer certificate back into an identity.
//
// How to verify a peer:
// - Server side: nodeTlsOptions sets requestCert + rejectUnauthorized, so the
//   handshake fails without a certificate signed by the cluster CA. Then ask
//   identityFromPeerCertificate(socket.getPeerCertificate()) who it is, or use
//   authorizePeerCertificate to require a role (e.g. manager for Raft).
// - Client side: node certificates carry DNS names, never IP addresses, so
//   Node's default hostname check against "127.0.0.1" fails. Either set
//   `servername: 'swarm-manager'` (any manager of a cluster whose CA we trust;
//   use the node id to reach one particular node), or pass
//   `checkServerIdentity: expectServer({ role, nodeId, clusterId })`, which also
//   checks the cluster and works whatever address was dialled.

import type { PeerCertificate } from 'tls';
import { CertificateError } from './errors';
import { DASHBOARD_OU, DASHBOARD_REFUSED, NodeIdentity, NodeRole, roleFromOU } from './identity';

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

export interface NodeTlsOptions {
  key: string;
  cert: string;
  ca: string;
  requestCert: true;
  rejectUnauthorized: true;
  minVersion: 'TLSv1.2';
}

/**
 * Options for tls.createServer / tls.connect / https, and a valid
 * TransportTlsOptions for the Raft transport. Only the cluster CA is trusted,
 * never the system roots.
 */
export function nodeTlsOptions(o: { keyPem: string; certPem: string; caCertPem: string }): NodeTlsOptions {
  return { key: o.keyPem, cert: o.certPem, ca: o.caCertPem, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2' };
}

/**
 * The identity in a peer certificate from getPeerCertificate(). Only meaningful
 * once the handshake verified the chain (socket.authorized), which
 * nodeTlsOptions enforces. Throws CertificateError when there is no
 * certificate or its subject is not one this CA issues.
 */
export function identityFromPeerCertificate(cert: PeerCertificate | null | undefined): NodeIdentity {
  // getPeerCertificate() returns {} (not null) when the peer sent nothing.
  if (!cert || !cert.subject || Object.keys(cert).length === 0) throw new CertificateError('peer presented no certificate');
  const nodeId = single(cert.subject, 'CN', 'CN (node id)');
  const ou = single(cert.subject, 'OU', 'OU (role)');
  const clusterId = single(cert.subject, 'O', 'O (cluster id)');
  if (ou === DASHBOARD_OU) throw new CertificateError(DASHBOARD_REFUSED);
  // Every node certificate is both; anything narrower was not made for a node.
  // (Node fills ext_key_usage only when the extension is there; ours always has it.)
  const eku = cert.ext_key_usage;
  if (Array.isArray(eku) && !(eku.includes(SERVER_AUTH) && eku.includes(CLIENT_AUTH))) {
    throw new CertificateError('peer certificate: not a node certificate (its extended key usage lacks serverAuth or clientAuth)');
  }
  const role = roleFromOU(ou);
  if (!role) throw new CertificateError(`peer certificate: OU ${JSON.stringify(ou)} is not swarm-manager or swarm-worker`);
  return { nodeId, role, clusterId };
}

// Node gives a string for one value and an array for repeated attributes;
// a repeated CN/OU/O is ambiguous, so it is refused.
function single(subject: PeerCertificate['subject'], key: 'CN' | 'OU' | 'O', label: string): string {
  const v: unknown = (subject as unknown as Record<string, unknown>)[key];
  if (typeof v !== 'string' || v === '') {
    const n = Array.isArray(v) ? v.length : 0;
    throw new CertificateError(`peer certificate: subject must have exactly one ${label}, found ${n}`);
  }
  return v;
}

export interface PeerRequirement {
  clusterId: string;
  /** Roles allowed; e.g. ['manager'] for Raft and the control API. */
  roles: readonly NodeRole[];
  /** When the caller knows which node it expects. */
  nodeId?: string;
}

/** true, or the reason to refuse: the shape of the Raft transport's authorizePeer verdict. */
export function authorizePeerCertificate(cert: PeerCertificate | null | undefined, req: PeerRequirement): true | string {
  let id: NodeIdentity;
  try {
    id = identityFromPeerCertificate(cert);
  } catch (err) {
    return (err as Error).message;
  }
  if (id.clusterId !== req.clusterId) return `peer ${id.nodeId} belongs to cluster ${id.clusterId}, not ${req.clusterId}`;
  if (!req.roles.includes(id.role)) return `peer ${id.nodeId} is a ${id.role}; only ${req.roles.join(' or ')} allowed`;
  if (req.nodeId !== undefined && id.nodeId !== req.nodeId) return `peer is ${id.nodeId}, expected ${req.nodeId}`;
  return true;
}

/**
 * A tls checkServerIdentity that checks the server's certificate subject
 * instead of its host name. The chain was already verified against the CA
 * by the time Node calls it.
 */
export function expectServer(req: PeerRequirement): (hostname: string, cert: PeerCertificate) => Error | undefined {
  return (_hostname, cert) => {
    const verdict = authorizePeerCertificate(cert, req);
    return verdict === true ? undefined : new CertificateError(verdict);
  };
}

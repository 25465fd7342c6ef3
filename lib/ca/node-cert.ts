// Reading and checking node certificates.

import { createHash } from 'crypto';
import { CertificateError } from './errors';
import { DASHBOARD_OU, DASHBOARD_REFUSED, NodeIdentity, roleFromOU } from './identity';
import { leafCertificateDer, singleCertificateDer } from './pem';
import { x509 } from './x509';

export interface NodeCertificateInfo extends NodeIdentity {
  notBefore: Date;
  notAfter: Date;
  /** SHA-256 of the DER, "AB:CD:…", the format of Node's PeerCertificate.fingerprint256. */
  fingerprint: string;
}

/** Reads the identity fields of a node certificate (the first one in the PEM). Does not check who signed it. */
export function parseNodeCertificate(pem: string): NodeCertificateInfo {
  const der = leafCertificateDer(pem, 'node certificate');
  const cert = parseDer(der, 'node certificate');
  return { ...identityFromName(cert.subjectName), notBefore: cert.notBefore, notAfter: cert.notAfter, fingerprint: fingerprint256(der) };
}

/**
 * Checks that `pem` was signed by the CA in `caCertPem` and is valid at `now`,
 * then returns what it says. Throws CertificateError naming the failed check.
 */
export async function verifyNodeCertificate(pem: string, caCertPem: string, now: Date = new Date()): Promise<NodeCertificateInfo> {
  const ca = parseDer(singleCertificateDer(caCertPem, 'CA certificate'), 'CA certificate');
  const info = parseNodeCertificate(pem);
  const cert = parseDer(leafCertificateDer(pem, 'node certificate'), 'node certificate');

  const caBasic = ca.getExtension(x509.BasicConstraintsExtension);
  if (!caBasic?.ca) throw new CertificateError('CA certificate: not a CA (basicConstraints CA is not set)');
  checkWindow(ca, now, 'CA certificate');
  if (cert.issuer !== ca.subject) {
    throw new CertificateError(`node certificate: issued by "${cert.issuer}", not by this CA ("${ca.subject}")`);
  }
  const signed = await cert.verify({ publicKey: ca.publicKey, signatureOnly: true });
  if (!signed) throw new CertificateError('node certificate: signature does not verify with this CA\'s key');
  checkWindow(cert, now, 'node certificate');
  const caCluster = ca.subjectName.getField('O');
  if (caCluster.length !== 1 || caCluster[0] !== info.clusterId) {
    throw new CertificateError(`node certificate: cluster ${JSON.stringify(info.clusterId)} differs from the CA's`);
  }
  return info;
}

function checkWindow(cert: x509.X509Certificate, now: Date, what: string): void {
  if (now < cert.notBefore) throw new CertificateError(`${what}: not valid before ${cert.notBefore.toISOString()}`);
  if (now > cert.notAfter) throw new CertificateError(`${what}: expired at ${cert.notAfter.toISOString()}`);
}

function parseDer(der: Buffer, what: string): x509.X509Certificate {
  try {
    return new x509.X509Certificate(der);
  } catch (err) {
    throw new CertificateError(`${what}: malformed (${(err as Error).message})`);
  }
}

/** Exactly one CN, one OU naming a role, one O: anything else is not a certificate we issued. */
function identityFromName(name: x509.Name): NodeIdentity {
  const one = (field: string, label: string): string => {
    const v = name.getField(field);
    if (v.length !== 1 || v[0] === '') throw new CertificateError(`node certificate: subject must have exactly one ${label}, found ${v.length}`);
    return v[0];
  };
  const nodeId = one('CN', 'CN (node id)');
  const ou = one('OU', 'OU (role)');
  const clusterId = one('O', 'O (cluster id)');
  if (ou === DASHBOARD_OU) throw new CertificateError(`node certificate: ${DASHBOARD_REFUSED}`);
  const role = roleFromOU(ou);
  if (!role) throw new CertificateError(`node certificate: OU ${JSON.stringify(ou)} is not swarm-manager or swarm-worker`);
  return { nodeId, role, clusterId };
}

export function fingerprint256(der: Buffer): string {
  return (createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g) ?? []).join(':');
}

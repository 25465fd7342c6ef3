// The dashboard's HTTPS certificate: signed by the cluster's root CA so an
// operator trusts one CA for every dashboard, but shaped so it can never pass
// for a node. Node certificates carry a node id and a role OU and are both
// client and server certificates inside the cluster; this one has neither id
// nor role (OU swarm-dashboard, which peer authentication refuses by name),
// is serverAuth only (no TLS server of the cluster accepts it from a client),
// names only the dashboard's address and loopback (never swarm-manager or a
// node id), and lives 30 days.

import { randomSerialHex } from './digest';
import { CertificateError } from './errors';
import { CA_NAME, DASHBOARD_OU, ROLE_OU, assertClusterId } from './identity';
import { derToPem } from './pem';
import { BACKDATE_MS } from './root-ca';
import { altNames, checkedCsr, clusterSigner } from './sign';
import { SIGNING_ALG, x509 } from './x509';

export interface SignDashboardCertificateOptions {
  ca: { certPem: string; keyPem: string };
  csrPem: string;
  clusterId: string;
  /** Where the dashboard is reached: IP addresses or DNS names. Loopback is always added. */
  hosts: string[];
  /** Default 30. */
  validityDays?: number;
  /** Start of validity, for tests; back-dated one hour like node certificates. */
  now?: Date;
}

export const DASHBOARD_CERT_DAYS = 30;
const MAX_HOSTS = 16;
const LOOPBACK = ['127.0.0.1', '::1', 'localhost'];
/** Names that mean a node (or the CA) to clients that check host names: never on a dashboard. */
const RESERVED = new Set([ROLE_OU.manager, ROLE_OU.worker, CA_NAME, DASHBOARD_OU]);

/** PEM of the dashboard certificate alone; its issuer is the cluster CA. */
export async function signDashboardCertificate(opts: SignDashboardCertificateOptions): Promise<string> {
  const { clusterId, validityDays = DASHBOARD_CERT_DAYS } = opts;
  assertClusterId(clusterId);
  if (!(validityDays > 0 && validityDays <= 90)) throw new RangeError(`validityDays must be in (0, 90], got ${validityDays}`);
  const hosts = checkHosts(opts.hosts);
  const { caCert, signingKey } = await clusterSigner(opts.ca, clusterId);
  const csr = await checkedCsr(opts.csrPem);

  const now = opts.now ?? new Date();
  const caSki = caCert.getExtension(x509.SubjectKeyIdentifierExtension);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialHex(),
    subject: [{ CN: [DASHBOARD_OU] }, { OU: [DASHBOARD_OU] }, { O: [clusterId] }],
    issuer: caCert.subjectName,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(now.getTime() + validityDays * 86_400_000),
    publicKey: csr.publicKey,
    signingKey,
    signingAlgorithm: SIGNING_ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(altNames([...hosts, ...LOOPBACK])),
      await x509.SubjectKeyIdentifierExtension.create(csr.publicKey),
      ...(caSki ? [new x509.AuthorityKeyIdentifierExtension(caSki.keyId)] : []),
    ],
  });
  return derToPem(cert.rawData, 'CERTIFICATE');
}

function checkHosts(hosts: unknown): string[] {
  if (!Array.isArray(hosts) || hosts.length === 0) throw new CertificateError('dashboard certificate: give the address it is served on (hosts)');
  if (hosts.length > MAX_HOSTS) throw new CertificateError(`dashboard certificate: at most ${MAX_HOSTS} hosts, got ${hosts.length}`);
  return hosts.map((h: unknown) => {
    if (typeof h !== 'string' || h === '') throw new CertificateError('dashboard certificate: each host must be a non-empty string');
    // A wildcard would let a leaked key serve any name under it.
    if (h.includes('*')) throw new CertificateError(`dashboard certificate: ${JSON.stringify(h)}: wildcards are not allowed`);
    if (RESERVED.has(h.toLowerCase())) throw new CertificateError(`dashboard certificate: ${JSON.stringify(h)} is a name reserved for the cluster's nodes`);
    return h.replace(/^\[(.*)\]$/, '$1');
  });
}

// A manager turns a node's CSR into its certificate. Only the CSR's public key
// is used; identity, role and cluster come from the manager (swarmkit's
// CSRWhitelist keeps only the key fields too).

import { createPublicKey, webcrypto } from 'crypto';
import { randomSerialHex } from './digest';
import { CertificateError } from './errors';
import { CA_NAME, NodeRole, ROLE_OU, assertClusterId, assertNodeId, assertRole } from './identity';
import { derToPem, isP256, privateKeyFromPem, pkcs8Der, singleCertificateDer, spkiDerOfPrivate } from './pem';
import { BACKDATE_MS } from './root-ca';
import { EC_ALG, SIGNING_ALG, subtle, x509 } from './x509';

export interface SignNodeCertificateOptions {
  ca: { certPem: string; keyPem: string };
  csrPem: string;
  nodeId: string;
  role: NodeRole;
  clusterId: string;
  /** Default 2160 (90 days), swarmkit's DefaultNodeCertExpiration. */
  validityHours?: number;
  /** Extra subjectAltNames: DNS names, or IP addresses (recognised by their syntax). */
  sans?: string[];
  /** Start of validity, for tests; back-dated one hour like the CA. */
  now?: Date;
}

/** The DNS names every node certificate carries: its role name, its id, and swarm-ca for managers (they serve the CA). */
export function roleDnsNames(nodeId: string, role: NodeRole): string[] {
  const names = [ROLE_OU[role], nodeId];
  if (role === 'manager') names.push(CA_NAME);
  return names;
}

/** PEM of the node certificate alone; the CA certificate is distributed separately. */
export async function signNodeCertificate(opts: SignNodeCertificateOptions): Promise<string> {
  const { nodeId, role, clusterId, validityHours = 2160, sans = [] } = opts;
  assertNodeId(nodeId);
  assertRole(role);
  assertClusterId(clusterId);
  if (!(validityHours > 0)) throw new RangeError(`validityHours must be positive, got ${validityHours}`);

  const { caCert, signingKey } = await clusterSigner(opts.ca, clusterId);
  const csr = await checkedCsr(opts.csrPem);

  const now = opts.now ?? new Date();
  const notBefore = new Date(now.getTime() - BACKDATE_MS);
  const notAfter = new Date(now.getTime() + validityHours * 3600 * 1000);
  const caSki = caCert.getExtension(x509.SubjectKeyIdentifierExtension);

  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialHex(),
    subject: [{ CN: [nodeId] }, { OU: [ROLE_OU[role]] }, { O: [clusterId] }],
    issuer: caCert.subjectName,
    notBefore,
    notAfter,
    publicKey: csr.publicKey,
    signingKey,
    signingAlgorithm: SIGNING_ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension(altNames([...roleDnsNames(nodeId, role), ...sans])),
      await x509.SubjectKeyIdentifierExtension.create(csr.publicKey),
      ...(caSki ? [new x509.AuthorityKeyIdentifierExtension(caSki.keyId)] : []),
    ],
  });
  return derToPem(cert.rawData, 'CERTIFICATE');
}

// The CA's certificate and key are the same for every node a manager signs
// for: parsed and imported once, not per join (at a thousand joins, parsing
// them again was a tenth of the leader's time). One entry: a CA changes rarely.
let parsedCa: { certPem: string; cert: x509.X509Certificate } | undefined;
let importedKey: { certPem: string; keyPem: string; key: Promise<webcrypto.CryptoKey> } | undefined;

/** The CA's certificate and signing key, once the CA is known to be this cluster's. */
export async function clusterSigner(
  ca: { certPem: string; keyPem: string },
  clusterId: string,
): Promise<{ caCert: x509.X509Certificate; signingKey: webcrypto.CryptoKey }> {
  const caCert = caCertificate(ca.certPem);
  const caCluster = caCert.subjectName.getField('O');
  if (caCluster.length !== 1 || caCluster[0] !== clusterId) {
    throw new CertificateError(`CA certificate belongs to cluster ${JSON.stringify(caCluster.join(','))}, not ${JSON.stringify(clusterId)}`);
  }
  return { caCert, signingKey: await caSigningKey(ca, caCert) };
}

function caCertificate(certPem: string): x509.X509Certificate {
  if (parsedCa?.certPem !== certPem) parsedCa = { certPem, cert: new x509.X509Certificate(singleCertificateDer(certPem, 'CA certificate')) };
  return parsedCa.cert;
}

function caSigningKey(ca: { certPem: string; keyPem: string }, caCert: x509.X509Certificate): Promise<webcrypto.CryptoKey> {
  if (importedKey?.certPem === ca.certPem && importedKey.keyPem === ca.keyPem) return importedKey.key;
  const caKey = privateKeyFromPem(ca.keyPem, 'CA key');
  if (!spkiDerOfPrivate(caKey).equals(Buffer.from(caCert.publicKey.rawData))) {
    throw new CertificateError('CA key does not match the CA certificate');
  }
  const key = subtle.importKey('pkcs8', pkcs8Der(caKey), EC_ALG, false, ['sign']);
  const entry = { certPem: ca.certPem, keyPem: ca.keyPem, key };
  importedKey = entry;
  // A failed import is not kept.
  key.catch(() => {
    if (importedKey === entry) importedKey = undefined;
  });
  return key;
}

/** The request, once its self-signature and P-256 key are checked: only its public key is ever used. */
export async function checkedCsr(pem: string): Promise<x509.Pkcs10CertificateRequest> {
  const csr = parseCsr(pem);
  if (!(await csr.verify())) throw new CertificateError('certificate request: signature does not verify (not signed by its own key)');
  const csrKey = createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: 'der', type: 'spki' });
  if (!isP256(csrKey)) throw new CertificateError('certificate request: key must be ECDSA P-256');
  return csr;
}

function parseCsr(pem: string): x509.Pkcs10CertificateRequest {
  if (!/-----BEGIN CERTIFICATE REQUEST-----/.test(pem)) {
    throw new CertificateError('certificate request: no PEM CERTIFICATE REQUEST block found');
  }
  try {
    return new x509.Pkcs10CertificateRequest(pem);
  } catch (err) {
    throw new CertificateError(`certificate request: malformed (${(err as Error).message})`);
  }
}

const IPV4 = /^(\d{1,3})(\.\d{1,3}){3}$/;

export function altNames(names: string[]): x509.JsonGeneralName[] {
  const seen = new Set<string>();
  const out: x509.JsonGeneralName[] = [];
  for (const n of names) {
    if (seen.has(n)) continue;
    seen.add(n);
    if (IPV4.test(n) || n.includes(':')) out.push({ type: 'ip', value: n });
    else if (/^[A-Za-z0-9*]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(n)) out.push({ type: 'dns', value: n });
    else throw new CertificateError(`subjectAltName ${JSON.stringify(n)} is neither a DNS name nor an IP address`);
  }
  return out;
}

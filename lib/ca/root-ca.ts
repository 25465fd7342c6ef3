// `swarm init`: the cluster's self-signed root CA.

import { KeyObject } from 'crypto';
import { caDigest, randomSerialHex } from './digest';
import { CA_NAME, assertClusterId } from './identity';
import { derToPem } from './pem';
import { EC_ALG, SIGNING_ALG, subtle, x509 } from './x509';

export interface RootCA {
  certPem: string;
  /** PKCS#8 PEM, unencrypted: whoever stores it (the raft store) must protect it. */
  keyPem: string;
  /** The token's CA digest, see caDigest. */
  digest: string;
}

export interface CreateRootCAOptions {
  clusterId: string;
  /** Default 20, like swarmkit's RootCAExpiration. */
  validityYears?: number;
  /** Start of validity, for tests; the certificate is back-dated one hour from it. */
  now?: Date;
}

/** How far certificates are back-dated, as swarmkit does, so small clock skew between nodes does not break joins. */
export const BACKDATE_MS = 60 * 60 * 1000;

export async function createRootCA(opts: CreateRootCAOptions): Promise<RootCA> {
  const { clusterId, validityYears = 20 } = opts;
  assertClusterId(clusterId);
  if (!(validityYears > 0)) throw new RangeError(`validityYears must be positive, got ${validityYears}`);
  const now = opts.now ?? new Date();
  const notBefore = new Date(now.getTime() - BACKDATE_MS);
  const notAfter = new Date(now.getTime());
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + validityYears);

  const keys = await subtle.generateKey(EC_ALG, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialHex(),
    name: [{ CN: [CA_NAME] }, { O: [clusterId] }],
    notBefore,
    notAfter,
    keys,
    signingAlgorithm: SIGNING_ALG,
    extensions: [
      // pathLength 0: the root signs node certificates only, never another CA.
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const certPem = derToPem(cert.rawData, 'CERTIFICATE');
  const keyPem = KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' }) as string;
  return { certPem, keyPem, digest: caDigest(certPem) };
}

// A node's own key pair and the certificate request it sends with the join token.

import { KeyObject, createPublicKey, webcrypto } from 'crypto';
import { CertificateError } from './errors';
import { assertNodeId } from './identity';
import { isP256, pkcs8Der, privateKeyFromPem } from './pem';
import { EC_ALG, SIGNING_ALG, subtle, x509 } from './x509';

export interface NodeKey {
  privateKey: webcrypto.CryptoKey;
  publicKey: webcrypto.CryptoKey;
  /** PKCS#8 PEM of the private key; it never leaves the node. */
  keyPem: string;
}

export async function createNodeKey(): Promise<NodeKey> {
  const { privateKey, publicKey } = await subtle.generateKey(EC_ALG, true, ['sign', 'verify']);
  const keyPem = KeyObject.from(privateKey).export({ type: 'pkcs8', format: 'pem' }) as string;
  return { privateKey, publicKey, keyPem };
}

/** A node key read back from its PEM, e.g. to request a renewed certificate. */
export async function loadNodeKey(keyPem: string): Promise<NodeKey> {
  const key = privateKeyFromPem(keyPem, 'node key');
  if (!isP256(key)) throw new CertificateError('node key: must be an ECDSA P-256 key');
  const privateKey = await subtle.importKey('pkcs8', pkcs8Der(key), EC_ALG, true, ['sign']);
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const publicKey = await subtle.importKey('spki', spki, EC_ALG, true, ['verify']);
  return { privateKey, publicKey, keyPem: key.export({ type: 'pkcs8', format: 'pem' }) as string };
}

export interface CreateCSROptions {
  /** The id the node believes it has (on renewal). Only a hint: the signing manager decides. */
  nodeId?: string;
}

/** PKCS#10 request, PEM. Its signature proves possession of the key; nothing else in it is trusted. */
export async function createCSR(key: NodeKey, opts: CreateCSROptions = {}): Promise<string> {
  if (opts.nodeId !== undefined) assertNodeId(opts.nodeId);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: [{ CN: [opts.nodeId ?? 'swarm-node'] }],
    keys: { privateKey: key.privateKey, publicKey: key.publicKey },
    signingAlgorithm: SIGNING_ALG,
  });
  return csr.toString('pem') + '\n';
}

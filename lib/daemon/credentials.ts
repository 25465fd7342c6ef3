// The node's TLS material in the data dir: its private key (0600), its
// certificate and the cluster's root CA certificate.
//
// On an autolocked manager the private key is stored sealed by the cluster's
// unlock key (as swarmkit encrypts it with the KEK), so a copied data dir can
// neither read the Raft log nor present itself to the cluster as this node.
// Every read of node.key goes through readStoredCredentials/openCredentials,
// which know it may be sealed.

import { promises as fsp } from 'fs';
import { join } from 'path';
import { openWithUnlockKey, sealWithUnlockKey, unlockKeyId } from '../ca';
import { writeFileAtomic } from './atomic-file';
import { KeySealer } from './key-sealer';

export interface Credentials {
  keyPem: string;
  certPem: string;
  caCertPem: string;
}

export type StoredNodeKey =
  | { kind: 'plain'; pem: string }
  /** `keyId` names the unlock key that sealed it (unlockKeyId), as the data key's file does. */
  | { kind: 'sealed'; sealed: Buffer; keyId: string };

/** The credentials as found on disk: the key possibly still sealed. */
export interface StoredCredentials {
  key: StoredNodeKey;
  certPem: string;
  caCertPem: string;
}

/** Thrown when a sealed node key is needed and no unlock key was given: the node is locked. */
export class NodeKeySealedError extends Error {
  override name = 'NodeKeySealedError';
}

const FILES = { keyPem: 'node.key', certPem: 'node.crt', caCertPem: 'ca.crt' } as const;
/** Not a label any PEM parser takes for a private key, so nothing mistakes the blob for one. */
const SEALED_LABEL = 'SWARM SEALED NODE KEY';
const KEY_ID_HEADER = 'Swarm-Unlock-Key-Id';

/** Where the cluster's root CA certificate is kept, e.g. for a browser to trust the dashboard. */
export function caCertPath(certsDir: string): string {
  return join(certsDir, FILES.caCertPem);
}

export function nodeKeyPath(dir: string): string {
  return join(dir, FILES.keyPem);
}

function sealedPem(sealed: Buffer, keyId: string): string {
  const body = sealed.toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN ${SEALED_LABEL}-----\n${KEY_ID_HEADER}: ${keyId}\n\n${body}-----END ${SEALED_LABEL}-----\n`;
}

function parseNodeKey(text: string, path: string): StoredNodeKey {
  const m = new RegExp(`^-----BEGIN ${SEALED_LABEL}-----\\n${KEY_ID_HEADER}: ([0-9a-f]{8})\\n\\n([A-Za-z0-9+/=\\n]+)-----END ${SEALED_LABEL}-----\\n?$`).exec(text);
  if (m) return { kind: 'sealed', keyId: m[1], sealed: Buffer.from(m[2].replace(/\n/g, ''), 'base64') };
  if (text.includes(`BEGIN ${SEALED_LABEL}`)) throw new Error(`${path} is a sealed node key but damaged (its framing is not as written)`);
  return { kind: 'plain', pem: text };
}

function storeNodeKey(pem: string, unlockKey: string | undefined): StoredNodeKey {
  if (!unlockKey) return { kind: 'plain', pem };
  return { kind: 'sealed', sealed: sealWithUnlockKey(Buffer.from(pem, 'utf8'), unlockKey, 'node key'), keyId: unlockKeyId(unlockKey) };
}

/** Writes the node key, sealed by `unlockKey` when given, atomically and 0600. */
export async function writeNodeKey(dir: string, pem: string, unlockKey?: string): Promise<StoredNodeKey> {
  const stored = storeNodeKey(pem, unlockKey);
  await writeFileAtomic(nodeKeyPath(dir), stored.kind === 'plain' ? stored.pem : sealedPem(stored.sealed, stored.keyId), 0o600);
  return stored;
}

/** All three files; the key sealed by `unlockKey` when given (a manager of an autolocked cluster). */
export async function writeCredentials(dir: string, c: Credentials, unlockKey?: string): Promise<void> {
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  await writeNodeKey(dir, c.keyPem, unlockKey);
  await writeCertificate(dir, c.certPem);
  await writeFileAtomic(join(dir, FILES.caCertPem), c.caCertPem, 0o644);
}

/** A new certificate for the same key (a role change): the key file, sealed or not, is left as it is. */
export async function writeCertificate(dir: string, certPem: string): Promise<void> {
  await writeFileAtomic(join(dir, FILES.certPem), certPem, 0o644);
}

export async function readStoredCredentials(dir: string): Promise<StoredCredentials> {
  const read = (f: string) => fsp.readFile(join(dir, f), 'utf8');
  let files: { key: string; certPem: string; caCertPem: string };
  try {
    files = { key: await read(FILES.keyPem), certPem: await read(FILES.certPem), caCertPem: await read(FILES.caCertPem) };
  } catch (e) {
    throw new Error(`the node's certificates in ${dir} are missing or unreadable: ${(e as Error).message}`);
  }
  return { key: parseNodeKey(files.key, nodeKeyPath(dir)), certPem: files.certPem, caCertPem: files.caCertPem };
}

/** The key in clear; a sealed one needs the unlock key (a wrong one throws UnlockKeyError and changes nothing). */
export function openNodeKey(key: StoredNodeKey, unlockKey?: string): string {
  if (key.kind === 'plain') return key.pem;
  if (!unlockKey) throw new NodeKeySealedError("the node's TLS key is sealed by the swarm's unlock key: use 'swarm unlock'");
  return openWithUnlockKey(key.sealed, unlockKey, 'node key').toString('utf8');
}

export function openCredentials(s: StoredCredentials, unlockKey?: string): Credentials {
  return { keyPem: openNodeKey(s.key, unlockKey), certPem: s.certPem, caCertPem: s.caCertPem };
}

/** The credentials of a node whose key is not sealed (a worker, an unlocked or non-autolocked manager). */
export async function readCredentials(dir: string): Promise<Credentials> {
  return openCredentials(await readStoredCredentials(dir));
}

/** The node key's file follows the cluster's autolock setting and unlock key (key-sealer.ts). */
export class NodeKeySealer extends KeySealer {
  constructor(dir: string, pem: string, stored: StoredNodeKey, warn: (m: string) => void) {
    super(stored.kind === 'sealed' ? stored.keyId : undefined, async (unlockKey) => void (await writeNodeKey(dir, pem, unlockKey)), `the node key in ${nodeKeyPath(dir)}`, warn);
  }
}

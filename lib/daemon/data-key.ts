// A manager's data encryption key (DEK): the 32 random bytes that seal its
// Raft log and snapshots (lib/raft/storage/record-cipher.ts). Kept next to the
// node's TLS key, as swarmkit keeps it, in certificates/raft.dek (mode 0600,
// written atomically), so `swarm leave` wipes it with the certificates.
//
// Without autolock the key is stored as is: that protects a copied WAL or
// snapshot (a backup, a support bundle), not a copied data dir. With autolock
// it is stored sealed by the cluster's unlock key (the KEK), and the manager
// cannot read its own log until an operator hands it that key (`swarm unlock`).

import { randomBytes } from 'crypto';
import { join } from 'path';
import { openWithUnlockKey, sealWithUnlockKey, unlockKeyId } from '../ca';
import { DEK_SIZE } from '../raft/storage';
import { readFileIfExists, writeFileAtomic } from './atomic-file';
import { DataDirLayout } from './data-dir';
import { KeySealer } from './key-sealer';

export type StoredDataKey =
  | { kind: 'plain'; dek: Buffer }
  /** `keyId` names the unlock key that sealed it (unlockKeyId), so a re-seal is skipped when nothing changed. */
  | { kind: 'sealed'; sealed: Buffer; keyId: string };

interface DataKeyFile {
  version: 1;
  dek?: string;
  sealed?: string;
  keyId?: string;
}

export function dataKeyPath(dir: DataDirLayout): string {
  return join(dir.certs, 'raft.dek');
}

export async function readDataKey(path: string): Promise<StoredDataKey | undefined> {
  const text = await readFileIfExists(path);
  if (text === undefined) return undefined;
  const bad = (why: string) => new Error(`${path} is not a usable data key (${why}); the Raft log cannot be read without it`);
  let f: DataKeyFile;
  try {
    f = JSON.parse(text) as DataKeyFile;
  } catch {
    throw bad('not JSON');
  }
  if (f.version !== 1) throw bad(`unknown version ${String(f.version)}`);
  if (typeof f.dek === 'string') {
    const dek = Buffer.from(f.dek, 'base64');
    if (dek.length !== DEK_SIZE) throw bad(`the key is ${dek.length} bytes, not ${DEK_SIZE}`);
    return { kind: 'plain', dek };
  }
  if (typeof f.sealed === 'string' && typeof f.keyId === 'string') return { kind: 'sealed', sealed: Buffer.from(f.sealed, 'base64'), keyId: f.keyId };
  throw bad('neither a key nor a sealed key');
}

/** Stores `dek` sealed by `unlockKey`, or as is without one. */
export async function writeDataKey(path: string, dek: Uint8Array, unlockKey?: string): Promise<StoredDataKey> {
  const stored: StoredDataKey = unlockKey
    ? { kind: 'sealed', sealed: sealWithUnlockKey(dek, unlockKey), keyId: unlockKeyId(unlockKey) }
    : { kind: 'plain', dek: Buffer.from(dek) };
  const file: DataKeyFile =
    stored.kind === 'plain' ? { version: 1, dek: stored.dek.toString('base64') } : { version: 1, sealed: stored.sealed.toString('base64'), keyId: stored.keyId };
  await writeFileAtomic(path, `${JSON.stringify(file)}\n`, 0o600);
  return stored;
}

/** A new manager's key: random, stored sealed when the cluster's unlock key is already known (init --autolock). */
export async function createDataKey(path: string, unlockKey?: string): Promise<{ dek: Buffer; stored: StoredDataKey }> {
  const dek = randomBytes(DEK_SIZE);
  return { dek, stored: await writeDataKey(path, dek, unlockKey) };
}

/** The key from a sealed file; a wrong unlock key throws UnlockKeyError and changes nothing. */
export function unsealDataKey(stored: Extract<StoredDataKey, { kind: 'sealed' }>, unlockKey: string): Buffer {
  const dek = openWithUnlockKey(stored.sealed, unlockKey);
  if (dek.length !== DEK_SIZE) throw new Error(`the unsealed data key is ${dek.length} bytes, not ${DEK_SIZE}`);
  return dek;
}

/** The data key's file follows the cluster's autolock setting and unlock key (key-sealer.ts). */
export class DataKeySealer extends KeySealer {
  constructor(path: string, dek: Buffer, stored: StoredDataKey, warn: (m: string) => void) {
    super(stored.kind === 'sealed' ? stored.keyId : undefined, async (unlockKey) => void (await writeDataKey(path, dek, unlockKey)), `the data key in ${path}`, warn);
  }
}

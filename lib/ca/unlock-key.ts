// The unlock key of an autolocked swarm (docker's `SWMKEY-1-…`): 256 random
// bits, the key-encryption key (KEK) that seals every manager's data key
// (lib/daemon/data-key.ts). It lives in the replicated cluster object, so it
// is itself encrypted at rest by each manager's data key, as in swarmkit.

import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'crypto';

const PREFIX = 'SWMKEY-1-';
const KEY_BYTES = 32;
const NONCE = 12;
const TAG = 16;
/** base64url without padding of 32 bytes. */
const SHAPE = /^SWMKEY-1-[A-Za-z0-9_-]{43}$/;

export class UnlockKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnlockKeyError';
  }
}

export function generateUnlockKey(): string {
  return PREFIX + randomBytes(KEY_BYTES).toString('base64url');
}

/** The key's 32 bytes; a malformed key (a typo, a truncated paste) is named as such, never tried. */
export function parseUnlockKey(text: string): Buffer {
  const key = text.trim();
  if (!SHAPE.test(key)) {
    throw new UnlockKeyError(`invalid unlock key: expected ${PREFIX} followed by 43 characters, as printed by 'swarm unlock-key'`);
  }
  return Buffer.from(key.slice(PREFIX.length), 'base64url');
}

/** A short, non-secret name of a key, to say which key sealed a file. */
export function unlockKeyId(text: string): string {
  return createHash('sha256').update('swarm-unlock-key\0').update(parseUnlockKey(text)).digest('hex').slice(0, 8);
}

function derive(kek: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', kek, Buffer.alloc(0), 'swarm data key seal', 32));
}

/**
 * What a sealed blob is, authenticated with it (GCM's additional data), so a
 * sealed node key cannot be passed off as a sealed data key or the reverse.
 */
export type SealPurpose = 'data key' | 'node key';
const AAD: Record<SealPurpose, Buffer> = { 'data key': Buffer.from('swarm-dek', 'latin1'), 'node key': Buffer.from('swarm-node-key', 'latin1') };

/** Seals `secret` under the unlock key: nonce | ciphertext | tag, AES-256-GCM. */
export function sealWithUnlockKey(secret: Uint8Array, unlockKey: string, purpose: SealPurpose = 'data key'): Buffer {
  const nonce = randomBytes(NONCE);
  const c = createCipheriv('aes-256-gcm', derive(parseUnlockKey(unlockKey)), nonce);
  c.setAAD(AAD[purpose]);
  const body = Buffer.concat([c.update(secret), c.final()]);
  return Buffer.concat([nonce, body, c.getAuthTag()]);
}

/** Opens what sealWithUnlockKey sealed; a wrong key is an UnlockKeyError. */
export function openWithUnlockKey(sealed: Uint8Array, unlockKey: string, purpose: SealPurpose = 'data key'): Buffer {
  const kek = derive(parseUnlockKey(unlockKey));
  const b = Buffer.from(sealed);
  if (b.length < NONCE + TAG) throw new UnlockKeyError(`the sealed ${purpose} is damaged (too short)`);
  const d = createDecipheriv('aes-256-gcm', kek, b.subarray(0, NONCE));
  d.setAAD(AAD[purpose]);
  d.setAuthTag(b.subarray(b.length - TAG));
  try {
    return Buffer.concat([d.update(b.subarray(NONCE, b.length - TAG)), d.final()]);
  } catch {
    throw new UnlockKeyError(`invalid unlock key: it does not open this manager's ${purpose}`);
  }
}

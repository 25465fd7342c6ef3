// Encryption at rest of what the WAL and snapshot files hold, as swarmkit does
// for its raft log: the data of every entry and the application's snapshot
// bytes are sealed with AES-256-GCM under a data encryption key (DEK) the
// caller supplies. What stays readable is what Raft needs to replay and what
// says nothing about the application: indexes, terms, entry types, the hard
// state, membership in snapshot metadata, and the framing with its CRCs.
//
// A sealed blob is
//
//   u8        format version (1)
//   4 bytes   key id: the first bytes of SHA-256 over the key, to tell "another key" from "damaged"
//   12 bytes  random nonce, fresh per blob
//   ...       ciphertext
//   16 bytes  GCM tag
//
// The purpose ("entry" or "snapshot") is authenticated data, so an entry's
// ciphertext cannot be passed off as a snapshot's. Random 96-bit nonces are
// safe for far more than the 2^32 seals a key would need before rotation.

import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'crypto';

export type SealPurpose = 'entry' | 'snapshot';

/** What DiskStorage uses to seal and open records; injected so the raft library holds no keys of its own. */
export interface RecordCipher {
  seal(plain: Uint8Array, purpose: SealPurpose): Uint8Array;
  /** The same blob as seal(), built a slice at a time with a turn of the event loop in between (big snapshots). */
  sealSliced(plain: Uint8Array, purpose: SealPurpose): Promise<Uint8Array>;
  /** Throws RecordKeyError for data sealed under another key or altered since. */
  open(sealed: Uint8Array, purpose: SealPurpose): Uint8Array;
}

/** A record that cannot be opened: sealed with another key, altered, or no key given. */
export class RecordKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordKeyError';
  }
}

const VERSION = 1;
const KEY_ID_SIZE = 4;
const NONCE_SIZE = 12;
const TAG_SIZE = 16;
const OVERHEAD = 1 + KEY_ID_SIZE + NONCE_SIZE + TAG_SIZE;
export const DEK_SIZE = 32;
/** Bytes sealed between turns of the event loop by sealSliced: about a millisecond of AES-GCM. */
const SLICE = 1024 * 1024;

export function keyId(key: Uint8Array): string {
  return createHash('sha256').update('swarm-raft-dek\0').update(key).digest().subarray(0, KEY_ID_SIZE).toString('hex');
}

export class AesGcmRecordCipher implements RecordCipher {
  private readonly key: Buffer;
  private readonly id: Buffer;

  constructor(key: Uint8Array) {
    if (key.length !== DEK_SIZE) throw new RangeError(`a data encryption key is ${DEK_SIZE} bytes, got ${key.length}`);
    this.key = Buffer.from(key);
    this.id = Buffer.from(keyId(key), 'hex');
  }

  seal(plain: Uint8Array, purpose: SealPurpose): Uint8Array {
    const nonce = randomBytes(NONCE_SIZE);
    const c = createCipheriv('aes-256-gcm', this.key, nonce);
    c.setAAD(Buffer.from(purpose, 'latin1'));
    const head = Buffer.concat([Buffer.of(VERSION), this.id, nonce]);
    const body = c.update(plain);
    const last = c.final();
    return Buffer.concat([head, body, last, c.getAuthTag()]);
  }

  async sealSliced(plain: Uint8Array, purpose: SealPurpose): Promise<Uint8Array> {
    if (plain.length <= SLICE) return this.seal(plain, purpose);
    const nonce = randomBytes(NONCE_SIZE);
    const c = createCipheriv('aes-256-gcm', this.key, nonce);
    c.setAAD(Buffer.from(purpose, 'latin1'));
    // One output buffer, filled in place: no second copy of a snapshot of tens of MiB.
    const out = Buffer.allocUnsafe(1 + KEY_ID_SIZE + NONCE_SIZE + plain.length + TAG_SIZE);
    out[0] = VERSION;
    this.id.copy(out, 1);
    nonce.copy(out, 1 + KEY_ID_SIZE);
    let at = 1 + KEY_ID_SIZE + NONCE_SIZE;
    for (let from = 0; from < plain.length; from += SLICE) {
      at += c.update(plain.subarray(from, Math.min(from + SLICE, plain.length))).copy(out, at);
      await new Promise((resolve) => setImmediate(resolve));
    }
    at += c.final().copy(out, at);
    c.getAuthTag().copy(out, at);
    return out;
  }

  open(sealed: Uint8Array, purpose: SealPurpose): Uint8Array {
    if (sealed.length < OVERHEAD) throw new RecordKeyError(`sealed ${purpose} is ${sealed.length} bytes, shorter than its header and tag`);
    const b = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.length);
    if (b[0] !== VERSION) throw new RecordKeyError(`sealed ${purpose} has unknown format version ${b[0]}`);
    const id = b.subarray(1, 1 + KEY_ID_SIZE);
    if (!id.equals(this.id)) {
      throw new RecordKeyError(
        `${purpose} was encrypted with another key (key id ${id.toString('hex')}; this node's data key is ${this.id.toString('hex')})`,
      );
    }
    const nonce = b.subarray(1 + KEY_ID_SIZE, 1 + KEY_ID_SIZE + NONCE_SIZE);
    const d = createDecipheriv('aes-256-gcm', this.key, nonce);
    d.setAAD(Buffer.from(purpose, 'latin1'));
    d.setAuthTag(b.subarray(b.length - TAG_SIZE));
    const body = d.update(b.subarray(1 + KEY_ID_SIZE + NONCE_SIZE, b.length - TAG_SIZE));
    try {
      return Buffer.concat([body, d.final()]);
    } catch {
      throw new RecordKeyError(`${purpose} failed authentication: it was altered after it was written`);
    }
  }
}

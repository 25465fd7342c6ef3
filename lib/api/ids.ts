// Object ids as docker makes them: 25 lowercase base-36 characters from 128
// random bits. They are also DNS labels, which node certificates need.

import { randomBytes } from 'crypto';

export function newObjectId(): string {
  const n = BigInt(`0x${randomBytes(16).toString('hex')}`);
  return n.toString(36).padStart(25, '0');
}

/** Raft ids are random so a rejoining or replaced manager never reuses one. */
export function newRaftId(): number {
  // 48 bits: far from collisions in a cluster of a few managers, and a safe integer.
  return randomBytes(6).readUIntBE(0, 6) || 1;
}

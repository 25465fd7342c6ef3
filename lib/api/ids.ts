// Object ids as docker makes them: 25 lowercase base-36 characters from 128
// random bits. They are also DNS labels, which node certificates need.

import { randomBytes, randomFillSync } from 'crypto';

/** Random bytes drawn 4 KiB at a time: one system call per 256 ids, not one per id (a 100,000-replica service). */
const pool = Buffer.alloc(4096);
let used = pool.length;

export function newObjectId(): string {
  if (used + 16 > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const hi = pool.readBigUInt64BE(used);
  const lo = pool.readBigUInt64BE(used + 8);
  used += 16;
  return ((hi << 64n) | lo).toString(36).padStart(25, '0');
}

/** Raft ids are random so a rejoining or replaced manager never reuses one. */
export function newRaftId(): number {
  // 48 bits: far from collisions in a cluster of a few managers, and a safe integer.
  return randomBytes(6).readUIntBE(0, 6) || 1;
}

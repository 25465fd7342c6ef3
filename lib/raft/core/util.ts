import { Entry, entrySize } from './types';

/** An internal invariant does not hold: the node must stop rather than corrupt state. */
export function invariant(cond: unknown, message: string): asserts cond {
  if (!cond) throw new Error(`raft invariant violated: ${message}`);
}

/** Keeps a prefix of `ents` whose total size is at most `maxSize`, but always at least one entry. */
export function limitSize(ents: Entry[], maxSize: number): Entry[] {
  if (ents.length <= 1) return ents;
  let size = entrySize(ents[0]);
  let n = 1;
  for (; n < ents.length; n++) {
    size += entrySize(ents[n]);
    if (size > maxSize) break;
  }
  return n === ents.length ? ents : ents.slice(0, n);
}

export function payloadSize(ents: Entry[]): number {
  let s = 0;
  for (const e of ents) s += e.data.length;
  return s;
}

/** Read contexts are compared by value; a latin1 string is a cheap exact key for bytes. */
export function ctxKey(ctx: Uint8Array): string {
  return Buffer.from(ctx.buffer, ctx.byteOffset, ctx.byteLength).toString('latin1');
}

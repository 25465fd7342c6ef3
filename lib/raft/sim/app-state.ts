// The replicated application: a digest chain over every applied entry. Two
// nodes that applied the same entries in the same order hold the same digest,
// so a snapshot (which carries the digest) can be checked against the global
// history without shipping the whole log around.

import { ConfState, Entry } from '../core/types';
import { Hasher } from './hash';

export class AppState {
  applied = 0;
  digest = '';
  confState: ConfState = { voters: [], learners: [] };

  apply(e: Entry): void {
    this.applied = e.index;
    this.digest = chainDigest(this.digest, e);
  }

  encode(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify({ applied: this.applied, digest: this.digest }));
  }

  static decode(data: Uint8Array, confState: ConfState): AppState {
    const parsed = JSON.parse(new TextDecoder().decode(data)) as { applied: number; digest: string };
    const s = new AppState();
    s.applied = parsed.applied;
    s.digest = parsed.digest;
    s.confState = { voters: [...confState.voters], learners: [...confState.learners] };
    return s;
  }
}

export function chainDigest(prev: string, e: Entry): string {
  return new Hasher(prev).num(e.index).num(e.term).num(e.type).bytes(e.data).hex();
}

/** The identity of an entry for the state machine: term, type and payload. */
export function entryKey(e: Entry): string {
  return `${e.term}/${e.type}/${Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength).toString('latin1')}`;
}

export function bytesKey(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

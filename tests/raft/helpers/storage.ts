import { MemoryStorage } from '../../../lib/raft/core/memory-storage';
import { ConfState, Entry, EntryType, HardState, NodeId } from '../../../lib/raft/core/types';

/**
 * MemoryStorage that starts with a membership but no snapshot, as etcd's
 * `withPeers` does: the core reads the ConfState of the (empty) snapshot at
 * start-up, so we hand it one without also moving the first index.
 */
export class TestStorage extends MemoryStorage {
  constructor(private readonly bootConf: ConfState) {
    super();
  }

  override initialState(): { hardState: HardState; confState: ConfState } {
    const s = super.initialState();
    // Once the log starts from a snapshot, that snapshot's membership wins.
    // (firstIndex, not snapshot(): subclasses may make snapshot() fail.)
    if (this.firstIndex() === 1) {
      s.confState = { voters: [...this.bootConf.voters], learners: [...this.bootConf.learners] };
    }
    return s;
  }
}

export function newStorage(voters: NodeId[], learners: NodeId[] = []): TestStorage {
  return new TestStorage({ voters, learners });
}

const enc = new TextEncoder();

export function bytes(s: string): Uint8Array {
  return enc.encode(s);
}

export function text(b: Uint8Array): string {
  return new TextDecoder().decode(b);
}

export function entry(index: number, term: number, data = ''): Entry {
  return { index, term, type: EntryType.Normal, data: bytes(data) };
}

/** A log whose entry i+1 has term terms[i]: the compact notation of the paper's figures. */
export function entriesOfTerms(terms: number[], startIndex = 1): Entry[] {
  return terms.map((t, i) => entry(startIndex + i, t));
}

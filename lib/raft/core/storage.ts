import { ConfState, Entry, HardState, Snapshot } from './types';

/**
 * The core's read-only view of the durable log, as etcd's raft.Storage. The
 * driver writes to it (after making the data durable); the core only reads.
 * `entries` and `term` throw RaftError 'Compacted' below firstIndex and
 * 'Unavailable' past lastIndex.
 */
export interface Storage {
  initialState(): { hardState: HardState; confState: ConfState };
  entries(lo: number, hi: number, maxSize: number): Entry[];
  term(index: number): number;
  firstIndex(): number;
  lastIndex(): number;
  snapshot(): Snapshot;
}

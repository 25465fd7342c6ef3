// The bridge between RaftNode and the store. RaftNode resolves propose() with
// {index, term} once the entry is applied here; the manager then needs the
// store's verdict for that index (was the transaction refused, and why?).
// onApplied gives it at once; resultFor() keeps the recent ones for a caller
// that looks a little later.

import type { StateMachine } from '../../raft/node/raft-node';
import { MemoryStore } from './memory-store';
import { ApplyResult } from './result';

export interface StoreStateMachineOptions {
  /** Called after every entry, in log order, with the store's verdict. */
  onApplied?: (index: number, result: ApplyResult) => void;
  /** How many verdicts resultFor() remembers (oldest forgotten first). */
  keepResults?: number;
}

export const DEFAULT_KEEP_RESULTS = 4096;

export class StoreStateMachine implements StateMachine {
  private readonly results = new Map<number, ApplyResult>();
  private readonly keep: number;

  constructor(
    readonly store: MemoryStore,
    private readonly options: StoreStateMachineOptions = {},
  ) {
    this.keep = options.keepResults ?? DEFAULT_KEEP_RESULTS;
  }

  apply(entry: { index: number; term: number; data: Uint8Array }): void {
    const result = this.store.applyEntry(entry.index, entry.data);
    this.results.set(entry.index, result);
    // Maps iterate in insertion order and indexes only grow, so the first key is the oldest.
    while (this.results.size > this.keep) {
      const oldest = this.results.keys().next().value as number;
      this.results.delete(oldest);
    }
    this.options.onApplied?.(entry.index, result);
  }

  /** The verdict for an applied index, if still remembered. */
  resultFor(index: number): ApplyResult | undefined {
    return this.results.get(index);
  }

  snapshot(): Uint8Array {
    return this.store.snapshot();
  }

  snapshotChunks(): Promise<Uint8Array[]> {
    return this.store.snapshotChunks();
  }

  restore(data: Uint8Array): void {
    this.store.restore(data);
    // Verdicts of entries the snapshot replaced are no longer about this state.
    this.results.clear();
  }

  async restoreInSlices(data: Uint8Array): Promise<void> {
    await this.store.restoreInSlices(data);
    this.results.clear();
  }
}

// A node's disk as the driver sees it: a WAL of records (snapshot, entries,
// hard state) that are durable only once fsynced. A crash keeps a random
// prefix of the unsynced records and may tear the entry record it stops in,
// which is what a torn WAL tail looks like after truncation on replay.

import { emptyHardState, emptySnapshot, Entry, HardState, Snapshot } from '../core/types';
import { Prng } from './prng';

export type DiskRecord =
  | { kind: 'snapshot'; snap: Snapshot }
  | { kind: 'entries'; entries: Entry[] }
  | { kind: 'hardState'; hs: HardState };

export interface DurableState {
  snap: Snapshot;
  hs: HardState;
  /** Entries after the snapshot index, contiguous. */
  entries: Entry[];
}

export interface CrashOutcome {
  pendingRecords: number;
  keptRecords: number;
  /** Entries dropped from a torn entry record. */
  tornEntries: number;
}

export class SimDisk {
  private snap: Snapshot = emptySnapshot();
  private hs: HardState = emptyHardState();
  private ents: Entry[] = [];
  private pending: DiskRecord[] = [];

  /** The term in the synced hard state: what the node could never take back. */
  get durableTerm(): number {
    return this.hs.term;
  }

  get hasPending(): boolean {
    return this.pending.length > 0;
  }

  write(rec: DiskRecord): void {
    this.pending.push(rec);
  }

  sync(): void {
    for (const rec of this.pending) this.applyRecord(rec);
    this.pending = [];
  }

  /** Loses the unsynced tail: a random prefix survives, the record it stops in may be torn. */
  crash(rng: Prng): CrashOutcome {
    const n = this.pending.length;
    const keep = rng.int(0, n);
    let torn = 0;
    for (let i = 0; i < keep; i++) this.applyRecord(this.pending[i]);
    if (keep < n) {
      const next = this.pending[keep];
      if (next.kind === 'entries' && next.entries.length > 1) {
        const cut = rng.int(0, next.entries.length - 1);
        torn = next.entries.length - cut;
        if (cut > 0) this.applyRecord({ kind: 'entries', entries: next.entries.slice(0, cut) });
      }
    }
    this.pending = [];
    return { pendingRecords: n, keptRecords: keep, tornEntries: torn };
  }

  /**
   * A locally taken snapshot: written to its own file, fsynced and renamed
   * into place, so it is durable at once. Entries it covers are dropped.
   */
  compact(snap: Snapshot): void {
    const idx = snap.metadata.index;
    if (idx <= this.snap.metadata.index) return;
    this.ents = this.ents.filter((e) => e.index > idx);
    this.snap = snap;
  }

  load(): DurableState {
    return { snap: this.snap, hs: { ...this.hs }, entries: this.ents.slice() };
  }

  /** Forgets everything (a node whose bootstrap never became durable starts over). */
  wipe(): void {
    this.snap = emptySnapshot();
    this.hs = emptyHardState();
    this.ents = [];
    this.pending = [];
  }

  lastIndex(): number {
    return this.ents.length > 0 ? this.ents[this.ents.length - 1].index : this.snap.metadata.index;
  }

  private applyRecord(rec: DiskRecord): void {
    switch (rec.kind) {
      case 'hardState':
        this.hs = { ...rec.hs };
        return;
      case 'snapshot':
        // A received snapshot replaces the whole log, as MemoryStorage.applySnapshot does.
        this.snap = rec.snap;
        this.ents = [];
        return;
      case 'entries': {
        let es = rec.entries;
        if (es.length === 0) return;
        const snapIdx = this.snap.metadata.index;
        if (es[es.length - 1].index <= snapIdx) return;
        if (es[0].index <= snapIdx) es = es.slice(snapIdx + 1 - es[0].index);
        const first = es[0].index;
        const base = snapIdx + 1;
        if (first > this.lastIndex() + 1) {
          throw new Error(`sim disk: gap in the log: append at ${first}, last ${this.lastIndex()}`);
        }
        this.ents.length = Math.max(0, first - base); // a conflicting suffix is overwritten
        for (const e of es) this.ents.push(e);
        return;
      }
    }
  }
}

// Turns the WAL's records into the state a node restarts from, given the
// snapshot it starts from. Pure, so the rules below are easy to test.
//
// - An entry at index i replaces every entry at i and above (a new leader
//   overwrote an uncommitted suffix). Entries at or below the snapshot are
//   covered by it and skipped, but one arriving after later entries still
//   discards them, because that is what happened to the log at the time.
// - An entry that leaves a hole after the last one means records are missing
//   (for instance the WAL no longer reaches back to the snapshot loaded).
// - A snapshot marker that replaced the log discards every entry before it.
//   If it is newer than the loaded snapshot, the entries it stood for are in
//   neither the WAL nor the loaded snapshot, so the log cannot be rebuilt.
// - The last hard state wins; its commit is raised to the snapshot index,
//   since a snapshot only ever holds committed entries and a crash between
//   saving a snapshot and the hard state that goes with it must not leave a
//   commit index below the start of the log.

import { Entry, HardState, emptyHardState } from '../core/types';
import { WalCorruptError } from './errors';
import { WalRecord } from './wal-reader';

export interface ReplayBase {
  index: number;
  term: number;
}

export interface Replayed {
  hardState: HardState;
  /** Entries after the base index, contiguous. */
  entries: Entry[];
}

export function replay(records: WalRecord[], base: ReplayBase): Replayed {
  let hardState = emptyHardState();
  let ents: Entry[] = [];
  for (const rec of records) {
    switch (rec.kind) {
      case 'entry': {
        const e = rec.entry;
        if (e.index <= base.index) {
          ents = [];
          break;
        }
        const last = ents.length > 0 ? ents[ents.length - 1].index : base.index;
        if (e.index > last + 1) {
          throw new WalCorruptError(rec.file, rec.offset, `entry ${e.index} follows entry ${last}: the entries between are missing`);
        }
        ents.length = e.index - base.index - 1;
        ents.push(e);
        break;
      }
      case 'hardState':
        hardState = rec.hardState;
        break;
      case 'marker': {
        const m = rec.marker;
        if (m.index === base.index && m.term !== base.term) {
          throw new WalCorruptError(rec.file, rec.offset, `snapshot marker at index ${m.index} has term ${m.term}, the snapshot has ${base.term}`);
        }
        if (!m.replacesLog) break;
        if (m.index > base.index) {
          throw new WalCorruptError(
            rec.file,
            rec.offset,
            `the log was replaced by snapshot ${m.index} (term ${m.term}), whose file is missing or damaged`,
          );
        }
        ents = [];
        break;
      }
    }
  }
  if (hardState.commit < base.index) hardState = { ...hardState, commit: base.index };
  return { hardState, entries: ents };
}

// The WAL record saying a snapshot became durable (payload of RecordType.SnapshotMarker).

import { BinaryReader, BinaryWriter } from '../codec';

export interface SnapshotMarker {
  index: number;
  term: number;
  /**
   * True when the snapshot replaced the log (the log had no entry at
   * index/term, as when a lagging follower installs the leader's snapshot):
   * every entry written before the marker is stale. False for compaction of
   * a log that already holds the snapshot's entries, whose later entries stay.
   */
  replacesLog: boolean;
}

export function writeMarker(w: BinaryWriter, m: SnapshotMarker): void {
  w.varint(m.index);
  w.varint(m.term);
  w.u8(m.replacesLog ? 1 : 0);
}

export function readMarker(r: BinaryReader): SnapshotMarker {
  const index = r.varint('marker index');
  const term = r.varint('marker term');
  const replacesLog = r.bool('marker replacesLog');
  return { index, term, replacesLog };
}

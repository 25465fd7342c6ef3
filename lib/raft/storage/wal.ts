// DiskStorage: the durable state of one raft node, in the style of etcd's
// wal + snap packages. Layout of `dir` (created with mode 0700):
//
//   wal/<seq>-<firstIndex>.wal    append-only segments of records (record.ts)
//   snap/<index>-<term>.snap      snapshot files (snapshot-file.ts), newest two kept
//
// Durability rules: a call resolves only after its bytes are written (and,
// when asked, fdatasync'ed); a segment is fsynced before the next one is
// created, so only the last segment can ever hold a torn tail; a failed write
// or fsync poisons the storage for good (StorageFailedError), never retried.

import * as path from 'path';
import { promises as fsp } from 'fs';
import { BinaryWriter, writeEntry, writeHardState } from '../codec';
import { Entry, HardState, Snapshot, emptyHardState, isEmptySnapshot } from '../core/types';
import { SnapshotCorruptError, StorageFailedError, WalCorruptError } from './errors';
import { DIR_MODE, OpenFile, StorageFile, openFile as defaultOpenFile, removeTempFiles, syncDir, writeFully } from './file-io';
import { writeMarker } from './marker';
import { beginRecord, endRecord, RecordType } from './record';
import { replay, ReplayBase } from './replay';
import { createSegment, listSegments, SegmentInfo } from './segment';
import { isSealedSnapshotFile, listSnapshotFiles, readSnapshotFile, SnapshotFileInfo, writeSnapshotFile } from './snapshot-file';
import { readWal, WalRecord } from './wal-reader';
import { RecordCipher } from './record-cipher';

export const DEFAULT_SEGMENT_SIZE = 64 * 1024 * 1024;
const SNAPSHOTS_KEPT = 2;
/** A batch buffer that grew past this is dropped after use rather than kept for the next one. */
const MAX_RETAINED_BUFFER = 16 * 1024 * 1024;

export interface DiskStorageOptions {
  /** A segment is closed and a new one started once it reaches this many bytes. */
  segmentSize?: number;
  /** How files are opened; tests inject failures here. */
  openFile?: OpenFile;
  /**
   * Seals entry data and snapshot data written from now on, and opens sealed
   * ones on replay. Plaintext records written without one are still read.
   */
  cipher?: RecordCipher;
}

/** What a node restarts from. `entries` are the entries after the snapshot, contiguous. */
export interface RecoveredState {
  hardState: HardState;
  snapshot?: Snapshot;
  entries: Entry[];
}

interface OpenSegment {
  info: SegmentInfo;
  file: StorageFile;
  /** Where the next record goes. */
  size: number;
  /** Crc of the last record, the seed for the next. */
  crc: number;
  /** Bytes written since the last fdatasync. */
  dirty: boolean;
  closed: boolean;
}

export class DiskStorage {
  /** Reused across calls so a steady stream of batches does not allocate. */
  private batch = new BinaryWriter(64 * 1024);
  /** Serializes operations: each waits for the previous one to settle. */
  private queue: Promise<unknown> = Promise.resolve();
  private failure: unknown;
  private closed = false;

  private constructor(
    private readonly walDir: string,
    private readonly snapDir: string,
    private readonly segmentSize: number,
    private readonly open: OpenFile,
    private readonly cipher: RecordCipher | undefined,
    private segments: SegmentInfo[],
    private current: OpenSegment,
    private hardState: HardState,
    private snap: ReplayBase,
    /** Terms of the entries snap.index+1 .. lastIndex, to tell compaction from log replacement. */
    private terms: number[],
    /**
     * With a cipher: segments and snapshot files still holding data written in
     * clear (before the node had a key). A snapshot rolls such a segment so it
     * can be released, and deletes such snapshot files (docs/encryption.md).
     */
    private readonly inClear: { segments: Set<string>; snapshots: Set<string> },
  ) {}

  static async open(dir: string, opts: DiskStorageOptions = {}): Promise<{ storage: DiskStorage; state: RecoveredState }> {
    const open = opts.openFile ?? defaultOpenFile;
    const segmentSize = opts.segmentSize ?? DEFAULT_SEGMENT_SIZE;
    if (!(segmentSize > 0)) throw new RangeError(`segmentSize must be positive, got ${segmentSize}`);
    const walDir = path.join(dir, 'wal');
    const snapDir = path.join(dir, 'snap');
    await fsp.mkdir(dir, { recursive: true, mode: DIR_MODE });
    await fsp.mkdir(walDir, { recursive: true, mode: DIR_MODE });
    await fsp.mkdir(snapDir, { recursive: true, mode: DIR_MODE });
    await removeTempFiles(walDir);
    await removeTempFiles(snapDir);

    let segments = await listSegments(walDir);
    if (segments.length === 0) {
      const snaps = await listSnapshotFiles(snapDir);
      if (snaps.length > 0) throw new Error(`${dir}: snapshot files but no WAL segments; refusing to start from an incomplete copy`);
      await createSegment(open, walDir, 1, 1, 0, emptyHardState());
      // The segment's own directory is synced by createSegment; these make wal/ and snap/ themselves durable.
      await syncDir(open, dir);
      await syncDir(open, path.dirname(dir));
      segments = await listSegments(walDir);
    }

    const wal = await readWal(segments, opts.cipher);
    const snapshot = await chooseSnapshot(snapDir, wal.records, segments[0], opts.cipher);
    const base: ReplayBase = snapshot ? { index: snapshot.metadata.index, term: snapshot.metadata.term } : { index: 0, term: 0 };
    const { hardState, entries } = replay(wal.records, base);

    const { tail } = wal;
    const file = await open(tail.segment.path, 'r+');
    try {
      if (tail.validEnd < tail.fileSize) {
        // Cut the torn tail so new records follow the last good one directly.
        await file.truncate(tail.validEnd);
        await file.datasync();
      }
    } catch (e) {
      await file.close();
      throw e;
    }
    const current: OpenSegment = { info: tail.segment, file, size: tail.validEnd, crc: tail.crc, dirty: false, closed: false };
    const inClear = { segments: new Set<string>(), snapshots: new Set<string>() };
    if (opts.cipher) {
      for (const r of wal.records) if (r.kind === 'entry' && r.inClear) inClear.segments.add(r.file);
      for (const f of await listSnapshotFiles(snapDir)) if (!(await isSealedSnapshotFile(f.path))) inClear.snapshots.add(f.path);
    }
    const storage = new DiskStorage(
      walDir,
      snapDir,
      segmentSize,
      open,
      opts.cipher,
      segments,
      current,
      hardState,
      base,
      entries.map((e) => e.term),
      inClear,
    );
    return { storage, state: snapshot ? { hardState, snapshot, entries } : { hardState, entries } };
  }

  /** Index of the last entry persisted (the snapshot index if none follow it). */
  get lastIndex(): number {
    return this.snap.index + this.terms.length;
  }

  get snapshotIndex(): number {
    return this.snap.index;
  }

  /** With a cipher: some segment or snapshot file still holds data written in clear. */
  get holdsDataInClear(): boolean {
    return this.inClear.segments.size > 0 || this.inClear.snapshots.size > 0;
  }

  /**
   * Appends `entries` (which may overwrite a suffix of the log) and then
   * `hardState`, in one write; with `sync`, fdatasyncs before resolving.
   */
  save(hardState: HardState | undefined, entries: Entry[], sync: boolean): Promise<void> {
    return this.serialize(() => this.doSave(hardState, entries, sync));
  }

  /**
   * Makes `snap` durable (atomically) and records it in the WAL, then deletes
   * the segments and snapshot files it makes unnecessary.
   */
  saveSnapshot(snap: Snapshot): Promise<void> {
    return this.serialize(() => this.doSaveSnapshot(snap));
  }

  /** Flushes unsynced writes and closes the segment. Later calls reject. */
  close(): Promise<void> {
    if (this.closed) return this.queue.then(() => undefined);
    const done = this.queue.then(async () => {
      const cur = this.current;
      if (cur.closed) return;
      try {
        if (this.failure === undefined && cur.dirty) await cur.file.datasync();
      } finally {
        cur.closed = true;
        await cur.file.close();
      }
    });
    this.closed = true;
    this.queue = done.catch(() => undefined);
    return done;
  }

  private serialize<T>(op: () => Promise<T>): Promise<T> {
    // Checked now, not when the operation starts: calls made before close() still run.
    if (this.closed) return Promise.reject(new Error('storage is closed'));
    const run = this.queue.then(() => {
      if (this.failure !== undefined) throw new StorageFailedError(this.failure);
      return op();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Runs an I/O step whose failure leaves the files in an unknown state. */
  private async critical<T>(step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (e) {
      this.failure = e;
      throw e;
    }
  }

  private checkEntries(entries: Entry[]): void {
    if (entries.length === 0) return;
    const first = entries[0].index;
    if (first <= this.snap.index) {
      throw new Error(`cannot save entry ${first}: the log starts after snapshot ${this.snap.index}`);
    }
    if (first > this.lastIndex + 1) {
      throw new Error(`cannot save entry ${first}: the log ends at ${this.lastIndex}, entries between would be missing`);
    }
    for (let i = 1; i < entries.length; i++) {
      if (entries[i].index !== first + i) {
        throw new Error(`entries to save are not contiguous: ${entries[i - 1].index} then ${entries[i].index}`);
      }
    }
  }

  private async doSave(hardState: HardState | undefined, entries: Entry[], sync: boolean): Promise<void> {
    this.checkEntries(entries);
    const cur = this.current;
    const w = this.batch;
    w.reset();
    let crc = cur.crc;
    for (const e of entries) {
      // Empty entries (a new leader's no-op) hold nothing to hide.
      const sealed = this.cipher !== undefined && e.data.length > 0;
      const at = beginRecord(w, sealed ? RecordType.SealedEntry : RecordType.Entry);
      writeEntry(w, sealed ? { ...e, data: (this.cipher as RecordCipher).seal(e.data, 'entry') } : e);
      crc = endRecord(w, at, crc);
    }
    if (hardState !== undefined) {
      const at = beginRecord(w, RecordType.HardState);
      writeHardState(w, hardState);
      crc = endRecord(w, at, crc);
    }
    const bytes = w.finish();
    if (bytes.length > 0) {
      await this.critical(() => writeFully(cur.file, bytes, cur.size));
      cur.size += bytes.length;
      cur.crc = crc;
      cur.dirty = true;
    }
    this.releaseBatchBuffer();
    if (sync && cur.dirty) {
      await this.critical(() => cur.file.datasync());
      cur.dirty = false;
    }
    if (entries.length > 0) {
      this.terms.length = entries[0].index - this.snap.index - 1;
      for (const e of entries) this.terms.push(e.term);
    }
    if (hardState !== undefined) this.hardState = { term: hardState.term, vote: hardState.vote, commit: hardState.commit };
    if (cur.size >= this.segmentSize) await this.roll();
  }

  private releaseBatchBuffer(): void {
    if (this.batch.length > MAX_RETAINED_BUFFER) this.batch = new BinaryWriter(64 * 1024);
  }

  /** Closes the full segment (fsynced, so it can never be torn) and starts the next. */
  private async roll(): Promise<void> {
    const old = this.current;
    await this.critical(async () => {
      if (old.dirty) await old.file.datasync();
      old.dirty = false;
      old.closed = true;
      await old.file.close();
      const seq = old.info.seq + 1;
      const firstIndex = this.lastIndex + 1;
      const created = await createSegment(this.open, this.walDir, seq, firstIndex, old.crc, this.hardState);
      const file = await this.open(created.path, 'r+');
      const info = { seq, firstIndex, path: created.path };
      this.segments.push(info);
      this.current = { info, file, size: created.size, crc: created.crc, dirty: false, closed: false };
    });
  }

  private termAt(index: number): number | undefined {
    if (index === this.snap.index) return this.snap.term;
    if (index > this.snap.index && index <= this.lastIndex) return this.terms[index - this.snap.index - 1];
    return undefined;
  }

  private async doSaveSnapshot(snap: Snapshot): Promise<void> {
    const { index, term } = snap.metadata;
    if (isEmptySnapshot(snap)) throw new Error('cannot save an empty snapshot');
    if (index < this.snap.index || (index === this.snap.index && term !== this.snap.term)) {
      throw new Error(`snapshot ${index} (term ${term}) is older than the saved snapshot ${this.snap.index} (term ${this.snap.term})`);
    }
    if (index === this.snap.index) return;
    // If the log already holds the snapshot's last entry, this is compaction and the entries after it stay.
    const replacesLog = this.termAt(index) !== term;

    await this.critical(() => writeSnapshotFile(this.open, this.snapDir, snap, this.cipher));
    // A segment holding entries in clear is closed first, so that the marker
    // (which must survive) goes to the next one and the release below can
    // delete it once the snapshot covers its last entry.
    if (this.inClear.segments.has(this.current.info.path)) await this.roll();
    const cur = this.current;
    const w = this.batch;
    w.reset();
    const at = beginRecord(w, RecordType.SnapshotMarker);
    writeMarker(w, { index, term, replacesLog });
    const crc = endRecord(w, at, cur.crc);
    const bytes = w.finish();
    await this.critical(async () => {
      await writeFully(cur.file, bytes, cur.size);
      cur.size += bytes.length;
      cur.crc = crc;
      cur.dirty = true;
      await cur.file.datasync();
      cur.dirty = false;
    });

    this.terms = replacesLog ? [] : this.terms.slice(index - this.snap.index);
    this.snap = { index, term };
    if (this.hardState.commit < index) this.hardState = { ...this.hardState, commit: index };

    // Both are housekeeping: the snapshot is durable already, so a failure here
    // rejects the call but does not poison the storage.
    await this.releaseSegments(index);
    await this.pruneSnapshots();
    if (this.current.size >= this.segmentSize) await this.roll();
  }

  /**
   * Deletes the segments before the newest one that was started at or below
   * index + 1: every entry after `index` was written to that segment or a
   * later one. The current segment is never deleted.
   */
  private async releaseSegments(index: number): Promise<void> {
    let keepFrom = 0;
    for (let i = 0; i < this.segments.length; i++) if (this.segments[i].firstIndex <= index + 1) keepFrom = i;
    if (keepFrom === 0) return;
    const doomed = this.segments.slice(0, keepFrom);
    this.segments = this.segments.slice(keepFrom);
    for (const s of doomed) {
      await fsp.rm(s.path, { force: true });
      this.inClear.segments.delete(s.path);
    }
    await syncDir(this.open, this.walDir);
  }

  private async pruneSnapshots(): Promise<void> {
    const files = await listSnapshotFiles(this.snapDir);
    // Older snapshots in clear go as soon as a sealed one exists: keeping one as a fallback would keep the data in clear.
    const doomed = [...files.slice(SNAPSHOTS_KEPT), ...files.slice(1, SNAPSHOTS_KEPT).filter((f) => this.inClear.snapshots.has(f.path))];
    for (const f of doomed) this.inClear.snapshots.delete(f.path);
    if (doomed.length === 0) return;
    for (const f of doomed) await fsp.rm(f.path, { force: true });
    await syncDir(this.open, this.snapDir);
  }
}

/**
 * Picks the snapshot to start from: the newest file that verifies. A file
 * newer than the newest snapshot marker in the WAL is left over from a
 * saveSnapshot that crashed before its marker was durable (the caller never
 * saw success), so it is deleted. A damaged file is passed over for an older
 * one only if the WAL still holds every entry after that older one;
 * otherwise there is no way to rebuild the log and opening fails.
 */
async function chooseSnapshot(
  snapDir: string,
  records: WalRecord[],
  firstSegment: SegmentInfo,
  cipher: RecordCipher | undefined,
): Promise<Snapshot | undefined> {
  const marked = new Set<string>();
  let newestMarker = 0;
  for (const r of records) {
    if (r.kind !== 'marker') continue;
    marked.add(`${r.marker.index}/${r.marker.term}`);
    newestMarker = Math.max(newestMarker, r.marker.index);
  }
  let damaged: { file: SnapshotFileInfo; error: SnapshotCorruptError } | undefined;
  let chosen: Snapshot | undefined;
  for (const f of await listSnapshotFiles(snapDir)) {
    if (f.index >= newestMarker && !marked.has(`${f.index}/${f.term}`)) {
      await fsp.rm(f.path, { force: true });
      continue;
    }
    try {
      chosen = await readSnapshotFile(f, cipher);
      break;
    } catch (e) {
      if (!(e instanceof SnapshotCorruptError)) throw e;
      damaged ??= { file: f, error: e };
    }
  }
  const baseIndex = chosen?.metadata.index ?? 0;
  if (firstSegment.firstIndex > baseIndex + 1) {
    const gap = `the WAL starts at index ${firstSegment.firstIndex} but the newest usable snapshot ends at ${baseIndex}`;
    if (damaged) throw new SnapshotCorruptError(damaged.file.path, `${damaged.error.reason}, and ${gap}`);
    throw new WalCorruptError(firstSegment.path, 0, gap);
  }
  return chosen;
}

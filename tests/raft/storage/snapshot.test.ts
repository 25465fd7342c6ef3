import * as path from 'path';
import { promises as fsp } from 'fs';
import { DiskStorage, SnapshotCorruptError, WalCorruptError } from '../../../lib/raft/storage';
import { openFile } from '../../../lib/raft/storage/file-io';
import { snapshotName, writeSnapshotFile } from '../../../lib/raft/storage/snapshot-file';
import { Snapshot } from '../../../lib/raft/core/types';
import { entries, fileSize, payload, snapFiles, summary, tempDirs, walFiles } from './helpers';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

const SEGMENT = 1024;

function snap(index: number, term: number, size = 200): Snapshot {
  return { metadata: { index, term, confState: { voters: [1, 2, 3], learners: [4] } }, data: payload(index, term, size) };
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

async function open(dir: string, segmentSize = SEGMENT) {
  return DiskStorage.open(dir, { segmentSize });
}

/** Entries 1..100 of term 1 in many segments, committed to 100. */
async function fullLog(segmentSize = SEGMENT): Promise<{ dir: string; storage: DiskStorage }> {
  const dir = await dirs.make();
  const { storage } = await open(dir, segmentSize);
  for (let i = 1; i <= 100; i += 10) await storage.save({ term: 1, vote: 1, commit: i + 9 }, entries(i, i + 9, 1), true);
  return { dir, storage };
}

describe('saveSnapshot', () => {
  it('reopens to the snapshot plus only the entries after it, and deletes old segments', async () => {
    const { dir, storage } = await fullLog();
    const before = await walFiles(dir);
    await storage.saveSnapshot(snap(60, 1));
    expect(storage.snapshotIndex).toBe(60);
    await storage.close();

    const after = await walFiles(dir);
    expect(after.length).toBeLessThan(before.length);
    expect(after).not.toContain(before[0]);
    const { storage: again, state } = await open(dir);
    await again.close();
    expect(state.snapshot?.metadata).toEqual(snap(60, 1).metadata);
    expect(hex(state.snapshot?.data ?? new Uint8Array(0))).toBe(hex(snap(60, 1).data));
    expect(summary(state.entries)).toEqual(summary(entries(61, 100, 1)));
    expect(state.hardState).toEqual({ term: 1, vote: 1, commit: 100 });
  });

  it('keeps appending after a snapshot and refuses entries the snapshot covers', async () => {
    const { dir, storage } = await fullLog();
    await storage.saveSnapshot(snap(60, 1));
    await storage.save({ term: 2, vote: 2, commit: 100 }, entries(101, 110, 2), true);
    await expect(storage.save(undefined, entries(60, 60, 2), true)).rejects.toThrow(/after snapshot 60/);
    await storage.close();
    const { storage: again, state } = await open(dir);
    await again.close();
    expect(summary(state.entries)).toEqual(summary([...entries(61, 100, 1), ...entries(101, 110, 2)]));
  });

  it('keeps only the newest two snapshot files', async () => {
    const { dir, storage } = await fullLog();
    await storage.saveSnapshot(snap(30, 1));
    await storage.saveSnapshot(snap(60, 1));
    await storage.saveSnapshot(snap(90, 1));
    await storage.close();
    expect(await snapFiles(dir)).toEqual([snapshotName(60, 1), snapshotName(90, 1)]);
    const { storage: again, state } = await open(dir);
    await again.close();
    expect(state.snapshot?.metadata.index).toBe(90);
    expect(state.entries.map((e) => e.index)).toEqual([91, 92, 93, 94, 95, 96, 97, 98, 99, 100]);
  });

  it('ignores a temp file left by a crash before the rename', async () => {
    const { dir, storage } = await fullLog();
    await storage.saveSnapshot(snap(40, 1));
    await storage.close();
    // What a crash between writing the temp file and renaming it leaves behind.
    const stray = path.join(dir, 'snap', `${snapshotName(80, 1)}.tmp`);
    await fsp.writeFile(stray, Buffer.from('half a snapshot'));
    const strayWal = path.join(dir, 'wal', '0000000000000099-0000000000000099.wal.tmp');
    await fsp.writeFile(strayWal, Buffer.from('half a segment'));

    const { storage: again, state } = await open(dir);
    await again.close();
    expect(state.snapshot?.metadata.index).toBe(40);
    expect(state.entries.map((e) => e.index)[0]).toBe(41);
    await expect(fsp.stat(stray)).rejects.toThrow(/ENOENT/);
    await expect(fsp.stat(strayWal)).rejects.toThrow(/ENOENT/);
  });

  it('ignores a snapshot file whose WAL marker never became durable', async () => {
    const { dir, storage } = await fullLog();
    await storage.saveSnapshot(snap(40, 1));
    await storage.close();
    // A crash after the rename but before the marker was synced: saveSnapshot never resolved.
    await writeSnapshotFile(openFile, path.join(dir, 'snap'), snap(80, 1));

    const { storage: again, state } = await open(dir);
    await again.close();
    expect(state.snapshot?.metadata.index).toBe(40);
    expect(state.entries.map((e) => e.index).at(-1)).toBe(100);
    expect(await snapFiles(dir)).toEqual([snapshotName(40, 1)]);
  });

  it('falls back to an older snapshot when the newest is damaged and the WAL covers the gap', async () => {
    const { dir, storage } = await fullLog(1 << 20);
    await storage.saveSnapshot(snap(30, 1));
    await storage.saveSnapshot(snap(60, 1));
    await storage.close();
    const newest = path.join(dir, 'snap', snapshotName(60, 1));
    const b = await fsp.readFile(newest);
    b[b.length - 1] ^= 1;
    await fsp.writeFile(newest, b);

    const { storage: again, state } = await open(dir, 1 << 20);
    await again.close();
    expect(state.snapshot?.metadata.index).toBe(30);
    expect(summary(state.entries)).toEqual(summary(entries(31, 100, 1)));
  });

  it('fails, naming the file, when the newest snapshot is damaged and the WAL no longer covers the gap', async () => {
    const { dir, storage } = await fullLog();
    await storage.saveSnapshot(snap(30, 1));
    await storage.saveSnapshot(snap(90, 1));
    await storage.close();
    const newest = path.join(dir, 'snap', snapshotName(90, 1));
    await fsp.truncate(newest, (await fileSize(newest)) - 10);
    const err = await open(dir).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SnapshotCorruptError);
    expect((err as SnapshotCorruptError).file).toBe(newest);
    expect(String(err)).toMatch(/checksum mismatch, and the WAL starts at index/);
  });

  it('fails when segments were lost and no snapshot covers them', async () => {
    const { dir, storage } = await fullLog();
    await storage.close();
    const files = await walFiles(dir);
    await fsp.rm(files[0]);
    await expect(open(dir)).rejects.toThrow(WalCorruptError);
  });
});

describe('a snapshot that replaces the log (a lagging follower installs the leader snapshot)', () => {
  it('drops every stale entry written before it, even those past its index', async () => {
    const { dir, storage } = await fullLog();
    // Our entry 50 has term 1; the leader's snapshot says term 3, so our log conflicts.
    await storage.saveSnapshot(snap(50, 3));
    expect(storage.lastIndex).toBe(50);
    await storage.close();
    let { storage: again, state } = await open(dir);
    expect(state.snapshot?.metadata.index).toBe(50);
    expect(state.entries).toEqual([]);
    expect(state.hardState.commit).toBe(100);

    await again.save({ term: 3, vote: 0, commit: 52 }, entries(51, 52, 3), true);
    await again.close();
    ({ storage: again, state } = await open(dir));
    await again.close();
    expect(summary(state.entries)).toEqual(summary(entries(51, 52, 3)));
  });

  it('raises the commit index to the snapshot when the hard state after it was not saved', async () => {
    const dir = await dirs.make();
    const { storage } = await open(dir);
    await storage.save({ term: 1, vote: 1, commit: 2 }, entries(1, 3, 1), true);
    await storage.saveSnapshot(snap(500, 4));
    await storage.close();
    const { storage: again, state } = await open(dir);
    await again.close();
    expect(state.hardState).toEqual({ term: 1, vote: 1, commit: 500 });
    expect(state.entries).toEqual([]);
  });

  it('cannot be replayed without its file', async () => {
    const dir = await dirs.make();
    const { storage } = await open(dir, 1 << 20);
    await storage.save({ term: 1, vote: 1, commit: 3 }, entries(1, 3, 1), true);
    await storage.saveSnapshot(snap(500, 4));
    await storage.save(undefined, entries(501, 502, 4), true);
    await storage.close();
    const file = path.join(dir, 'snap', snapshotName(500, 4));
    await fsp.writeFile(file, Buffer.from('garbage'));
    await expect(open(dir, 1 << 20)).rejects.toThrow(/replaced by snapshot 500/);
  });
});

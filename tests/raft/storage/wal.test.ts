import * as path from 'path';
import { promises as fsp } from 'fs';
import { DiskStorage } from '../../../lib/raft/storage';
import { crc32, crc32Portable } from '../../../lib/raft/storage/crc32';
import { EntryType } from '../../../lib/raft/core/types';
import { entries, entry, summary, tempDirs, walFiles } from './helpers';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

describe('DiskStorage round trip', () => {
  it('starts empty in a new directory, created with mode 0700', async () => {
    const dir = path.join(await dirs.make(), 'node1');
    const { storage, state } = await DiskStorage.open(dir);
    await storage.close();
    expect(state).toEqual({ hardState: { term: 0, vote: 0, commit: 0 }, entries: [] });
    for (const d of [dir, path.join(dir, 'wal'), path.join(dir, 'snap')]) {
      expect((await fsp.stat(d)).mode & 0o777).toBe(0o700);
    }
  });

  it('returns exactly what was saved, across many segments', async () => {
    const dir = await dirs.make();
    const { storage } = await DiskStorage.open(dir, { segmentSize: 1024 });
    const saved = [];
    for (let i = 1; i <= 200; i += 5) {
      const batch = entries(i, i + 4, 1 + Math.floor(i / 50), (i * 3) % 300);
      saved.push(...batch);
      await storage.save({ term: 1 + Math.floor(i / 50), vote: 2, commit: i }, batch, i % 2 === 0);
    }
    saved.push({ index: 201, term: 5, type: EntryType.ConfChange, data: new Uint8Array(0) });
    await storage.save(undefined, [saved[200]], true);
    await storage.close();
    expect((await walFiles(dir)).length).toBeGreaterThan(10);

    const { storage: again, state } = await DiskStorage.open(dir, { segmentSize: 1024 });
    await again.close();
    expect(state.snapshot).toBeUndefined();
    expect(state.hardState).toEqual({ term: 4, vote: 2, commit: 196 });
    expect(summary(state.entries)).toEqual(summary(saved));
  });

  it('replays an overwritten suffix as the new leader wrote it', async () => {
    const dir = await dirs.make();
    const { storage } = await DiskStorage.open(dir, { segmentSize: 512 });
    await storage.save({ term: 1, vote: 1, commit: 5 }, entries(1, 20, 1), true);
    await storage.save({ term: 2, vote: 0, commit: 5 }, entries(8, 12, 2), true);
    await storage.save(undefined, entries(13, 14, 2), true);
    await storage.save({ term: 3, vote: 3, commit: 6 }, entries(10, 10, 3), true);
    expect(storage.lastIndex).toBe(10);
    await storage.close();

    const { storage: again, state } = await DiskStorage.open(dir, { segmentSize: 512 });
    await again.close();
    expect(state.hardState).toEqual({ term: 3, vote: 3, commit: 6 });
    expect(summary(state.entries)).toEqual(summary([...entries(1, 7, 1), ...entries(8, 9, 2), entry(10, 3)]));
  });

  it('keeps appending cleanly after a reopen', async () => {
    const dir = await dirs.make();
    let { storage } = await DiskStorage.open(dir);
    await storage.save({ term: 1, vote: 1, commit: 0 }, entries(1, 3, 1), true);
    await storage.close();
    ({ storage } = await DiskStorage.open(dir));
    await storage.save({ term: 1, vote: 1, commit: 3 }, entries(4, 6, 1), true);
    await storage.close();
    const { storage: s3, state } = await DiskStorage.open(dir);
    await s3.close();
    expect(state.hardState.commit).toBe(3);
    expect(summary(state.entries)).toEqual(summary(entries(1, 6, 1)));
  });

  it('makes unsynced writes durable on close', async () => {
    const dir = await dirs.make();
    const { storage } = await DiskStorage.open(dir);
    await storage.save({ term: 1, vote: 0, commit: 0 }, entries(1, 2, 1), false);
    await storage.close();
    const { storage: again, state } = await DiskStorage.open(dir);
    await again.close();
    expect(state.entries.map((e) => e.index)).toEqual([1, 2]);
  });

  it('refuses entries that would leave a hole, then keeps working', async () => {
    const dir = await dirs.make();
    const { storage } = await DiskStorage.open(dir);
    await storage.save(undefined, entries(1, 3, 1), true);
    await expect(storage.save(undefined, entries(5, 6, 1), true)).rejects.toThrow(/log ends at 3/);
    await expect(storage.save(undefined, [entry(4, 1), entry(6, 1)], true)).rejects.toThrow(/not contiguous/);
    await storage.save(undefined, entries(4, 4, 1), true);
    await storage.close();
    await expect(storage.save(undefined, entries(5, 5, 1), true)).rejects.toThrow(/closed/);
    const { storage: again, state } = await DiskStorage.open(dir);
    await again.close();
    expect(state.entries.map((e) => e.index)).toEqual([1, 2, 3, 4]);
  });

  it('runs concurrent calls in the order they were made', async () => {
    const dir = await dirs.make();
    const { storage } = await DiskStorage.open(dir);
    await Promise.all([1, 2, 3, 4, 5].map((i) => storage.save({ term: i, vote: 0, commit: 0 }, [entry(i, i)], i % 2 === 1)));
    await storage.close();
    const { storage: again, state } = await DiskStorage.open(dir);
    await again.close();
    expect(state.hardState.term).toBe(5);
    expect(state.entries.map((e) => e.term)).toEqual([1, 2, 3, 4, 5]);
  });

  it('keeps the latest hard state when the segments that held it are deleted', async () => {
    const dir = await dirs.make();
    const { storage } = await DiskStorage.open(dir, { segmentSize: 256 });
    await storage.save({ term: 7, vote: 3, commit: 0 }, [], true);
    const [first] = await walFiles(dir);
    await storage.save(undefined, entries(1, 30, 7), true);
    await storage.saveSnapshot({ metadata: { index: 30, term: 7, confState: { voters: [1], learners: [] } }, data: new Uint8Array(3) });
    await storage.close();
    expect(await walFiles(dir)).not.toContain(first);
    const { storage: again, state } = await DiskStorage.open(dir, { segmentSize: 256 });
    await again.close();
    expect(state.hardState).toEqual({ term: 7, vote: 3, commit: 30 });
  });
});

describe('crc32', () => {
  it('computes the same value in the portable fallback as zlib', () => {
    const data = Uint8Array.from({ length: 1000 }, (_, i) => (i * 37) & 0xff);
    expect(crc32Portable(Buffer.from('123456789'), 0)).toBe(0xcbf43926);
    expect(crc32Portable(data, 12345)).toBe(crc32(data, 12345));
    expect(crc32(data.subarray(500), crc32(data.subarray(0, 500), 0))).toBe(crc32(data, 0));
  });
});

import { DiskStorage, StorageFailedError } from '../../../lib/raft/storage';
import { entries, flakyDisk, payload, tempDirs } from './helpers';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

describe('an fsync failure', () => {
  it('rejects the save, is not retried, and fails every later call', async () => {
    const dir = await dirs.make();
    const { disk, open } = flakyDisk();
    const { storage } = await DiskStorage.open(dir, { openFile: open });
    await storage.save({ term: 1, vote: 1, commit: 0 }, entries(1, 5, 1), true);

    disk.failing = true;
    await expect(storage.save(undefined, entries(6, 6, 1), true)).rejects.toThrow(/EIO/);
    disk.failing = false;
    const syncsAfterFailure = disk.datasyncs;

    await expect(storage.save(undefined, entries(7, 7, 1), true)).rejects.toThrow(StorageFailedError);
    await expect(storage.save(undefined, [], true)).rejects.toThrow(/failed earlier.*EIO/);
    const snap = { metadata: { index: 5, term: 1, confState: { voters: [1], learners: [] } }, data: payload(5, 1, 10) };
    await expect(storage.saveSnapshot(snap)).rejects.toThrow(StorageFailedError);
    expect(disk.datasyncs).toBe(syncsAfterFailure);
    await storage.close();

    // What was synced before the failure is still there for the restarted process.
    const { storage: again, state } = await DiskStorage.open(dir);
    await again.close();
    expect(state.entries.slice(0, 5).map((e) => e.index)).toEqual([1, 2, 3, 4, 5]);
  });

  it('while writing a snapshot file rejects saveSnapshot and poisons the storage', async () => {
    const dir = await dirs.make();
    const { disk, open } = flakyDisk();
    const { storage } = await DiskStorage.open(dir, { openFile: open });
    await storage.save({ term: 1, vote: 1, commit: 5 }, entries(1, 5, 1), true);
    disk.failing = true;
    const snap = { metadata: { index: 5, term: 1, confState: { voters: [1], learners: [] } }, data: payload(5, 1, 10) };
    await expect(storage.saveSnapshot(snap)).rejects.toThrow(/EIO/);
    disk.failing = false;
    await expect(storage.save(undefined, entries(6, 6, 1), true)).rejects.toThrow(StorageFailedError);
    await storage.close();

    const { storage: again, state } = await DiskStorage.open(dir);
    await again.close();
    expect(state.snapshot).toBeUndefined();
    expect(state.entries.map((e) => e.index)).toEqual([1, 2, 3, 4, 5]);
  });
});

import { promises as fsp } from 'fs';
import { DiskStorage, WalCorruptError } from '../../../lib/raft/storage';
import { entries, entry, fileSize, flipByte, summary, tempDirs, walFiles } from './helpers';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

const SEGMENT = 2048;

/**
 * A WAL of several segments whose last segment ends with two records saved
 * by separate calls; returns where those records start and end.
 */
async function buildWal(): Promise<{ dir: string; last: string; prevStart: number; lastStart: number; end: number }> {
  const dir = await dirs.make();
  const { storage } = await DiskStorage.open(dir, { segmentSize: SEGMENT });
  for (let i = 1; i <= 160; i += 20) await storage.save({ term: 1, vote: 1, commit: i }, entries(i, i + 19, 1), true);
  await storage.save(undefined, [entry(161, 1)], true);
  const last = (await walFiles(dir)).at(-1) as string;
  const prevStart = await fileSize(last);
  await storage.save(undefined, [entry(162, 1)], true);
  const lastStart = await fileSize(last);
  await storage.save(undefined, [entry(163, 1, 64)], true);
  const end = await fileSize(last);
  await storage.close();
  expect((await walFiles(dir)).length).toBeGreaterThan(3);
  expect((await walFiles(dir)).at(-1)).toBe(last);
  return { dir, last, prevStart, lastStart, end };
}

async function reopen(dir: string) {
  const { storage, state } = await DiskStorage.open(dir, { segmentSize: SEGMENT });
  return { storage, state };
}

async function copyOf(dir: string): Promise<string> {
  const copy = await dirs.make();
  await fsp.cp(dir, copy, { recursive: true });
  return copy;
}

describe('torn tail of the last segment', () => {
  it('is cut at every byte offset inside the last record, and later appends are clean', async () => {
    const wal = await buildWal();
    const name = wal.last.slice(wal.dir.length);
    for (let cut = wal.lastStart; cut < wal.end; cut++) {
      const dir = await copyOf(wal.dir);
      await fsp.truncate(dir + name, cut);

      const { storage, state } = await reopen(dir);
      expect(state.entries.at(-1)?.index).toBe(162);
      expect(await fileSize(dir + name)).toBe(wal.lastStart);
      await storage.save({ term: 2, vote: 2, commit: 162 }, [entry(163, 2)], true);
      await storage.close();

      const { storage: again, state: after } = await reopen(dir);
      await again.close();
      expect(summary(after.entries)).toEqual(summary([...entries(1, 162, 1), entry(163, 2)]));
      expect(after.hardState).toEqual({ term: 2, vote: 2, commit: 162 });
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });

  it('treats zeros after the last record (allocated, never written) as a torn tail', async () => {
    const wal = await buildWal();
    await fsp.appendFile(wal.last, new Uint8Array(4096));
    const { storage, state } = await reopen(wal.dir);
    await storage.close();
    expect(state.entries.at(-1)?.index).toBe(163);
    expect(await fileSize(wal.last)).toBe(wal.end);
  });

  it('treats a last record whose bytes were zeroed (written size, lost data) as torn', async () => {
    const wal = await buildWal();
    const b = await fsp.readFile(wal.last);
    b.fill(0, wal.lastStart + 20, wal.end);
    await fsp.writeFile(wal.last, b);
    const { storage, state } = await reopen(wal.dir);
    await storage.close();
    expect(state.entries.at(-1)?.index).toBe(162);
  });
});

describe('corruption', () => {
  it('anywhere in an earlier record of the last segment is fatal, naming file and offset', async () => {
    const wal = await buildWal();
    for (let at = wal.prevStart; at < wal.lastStart; at++) {
      const dir = await copyOf(wal.dir);
      const file = dir + wal.last.slice(wal.dir.length);
      await flipByte(file, at);
      const err = await reopen(dir).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(WalCorruptError);
      const wce = err as WalCorruptError;
      expect({ file: wce.file, offset: wce.offset }).toEqual({ file, offset: wal.prevStart });
      expect(wce.message).toContain(file);
      expect(wce.message).toContain(`offset ${wal.prevStart}`);
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });

  it('even in the very last record of a segment that is not the last is fatal', async () => {
    const wal = await buildWal();
    const first = (await walFiles(wal.dir))[0];
    const size = await fileSize(first);
    await flipByte(first, size - 3);
    await expect(reopen(wal.dir)).rejects.toThrow(WalCorruptError);
    await expect(reopen(wal.dir)).rejects.toThrow(first);
  });

  it('a truncated segment that is not the last is fatal', async () => {
    const wal = await buildWal();
    const second = (await walFiles(wal.dir))[1];
    await fsp.truncate(second, (await fileSize(second)) - 1);
    await expect(reopen(wal.dir)).rejects.toThrow(new RegExp(`${second}.*runs past the end`));
  });

  it('a missing segment in the middle is fatal', async () => {
    const wal = await buildWal();
    const files = await walFiles(wal.dir);
    await fsp.rm(files[1]);
    await expect(reopen(wal.dir)).rejects.toThrow(/segment 2 is missing/);
  });

  it('non-zero garbage after the last record is fatal, not silently cut', async () => {
    const wal = await buildWal();
    await fsp.appendFile(wal.last, Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7]));
    await expect(reopen(wal.dir)).rejects.toThrow(new RegExp(`${wal.last} at byte offset ${wal.end}`));
  });
});

// Encryption at rest (record-cipher.ts): what DiskStorage writes with a data
// key is unreadable without it, a wrong key or altered bytes are a clear
// error, and data dirs written before there was a key still open.

import { randomBytes } from 'crypto';
import * as path from 'path';
import { promises as fsp } from 'fs';
import { AesGcmRecordCipher, DiskStorage, RecordKeyError } from '../../../lib/raft/storage';
import { Entry, EntryType } from '../../../lib/raft/core/types';
import { summary, tempDirs } from './helpers';
import { filesContaining, filesUnder } from '../../helpers/files';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

const MARKER = 'marker-7c1f2e9a-do-not-store-in-clear';

function markedEntry(index: number, term = 1): Entry {
  return { index, term, type: EntryType.Normal, data: Buffer.from(`{"password":"${MARKER}-${index}"}`) };
}

describe('AesGcmRecordCipher', () => {
  const key = randomBytes(32);
  const cipher = new AesGcmRecordCipher(key);
  const plain = Buffer.from(`secret: ${MARKER}`);

  it('round-trips, with a fresh nonce every time', () => {
    const a = cipher.seal(plain, 'entry');
    const b = cipher.seal(plain, 'entry');
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
    expect(Buffer.from(a).includes(Buffer.from(MARKER))).toBe(false);
    expect(Buffer.from(cipher.open(a, 'entry')).toString()).toBe(plain.toString());
    expect(Buffer.from(cipher.open(cipher.seal(new Uint8Array(0), 'snapshot'), 'snapshot')).length).toBe(0);
  });

  it('refuses any altered byte, naming the alteration', () => {
    const sealed = Buffer.from(cipher.seal(plain, 'entry'));
    // Skip the version and key id bytes: those have their own errors, tested below.
    for (let i = 5; i < sealed.length; i++) {
      const bad = Buffer.from(sealed);
      bad[i] ^= 0x01;
      expect(() => cipher.open(bad, 'entry')).toThrow(/failed authentication: it was altered/);
    }
    expect(() => cipher.open(sealed.subarray(0, 20), 'entry')).toThrow(RecordKeyError);
  });

  it('tells another key apart from damage', () => {
    const other = new AesGcmRecordCipher(randomBytes(32));
    expect(() => other.open(cipher.seal(plain, 'entry'), 'entry')).toThrow(/encrypted with another key \(key id [0-9a-f]{8}; this node's data key is [0-9a-f]{8}\)/);
  });

  it('does not let an entry pass for a snapshot', () => {
    expect(() => cipher.open(cipher.seal(plain, 'entry'), 'snapshot')).toThrow(/failed authentication/);
  });

  it('seals a big snapshot in slices, giving the event loop turns, into what open() reads', async () => {
    const big = randomBytes(3 * 1024 * 1024 + 17);
    let turns = 0;
    const tick = (): void => {
      turns++;
      if (!done) setImmediate(tick);
    };
    let done = false;
    setImmediate(tick);
    const sealed = await cipher.sealSliced(big, 'snapshot');
    done = true;
    expect(turns).toBeGreaterThanOrEqual(3);
    expect(Buffer.from(cipher.open(sealed, 'snapshot')).equals(big)).toBe(true);
    expect(sealed.length).toBe(cipher.seal(big, 'snapshot').length);
    expect(Buffer.from(cipher.open(await cipher.sealSliced(plain, 'entry'), 'entry')).toString()).toBe(plain.toString());
  });

  it('wants a 256-bit key', () => {
    expect(() => new AesGcmRecordCipher(randomBytes(16))).toThrow(/32 bytes, got 16/);
  });
});

describe('DiskStorage with a data key', () => {
  const cipher = new AesGcmRecordCipher(randomBytes(32));

  it('writes no entry data or snapshot data in clear, and reads it all back', async () => {
    const dir = await dirs.make();
    const { storage } = await DiskStorage.open(dir, { cipher, segmentSize: 512 });
    const saved = Array.from({ length: 40 }, (_, i) => markedEntry(i + 1));
    for (let i = 0; i < saved.length; i += 4) await storage.save({ term: 1, vote: 1, commit: i + 4 }, saved.slice(i, i + 4), true);
    await storage.saveSnapshot({
      metadata: { index: 20, term: 1, confState: { voters: [1], learners: [] } },
      data: Buffer.from(`{"store":"${MARKER}-snapshot"}`),
    });
    await storage.close();
    expect(await filesContaining(dir, MARKER)).toEqual([]);

    const { storage: again, state } = await DiskStorage.open(dir, { cipher, segmentSize: 512 });
    await again.close();
    expect(Buffer.from(state.snapshot?.data ?? []).toString()).toBe(`{"store":"${MARKER}-snapshot"}`);
    expect(summary(state.entries)).toEqual(summary(saved.slice(20)));
  });

  it('refuses to open without the key or with another one, and changes nothing', async () => {
    const dir = await dirs.make();
    const { storage } = await DiskStorage.open(dir, { cipher });
    await storage.save({ term: 1, vote: 1, commit: 1 }, [markedEntry(1)], true);
    await storage.close();
    const before = await Promise.all((await filesUnder(dir)).map((f) => fsp.readFile(f)));

    await expect(DiskStorage.open(dir)).rejects.toThrow(/holds encrypted entries and no data key was given/);
    await expect(DiskStorage.open(dir, { cipher: new AesGcmRecordCipher(randomBytes(32)) })).rejects.toThrow(/encrypted with another key/);
    const after = await Promise.all((await filesUnder(dir)).map((f) => fsp.readFile(f)));
    expect(after).toEqual(before);
  });

  it('refuses a sealed snapshot it cannot open rather than fall back to an older state', async () => {
    const dir = await dirs.make();
    // Entries written in clear, so that only the snapshot is sealed.
    const { storage: plain } = await DiskStorage.open(dir);
    await plain.save({ term: 1, vote: 1, commit: 2 }, [markedEntry(1), markedEntry(2)], true);
    await plain.close();
    const { storage } = await DiskStorage.open(dir, { cipher });
    await storage.saveSnapshot({ metadata: { index: 2, term: 1, confState: { voters: [1], learners: [] } }, data: Buffer.from('state') });
    await storage.close();
    const snap = (await filesUnder(path.join(dir, 'snap')))[0];
    await expect(DiskStorage.open(dir, { cipher: new AesGcmRecordCipher(randomBytes(32)) })).rejects.toThrow(
      new RegExp(`${snap.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: snapshot was encrypted with another key`),
    );
  });

  it('opens a data dir written in clear, and an old cluster becomes fully encrypted after its next snapshot and segment', async () => {
    const dir = await dirs.make();
    const { storage: plain } = await DiskStorage.open(dir, { segmentSize: 512 });
    const old = Array.from({ length: 10 }, (_, i) => markedEntry(i + 1));
    await plain.save({ term: 1, vote: 1, commit: 10 }, old, true);
    await plain.close();
    expect((await filesContaining(dir, MARKER)).length).toBeGreaterThan(0);

    const { storage, state } = await DiskStorage.open(dir, { cipher, segmentSize: 512 });
    expect(summary(state.entries)).toEqual(summary(old));
    const newer = Array.from({ length: 20 }, (_, i) => markedEntry(i + 11));
    for (let i = 0; i < newer.length; i += 2) await storage.save({ term: 1, vote: 1, commit: 12 + i }, newer.slice(i, i + 2), true);
    // Both kinds side by side until a snapshot covers the old ones.
    const { storage: mixed, state: both } = await readBack(storage, dir);
    expect(summary(both.entries)).toEqual(summary([...old, ...newer]));

    await mixed.saveSnapshot({ metadata: { index: 28, term: 1, confState: { voters: [1], learners: [] } }, data: Buffer.from(MARKER) });
    await mixed.close();
    expect(await filesContaining(dir, MARKER)).toEqual([]);
  });

  async function readBack(s: DiskStorage, dir: string) {
    await s.close();
    return DiskStorage.open(dir, { cipher, segmentSize: 512 });
  }
});

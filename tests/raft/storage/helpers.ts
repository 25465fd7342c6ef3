// Shared fixtures for the storage tests: temp dirs, deterministic entries, a failing disk.

import * as os from 'os';
import { OpenFile } from '../../../lib/raft/storage';
import { openFile } from '../../../lib/raft/storage/file-io';
import * as path from 'path';
import { promises as fsp } from 'fs';
import { Entry, EntryType } from '../../../lib/raft/core/types';

/** A fresh temp dir per test; `cleanup` removes them all. */
export function tempDirs(): { make: () => Promise<string>; cleanup: () => Promise<void> } {
  const made: string[] = [];
  return {
    make: async () => {
      const d = await fsp.mkdtemp(path.join(os.tmpdir(), 'swarm-wal-'));
      made.push(d);
      return d;
    },
    cleanup: async () => {
      await Promise.all(made.splice(0).map((d) => fsp.rm(d, { recursive: true, force: true })));
    },
  };
}

export function payload(index: number, term: number, size: number): Uint8Array {
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i++) b[i] = (index * 7 + term * 13 + i) & 0xff;
  return b;
}

export function entry(index: number, term: number, size = 32): Entry {
  return { index, term, type: EntryType.Normal, data: payload(index, term, size) };
}

export function entries(from: number, to: number, term: number, size = 32): Entry[] {
  const out: Entry[] = [];
  for (let i = from; i <= to; i++) out.push(entry(i, term, size));
  return out;
}

/** Entries in a form jest compares quickly and prints readably on failure. */
export function summary(es: Entry[]): string[] {
  return es.map((e) => `${e.index}/${e.term}/${e.type}/${Buffer.from(e.data).toString('hex')}`);
}

export async function walFiles(dir: string): Promise<string[]> {
  return (await fsp.readdir(path.join(dir, 'wal'))).filter((n) => n.endsWith('.wal')).sort().map((n) => path.join(dir, 'wal', n));
}

export async function snapFiles(dir: string): Promise<string[]> {
  return (await fsp.readdir(path.join(dir, 'snap'))).sort();
}

export async function fileSize(file: string): Promise<number> {
  return (await fsp.stat(file)).size;
}

export async function flipByte(file: string, offset: number): Promise<void> {
  const b = await fsp.readFile(file);
  b[offset] ^= 0xff;
  await fsp.writeFile(file, b);
}

/** Real files whose fsync calls fail with EIO while `failing` is set, and are counted. */
export function flakyDisk() {
  const disk = { failing: false, datasyncs: 0, syncs: 0 };
  const eio = () => Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
  const open: OpenFile = async (p, flags, mode) => {
    const f = await openFile(p, flags, mode);
    return {
      write: (b, o, l, pos) => f.write(b, o, l, pos),
      datasync: async () => {
        disk.datasyncs++;
        if (disk.failing) throw eio();
        await f.datasync();
      },
      sync: async () => {
        disk.syncs++;
        if (disk.failing) throw eio();
        await f.sync();
      },
      truncate: (n) => f.truncate(n),
      close: () => f.close(),
    };
  };
  return { disk, open };
}

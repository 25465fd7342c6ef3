// The file operations the WAL and snapshotter need, behind a small interface so
// tests can inject failures (a failing fdatasync) without touching the disk
// layer. The default is fs/promises: every call is asynchronous.

import { promises as fsp } from 'fs';

export interface StorageFile {
  write(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  /** Flushes data (and the size, if it changed) but not other metadata. */
  datasync(): Promise<void>;
  /** Flushes data and all metadata; also the way to make a directory's entries durable. */
  sync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

/** `flags` as for fs.open ('r', 'r+', 'wx'); `mode` applies when the file is created. */
export type OpenFile = (path: string, flags: string, mode?: number) => Promise<StorageFile>;

export const openFile: OpenFile = (path, flags, mode) => fsp.open(path, flags, mode);

export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

/** Writes all of `buffer` at `position`, looping over short writes. */
export async function writeFully(f: StorageFile, buffer: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < buffer.length) {
    const { bytesWritten } = await f.write(buffer, done, buffer.length - done, position + done);
    if (bytesWritten <= 0) throw new Error(`write made no progress at byte ${position + done}`);
    done += bytesWritten;
  }
}

/** Makes a rename, create or unlink in `dir` durable. */
export async function syncDir(open: OpenFile, dir: string): Promise<void> {
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

/**
 * Writes `parts` to `path` so that a reader sees either the old state or the
 * complete new file: temp file, write, fsync, rename, fsync the directory.
 */
export async function writeFileAtomic(open: OpenFile, dir: string, path: string, parts: Uint8Array[]): Promise<void> {
  const tmp = `${path}${TEMP_SUFFIX}`;
  // A temp file left by an earlier crash is garbage; 'w' replaces it.
  const f = await open(tmp, 'w', FILE_MODE);
  try {
    let pos = 0;
    for (const p of parts) {
      await writeFully(f, p, pos);
      pos += p.length;
    }
    await f.sync();
  } finally {
    await f.close();
  }
  await fsp.rename(tmp, path);
  await syncDir(open, dir);
}

export const TEMP_SUFFIX = '.tmp';

/** Removes temp files an interrupted writeFileAtomic left behind. */
export async function removeTempFiles(dir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await fsp.readdir(dir)) {
    if (name.endsWith(TEMP_SUFFIX)) {
      await fsp.rm(`${dir}/${name}`, { force: true });
      removed.push(name);
    }
  }
  return removed;
}

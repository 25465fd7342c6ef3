// Snapshot files: `<index>-<term>.snap` (16 hex digits each, so names sort by
// index), written atomically by writeFileAtomic. Layout:
//
//   "SWRMSNAP"  8-byte magic
//   u8          format version: 1 plaintext data, 2 data sealed by the storage's RecordCipher
//   u32         CRC-32 of everything after the header (meta + data)
//   u32         length of meta
//   meta        snapshot metadata (codec body) + varint length of data
//   data        the application's snapshot, written as is (no copy into a bigger buffer),
//               or in version 2 sealed (record-cipher.ts); the metadata (index, term,
//               membership) stays readable in both
//
// A big snapshot is checksummed and written a piece (PIECE bytes) at a time,
// with a turn of the event loop between checksum pieces, so that tens of MiB
// do not hold up heartbeats.

import * as path from 'path';
import { promises as fsp } from 'fs';
import { BinaryReader, BinaryWriter, readSnapshotMetadata, writeSnapshotMetadata } from '../codec';
import { Snapshot } from '../core/types';
import { crc32 } from './crc32';
import { SnapshotCorruptError } from './errors';
import { OpenFile, writeFileAtomic } from './file-io';
import { RecordCipher, RecordKeyError } from './record-cipher';

const MAGIC = Buffer.from('SWRMSNAP', 'latin1');
const PLAIN = 1;
const SEALED = 2;
const HEADER_SIZE = MAGIC.length + 1 + 4 + 4;
const NAME = /^([0-9a-f]{16})-([0-9a-f]{16})\.snap$/;
const PIECE = 1024 * 1024;

function pieces(data: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < data.length; at += PIECE) out.push(data.subarray(at, Math.min(at + PIECE, data.length)));
  return out;
}

/** CRC-32 of `parts` in turn, yielding to the event loop between pieces of a big one. */
async function crcInPieces(parts: Uint8Array[]): Promise<number> {
  let crc = 0;
  for (const part of parts) {
    for (const piece of pieces(part)) {
      crc = crc32(piece, crc);
      if (part.length > PIECE) await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return crc;
}

export interface SnapshotFileInfo {
  index: number;
  term: number;
  path: string;
}

const hex16 = (n: number) => n.toString(16).padStart(16, '0');

export function snapshotName(index: number, term: number): string {
  return `${hex16(index)}-${hex16(term)}.snap`;
}

/** Snapshot files in `dir`, newest (highest index) first. */
export async function listSnapshotFiles(dir: string): Promise<SnapshotFileInfo[]> {
  const out: SnapshotFileInfo[] = [];
  for (const name of await fsp.readdir(dir)) {
    const m = NAME.exec(name);
    if (m) out.push({ index: parseInt(m[1], 16), term: parseInt(m[2], 16), path: path.join(dir, name) });
  }
  return out.sort((a, b) => b.index - a.index || b.term - a.term);
}

/** With `cipher`, the data is sealed a slice at a time, as the checksum is computed, so heartbeats go on meanwhile. */
export async function writeSnapshotFile(open: OpenFile, dir: string, snap: Snapshot, cipher?: RecordCipher): Promise<string> {
  const data = cipher ? await cipher.sealSliced(snap.data, 'snapshot') : snap.data;
  const meta = new BinaryWriter(64);
  writeSnapshotMetadata(meta, snap.metadata);
  meta.varint(data.length);
  const metaBytes = meta.finish();
  const header = new BinaryWriter(HEADER_SIZE);
  header.raw(MAGIC);
  header.u8(cipher ? SEALED : PLAIN);
  header.u32(await crcInPieces([metaBytes, data]));
  header.u32(metaBytes.length);
  const file = path.join(dir, snapshotName(snap.metadata.index, snap.metadata.term));
  await writeFileAtomic(open, dir, file, [header.finish(), metaBytes, ...pieces(data)]);
  return file;
}

/** Whether the file's data is sealed (format version 2), from its header alone; a damaged header counts as not. */
export async function isSealedSnapshotFile(file: string): Promise<boolean> {
  const fh = await fsp.open(file, 'r');
  try {
    const head = Buffer.alloc(MAGIC.length + 1);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    return bytesRead === head.length && MAGIC.equals(head.subarray(0, MAGIC.length)) && head[MAGIC.length] === SEALED;
  } finally {
    await fh.close();
  }
}

/**
 * Reads and verifies a snapshot file; `data` is a view into the file's buffer
 * (plaintext) or the opened copy (sealed). A sealed file that `cipher` cannot
 * open throws RecordKeyError: not damage, so no older snapshot is tried instead.
 */
export async function readSnapshotFile(info: SnapshotFileInfo, cipher?: RecordCipher): Promise<Snapshot> {
  const buf = await fsp.readFile(info.path);
  const bad = (reason: string) => new SnapshotCorruptError(info.path, reason);
  if (buf.length < HEADER_SIZE || !MAGIC.equals(buf.subarray(0, MAGIC.length))) throw bad('not a snapshot file');
  const r = new BinaryReader(buf);
  r.raw(MAGIC.length);
  const version = r.u8();
  if (version !== PLAIN && version !== SEALED) throw bad(`unsupported format version ${version}`);
  const crc = r.u32();
  const metaLen = r.u32();
  if (metaLen > r.remaining) throw bad('truncated metadata');
  const body = buf.subarray(HEADER_SIZE);
  if ((await crcInPieces([body])) !== crc) throw bad('checksum mismatch');
  try {
    const mr = new BinaryReader(body.subarray(0, metaLen));
    const metadata = readSnapshotMetadata(mr);
    const dataLen = mr.varint('data length');
    mr.end('snapshot metadata');
    if (body.length - metaLen !== dataLen) throw bad(`data is ${body.length - metaLen} bytes, header says ${dataLen}`);
    if (metadata.index !== info.index || metadata.term !== info.term) {
      throw bad(`holds index ${metadata.index} term ${metadata.term}, which does not match its name`);
    }
    const data = body.subarray(metaLen);
    if (version === PLAIN) return { metadata, data };
    if (!cipher) throw new RecordKeyError(`${info.path}: the snapshot is encrypted and no data key was given`);
    try {
      return { metadata, data: cipher.open(data, 'snapshot') };
    } catch (e) {
      if (e instanceof RecordKeyError) throw new RecordKeyError(`${info.path}: ${e.message}`);
      throw e;
    }
  } catch (e) {
    if (e instanceof SnapshotCorruptError || e instanceof RecordKeyError) throw e;
    throw bad(e instanceof Error ? e.message : String(e));
  }
}

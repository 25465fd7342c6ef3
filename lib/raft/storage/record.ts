// WAL record framing. A segment file is a sequence of records:
//
//   u32 length     bytes of type + payload (little-endian, >= 1)
//   u32 ~length    the length again, inverted
//   u32 crc        CRC-32 of type + payload, seeded with the previous record's crc
//   u8  type
//   payload
//
// The inverted copy of the length is what lets the reader tell a torn tail
// from corruption: without it a bit flip in the length of a record in the
// middle of the file would claim bytes past the end and look exactly like a
// write cut short by a crash, and the reader would silently drop every later
// record. With it, a length is trusted only when both copies agree, and a
// block of zeros (space the file system allocated but never wrote) never
// passes as a header. Seeding each CRC with the previous one (as etcd does)
// means a record cannot be valid unless everything before it in the segment
// is, so a lost or duplicated block is caught too.

import { BinaryWriter } from '../codec';
import { crc32 } from './crc32';

export const HEADER_SIZE = 12;

export enum RecordType {
  /** First record of every segment: format version, sequence, first index, crc of the previous segment. */
  SegmentHeader = 1,
  Entry = 2,
  HardState = 3,
  /** A snapshot at (index, term) was made durable; see wal.ts for what it does on replay. */
  SnapshotMarker = 4,
  /** An entry whose data is sealed by the storage's RecordCipher (record-cipher.ts); term, index and type stay readable. */
  SealedEntry = 5,
}

const MAX_RECORD_TYPE = RecordType.SealedEntry;

export interface RawRecord {
  type: RecordType;
  /** A view into the segment buffer. */
  payload: Uint8Array;
  /** Byte offset of the record's header in its segment. */
  offset: number;
}

/** Starts a record: reserves its header and writes the type. Returns the offset for `endRecord`. */
export function beginRecord(w: BinaryWriter, type: RecordType): number {
  const at = w.skip(HEADER_SIZE);
  w.u8(type);
  return at;
}

/** Fills in the header of the record begun at `at`; returns its crc, the seed for the next record. */
export function endRecord(w: BinaryWriter, at: number, prevCrc: number): number {
  const len = w.length - at - HEADER_SIZE;
  const crc = crc32(w.finish().subarray(at + HEADER_SIZE), prevCrc);
  w.setU32(at, len);
  w.setU32(at + 4, ~len >>> 0);
  w.setU32(at + 8, crc);
  return crc;
}

/** Appends one framed record whose payload `body` writes; returns its crc. */
export function appendRecord(w: BinaryWriter, type: RecordType, body: (w: BinaryWriter) => void, prevCrc: number): number {
  const at = beginRecord(w, type);
  body(w);
  return endRecord(w, at, prevCrc);
}

function u32(b: Uint8Array, p: number): number {
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16)) + b[p + 3] * 0x100_0000;
}

function allZero(b: Uint8Array, from: number): boolean {
  for (let i = from; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

export type ScanResult =
  | { ok: true; records: RawRecord[]; crc: number; validEnd: number; torn: boolean }
  | { ok: false; offset: number; reason: string };

/**
 * Splits a segment into records, checking every frame and crc.
 *
 * A bad record is a torn tail (the end of a write a crash interrupted) only in
 * the last segment, and only if nothing written after it survived: its header
 * or payload runs past the end of the file, or everything after its header
 * (for a garbled header) or after its extent (for a bad crc) is zero.
 * Then `validEnd` is where the file should be cut. Anything else is reported
 * as corruption at the offset of the bad record: earlier segments were fsynced
 * before the next one was created, so a crash cannot have damaged them.
 */
export function scanRecords(buf: Uint8Array, isLast: boolean, seed = 0): ScanResult {
  const records: RawRecord[] = [];
  let crc = seed;
  let p = 0;
  const torn = (reason: string): ScanResult =>
    isLast ? { ok: true, records, crc, validEnd: p, torn: true } : { ok: false, offset: p, reason };

  while (p < buf.length) {
    if (buf.length - p < HEADER_SIZE) return torn(`record header cut short (${buf.length - p} of ${HEADER_SIZE} bytes)`);
    const len = u32(buf, p);
    const check = u32(buf, p + 4);
    if (len === 0 || (~len >>> 0) !== check) {
      // Nothing but zeros after it: an unfinished write, whatever the header bytes hold.
      if (allZero(buf, p + HEADER_SIZE)) return torn('unwritten or half-written record header');
      return { ok: false, offset: p, reason: 'record header is garbled (length check mismatch)' };
    }
    const end = p + HEADER_SIZE + len;
    if (end > buf.length) return torn(`record of ${len} bytes runs past the end of the file`);
    const body = buf.subarray(p + HEADER_SIZE, end);
    const want = u32(buf, p + 8);
    const got = crc32(body, crc);
    if (got !== want) {
      if (allZero(buf, end)) return torn('crc mismatch in the last record');
      return { ok: false, offset: p, reason: `crc mismatch (stored ${want.toString(16)}, computed ${got.toString(16)})` };
    }
    const type = body[0];
    if (type < 1 || type > MAX_RECORD_TYPE) {
      return { ok: false, offset: p, reason: `unknown record type ${type}` };
    }
    records.push({ type: type as RecordType, payload: body.subarray(1), offset: p });
    crc = got;
    p = end;
  }
  return { ok: true, records, crc, validEnd: p, torn: false };
}

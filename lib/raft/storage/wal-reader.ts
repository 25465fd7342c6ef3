// Reads every WAL segment into decoded records, checking the framing, the
// crc chain within and across segments, and the segment sequence. The tail
// of the last segment may be torn; the caller cuts the file at `validEnd`.

import { promises as fsp } from 'fs';
import { BinaryReader, readEntry, readHardState } from '../codec';
import { Entry, HardState } from '../core/types';
import { WalCorruptError } from './errors';
import { readMarker, SnapshotMarker } from './marker';
import { RawRecord, RecordType, scanRecords } from './record';
import { readSegmentHeader, SegmentInfo, WAL_FORMAT_VERSION } from './segment';
import { RecordCipher, RecordKeyError } from './record-cipher';

export type WalRecord = { file: string; offset: number } & (
  /** `inClear`: an entry with data written without a cipher (before the node had a key). */
  | { kind: 'entry'; entry: Entry; inClear?: boolean }
  | { kind: 'hardState'; hardState: HardState }
  | { kind: 'marker'; marker: SnapshotMarker }
);

export interface WalContents {
  records: WalRecord[];
  /** Where appends to the last segment continue, and the crc to chain from. */
  tail: { segment: SegmentInfo; validEnd: number; fileSize: number; crc: number };
}

function decode(raw: RawRecord, file: string, cipher: RecordCipher | undefined): WalRecord {
  const r = new BinaryReader(raw.payload);
  let rec: WalRecord;
  try {
    switch (raw.type) {
      case RecordType.Entry:
      {
        const entry = readEntry(r);
        rec = { kind: 'entry', entry, file, offset: raw.offset, ...(entry.data.length > 0 && { inClear: true }) };
        break;
      }
      case RecordType.SealedEntry: {
        const sealed = readEntry(r);
        if (!cipher) {
          throw new RecordKeyError(`${file} at byte offset ${raw.offset}: the WAL holds encrypted entries and no data key was given`);
        }
        rec = { kind: 'entry', entry: { ...sealed, data: openEntry(cipher, sealed.data, file, raw.offset) }, file, offset: raw.offset };
        break;
      }
      case RecordType.HardState:
        rec = { kind: 'hardState', hardState: readHardState(r), file, offset: raw.offset };
        break;
      case RecordType.SnapshotMarker:
        rec = { kind: 'marker', marker: readMarker(r), file, offset: raw.offset };
        break;
      default:
        throw new Error(`record type ${raw.type} is only allowed at the start of a segment`);
    }
    r.end('record');
  } catch (e) {
    if (e instanceof RecordKeyError) throw e;
    // The crc matched, so this is not damage in transit: a writer bug or an unknown format.
    throw new WalCorruptError(file, raw.offset, `undecodable record: ${e instanceof Error ? e.message : String(e)}`);
  }
  return rec;
}

function openEntry(cipher: RecordCipher, sealed: Uint8Array, file: string, offset: number): Uint8Array {
  try {
    return cipher.open(sealed, 'entry');
  } catch (e) {
    if (e instanceof RecordKeyError) throw new RecordKeyError(`${file} at byte offset ${offset}: ${e.message}`);
    throw e;
  }
}

/** `cipher` opens sealed entries; plaintext entries (written before there was a key) are read as they are. */
export async function readWal(segments: SegmentInfo[], cipher?: RecordCipher): Promise<WalContents> {
  if (segments.length === 0) throw new Error('readWal needs at least one segment');
  const records: WalRecord[] = [];
  let prevCrc: number | undefined;
  let tail: WalContents['tail'] | undefined;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    const isLast = i === segments.length - 1;
    if (i > 0 && seg.seq !== segments[i - 1].seq + 1) {
      throw new WalCorruptError(seg.path, 0, `segment ${segments[i - 1].seq + 1} is missing before it`);
    }
    const buf = await fsp.readFile(seg.path);
    const scan = scanRecords(buf, isLast);
    if (!scan.ok) throw new WalCorruptError(seg.path, scan.offset, scan.reason);
    const [first, ...rest] = scan.records;
    // Segments are created atomically with their header, so even a torn last segment has one.
    if (first === undefined || first.type !== RecordType.SegmentHeader) {
      throw new WalCorruptError(seg.path, 0, 'segment does not start with a header record');
    }
    let header;
    try {
      header = readSegmentHeader(first.payload);
    } catch (e) {
      throw new WalCorruptError(seg.path, 0, `undecodable segment header: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (header.version !== WAL_FORMAT_VERSION) {
      throw new WalCorruptError(seg.path, 0, `unsupported WAL format version ${header.version}`);
    }
    if (header.seq !== seg.seq || header.firstIndex !== seg.firstIndex) {
      throw new WalCorruptError(seg.path, 0, `header says segment ${header.seq} from index ${header.firstIndex}, which does not match its name`);
    }
    if (prevCrc !== undefined && header.prevCrc !== prevCrc) {
      throw new WalCorruptError(seg.path, 0, 'crc chain broken: this segment does not follow the previous one');
    }
    for (const raw of rest) records.push(decode(raw, seg.path, cipher));
    prevCrc = scan.crc;
    if (isLast) tail = { segment: seg, validEnd: scan.validEnd, fileSize: buf.length, crc: scan.crc };
  }
  // Set on the last iteration; the check satisfies the compiler.
  if (tail === undefined) throw new Error('unreachable: no last segment');
  return { records, tail };
}

// WAL segment files: `<seq>-<firstIndex>.wal`, both as 16 hex digits so that
// names sort in write order. `firstIndex` is the index the next entry would
// have had when the segment was created; it is what lets saveSnapshot delete
// whole segments that only hold entries a snapshot already covers.

import * as path from 'path';
import { promises as fsp } from 'fs';
import { BinaryReader, BinaryWriter, writeHardState } from '../codec';
import { HardState, isEmptyHardState } from '../core/types';
import { OpenFile, writeFileAtomic } from './file-io';
import { appendRecord, RecordType } from './record';

export const WAL_FORMAT_VERSION = 1;
const NAME = /^([0-9a-f]{16})-([0-9a-f]{16})\.wal$/;

export interface SegmentInfo {
  seq: number;
  firstIndex: number;
  path: string;
}

export interface SegmentHeader {
  version: number;
  seq: number;
  firstIndex: number;
  /** Running crc at the end of the previous segment: a missing or swapped segment breaks the chain. */
  prevCrc: number;
}

const hex16 = (n: number) => n.toString(16).padStart(16, '0');

export function segmentName(seq: number, firstIndex: number): string {
  return `${hex16(seq)}-${hex16(firstIndex)}.wal`;
}

/** The segments in `dir`, oldest first; other files are ignored. */
export async function listSegments(dir: string): Promise<SegmentInfo[]> {
  const out: SegmentInfo[] = [];
  for (const name of await fsp.readdir(dir)) {
    const m = NAME.exec(name);
    if (m) out.push({ seq: parseInt(m[1], 16), firstIndex: parseInt(m[2], 16), path: path.join(dir, name) });
  }
  return out.sort((a, b) => a.seq - b.seq);
}

export function writeSegmentHeader(w: BinaryWriter, h: SegmentHeader): void {
  w.u8(h.version);
  w.varint(h.seq);
  w.varint(h.firstIndex);
  w.u32(h.prevCrc);
}

export function readSegmentHeader(payload: Uint8Array): SegmentHeader {
  const r = new BinaryReader(payload);
  const h = { version: r.u8('wal version'), seq: r.varint('segment seq'), firstIndex: r.varint('first index'), prevCrc: r.u32('prev crc') };
  r.end('segment header');
  return h;
}

/**
 * Creates a segment that starts with its header and the current hard state,
 * atomically, so a crash never leaves a segment without a header and deleting
 * older segments never loses the latest term and vote. Returns its path,
 * size and running crc, ready for appends.
 */
export async function createSegment(
  open: OpenFile,
  dir: string,
  seq: number,
  firstIndex: number,
  prevCrc: number,
  hardState: HardState,
): Promise<{ path: string; size: number; crc: number }> {
  const w = new BinaryWriter(64);
  const header = { version: WAL_FORMAT_VERSION, seq, firstIndex, prevCrc };
  let crc = appendRecord(w, RecordType.SegmentHeader, (x) => writeSegmentHeader(x, header), 0);
  if (!isEmptyHardState(hardState)) crc = appendRecord(w, RecordType.HardState, (x) => writeHardState(x, hardState), crc);
  const file = path.join(dir, segmentName(seq, firstIndex));
  const bytes = w.finish();
  await writeFileAtomic(open, dir, file, [bytes]);
  return { path: file, size: bytes.length, crc };
}

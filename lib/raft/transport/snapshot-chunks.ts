// A Snap message bigger than one frame travels as a transfer of SnapChunk
// frames, each far under the socket's payload bound, interleaved with the
// ordinary batches so that heartbeats and appends to the same peer keep
// flowing meanwhile (swarmkit streams snapshots the same way over
// StreamRaftMessage; etcd uses a separate HTTP stream).
//
//   SnapChunk = 0x04, varint transfer id, varint offset, varint total length,
//               u32 CRC-32 of the whole encoded message, then the piece
//
// The receiver assembles one transfer per connection, in order; the message
// is decoded and handed to raft only when every byte is there and the CRC
// matches. A transfer cut short (socket closed, a gap, a new transfer
// starting) is dropped whole, never applied: the sender then reports the
// snapshot as failed and raft sends it again later.

import { BinaryReader, BinaryWriter } from '../codec';
import { crc32 } from '../storage/crc32';
import { FrameError, FrameKind } from './frames';

export interface SnapChunk {
  transfer: number;
  offset: number;
  total: number;
  crc: number;
  piece: Uint8Array;
}

export function encodeSnapChunk(c: SnapChunk): Uint8Array {
  const w = new BinaryWriter(c.piece.length + 32);
  w.u8(FrameKind.SnapChunk);
  w.varint(c.transfer);
  w.varint(c.offset);
  w.varint(c.total);
  w.u32(c.crc);
  w.raw(c.piece);
  return w.finish();
}

export function decodeSnapChunk(frame: Uint8Array): SnapChunk {
  if (frame.length === 0 || frame[0] !== FrameKind.SnapChunk) throw new FrameError(`expected a SnapChunk frame, got frame kind ${frame[0]}`);
  const r = new BinaryReader(frame.subarray(1));
  const transfer = r.varint('transfer id');
  const offset = r.varint('offset');
  const total = r.varint('total length');
  const crc = r.u32('crc');
  const piece = r.raw(r.remaining, 'piece');
  if (piece.length === 0) throw new FrameError('snapshot chunk carries no bytes');
  if (offset + piece.length > total) throw new FrameError(`snapshot chunk ends at ${offset + piece.length}, past the transfer's ${total} bytes`);
  return { transfer, offset, total, crc, piece };
}

/** An outgoing transfer: the encoded Snap message and how far it has been handed to the socket. */
export class OutgoingSnapshot {
  offset = 0;
  readonly crc: number;

  constructor(
    readonly transfer: number,
    readonly bytes: Uint8Array,
    private readonly chunkBytes: number,
  ) {
    this.crc = crc32(bytes, 0);
  }

  get done(): boolean {
    return this.offset >= this.bytes.length;
  }

  /** The next frame; `last` when it carries the final byte. */
  next(): { frame: Uint8Array; last: boolean } {
    const end = Math.min(this.offset + this.chunkBytes, this.bytes.length);
    const frame = encodeSnapChunk({
      transfer: this.transfer,
      offset: this.offset,
      total: this.bytes.length,
      crc: this.crc,
      piece: this.bytes.subarray(this.offset, end),
    });
    this.offset = end;
    return { frame, last: end === this.bytes.length };
  }
}

export type AssemblyResult =
  | { kind: 'partial' }
  | { kind: 'complete'; bytes: Uint8Array }
  /** The chunk (and any transfer it belonged to) was thrown away; why, for the log. */
  | { kind: 'dropped'; reason: string };

/** The incoming side: one transfer at a time, bounded in size. */
export class SnapshotAssembly {
  private transfer = -1;
  private total = 0;
  private crc = 0;
  private received = 0;
  private parts: Uint8Array[] = [];

  constructor(private readonly maxBytes: number) {}

  /** Bytes held for a transfer not yet complete. */
  get pendingBytes(): number {
    return this.received;
  }

  add(c: SnapChunk): AssemblyResult {
    if (c.offset === 0) {
      // A new transfer supersedes any unfinished one: raft only ever wants the latest snapshot.
      this.reset();
      if (c.total > this.maxBytes) return { kind: 'dropped', reason: `snapshot of ${c.total} bytes is above the limit of ${this.maxBytes}` };
      this.transfer = c.transfer;
      this.total = c.total;
      this.crc = c.crc;
    } else if (c.transfer !== this.transfer || c.offset !== this.received || c.total !== this.total || c.crc !== this.crc) {
      const why = c.transfer !== this.transfer ? `chunk of transfer ${c.transfer} without its start` : `gap or mismatch at offset ${c.offset}`;
      this.reset();
      return { kind: 'dropped', reason: why };
    }
    // A view into the frame, which is little more than the piece: no copy.
    this.parts.push(c.piece);
    this.received += c.piece.length;
    if (this.received < this.total) return { kind: 'partial' };
    const bytes = Buffer.concat(this.parts, this.total);
    const crc = this.crc;
    this.reset();
    if (crc32(bytes, 0) !== crc) return { kind: 'dropped', reason: 'checksum mismatch' };
    return { kind: 'complete', bytes };
  }

  reset(): void {
    this.transfer = -1;
    this.total = 0;
    this.crc = 0;
    this.received = 0;
    this.parts = [];
  }
}

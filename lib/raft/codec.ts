// Binary encoding of the raft data model, shared by the transport (messages on
// the wire) and the WAL (entries, hard states and snapshot metadata on disk).
//
// Integers are unsigned LEB128 varints. Terms, indexes and node ids are almost
// always far below 2^28, so they take 1-4 bytes instead of 8, which matters
// when a message carries hundreds of entries; the decoder still accepts every
// safe integer (up to 2^53 - 1, at most 8 bytes) and rejects anything larger,
// so a garbled varint can never come back as an imprecise float.
//
// Byte strings are a varint length followed by the bytes. Decoders return
// `subarray` views into the buffer they were given rather than copies: an
// Entry's `data` from `decodeMessage(buf)` aliases `buf`, so the caller must
// not reuse or mutate `buf` while the decoded values are alive (the transport
// allocates one buffer per frame, the WAL one per read, so neither does).
//
// `encodeX` returns a fresh array that nothing else references, but it may be
// a view on a slightly larger ArrayBuffer: send it with its byteOffset and
// byteLength (Buffer.from(a.buffer, a.byteOffset, a.byteLength)), not `.buffer`.
//
// Every top-level `encodeX` starts with a format version byte; the matching
// `decodeX` rejects an unknown version, a truncated buffer, out-of-range enum
// values and trailing bytes with a CodecError, never a partial value.
// The unversioned `writeX`/`readX` bodies are exported for containers such as
// the WAL that carry their own version and want to avoid an extra copy.

import {
  ConfChange,
  ConfChangeType,
  ConfState,
  Entry,
  EntryType,
  HardState,
  Message,
  MessageType,
  Snapshot,
  SnapshotMetadata,
} from './core/types';

export const CODEC_VERSION = 1;

export class CodecError extends Error {
  constructor(message: string) {
    super(`codec: ${message}`);
    this.name = 'CodecError';
  }
}

/** An append-only byte buffer that doubles when full. */
export class BinaryWriter {
  private buf: Uint8Array;
  private pos = 0;

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
  }

  get length(): number {
    return this.pos;
  }

  /** Makes room for `n` more bytes so that a batch of writes grows the buffer at most once. */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
  }

  /** Fixed-width little-endian uint32 (used where a field is patched later, e.g. WAL record headers). */
  u32(v: number): void {
    this.ensure(4);
    this.put32(this.pos, v);
    this.pos += 4;
  }

  /** Overwrites a uint32 written earlier at `offset` (by `u32` or `skip(4)`). */
  setU32(offset: number, v: number): void {
    if (offset < 0 || offset + 4 > this.pos) throw new RangeError(`setU32 at ${offset} is outside the written bytes`);
    this.put32(offset, v);
  }

  private put32(offset: number, v: number): void {
    const b = this.buf;
    b[offset] = v & 0xff;
    b[offset + 1] = (v >>> 8) & 0xff;
    b[offset + 2] = (v >>> 16) & 0xff;
    b[offset + 3] = (v >>> 24) & 0xff;
  }

  /** Reserves `n` bytes to be filled in later; returns their offset. */
  skip(n: number): number {
    this.ensure(n);
    const at = this.pos;
    this.buf.fill(0, at, at + n);
    this.pos += n;
    return at;
  }

  varint(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) {
      throw new CodecError(`cannot encode ${v}: not a non-negative safe integer`);
    }
    this.ensure(8);
    const b = this.buf;
    let p = this.pos;
    // Bit operators only work on 32 bits, so the high part uses division.
    while (v >= 0x8000_0000) {
      b[p++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    while (v >= 0x80) {
      b[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[p++] = v;
    this.pos = p;
  }

  /** Raw bytes, no length prefix. */
  raw(data: Uint8Array): void {
    this.ensure(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  /** Length-prefixed bytes. */
  bytes(data: Uint8Array): void {
    this.varint(data.length);
    this.raw(data);
  }

  /** A view of the bytes written so far. It aliases the writer's buffer: after `reset` new writes overwrite it. */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /** Forgets the content but keeps the capacity, for reuse across batches. */
  reset(): void {
    this.pos = 0;
  }
}

/** A cursor over a buffer that throws CodecError instead of reading past its end. */
export class BinaryReader {
  private pos = 0;

  constructor(private readonly buf: Uint8Array) {}

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number, what: string): void {
    if (n > this.buf.length - this.pos) {
      throw new CodecError(
        `truncated buffer: ${what} needs ${n} byte(s) at offset ${this.pos}, ${this.buf.length - this.pos} left`,
      );
    }
  }

  u8(what = 'u8'): number {
    this.need(1, what);
    return this.buf[this.pos++];
  }

  u32(what = 'u32'): number {
    this.need(4, what);
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16)) + b[p + 3] * 0x100_0000;
  }

  varint(what = 'varint'): number {
    const b = this.buf;
    let result = 0;
    let mul = 1;
    const start = this.pos;
    for (let i = 0; i < 8; i++) {
      if (this.pos >= b.length) {
        throw new CodecError(`truncated buffer: ${what} at offset ${start} runs past the end`);
      }
      const byte = b[this.pos++];
      result += (byte & 0x7f) * mul;
      if (byte < 0x80) {
        if (!Number.isSafeInteger(result)) {
          throw new CodecError(`${what} at offset ${start} exceeds 2^53`);
        }
        return result;
      }
      mul *= 0x80;
    }
    throw new CodecError(`${what} at offset ${start} is longer than 8 bytes`);
  }

  /** `n` raw bytes as a view (aliases the input). */
  raw(n: number, what = 'bytes'): Uint8Array {
    this.need(n, what);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Length-prefixed bytes as a view (aliases the input). */
  bytes(what = 'bytes'): Uint8Array {
    const n = this.varint(`${what} length`);
    return this.raw(n, what);
  }

  bool(what = 'bool'): boolean {
    const v = this.u8(what);
    if (v > 1) throw new CodecError(`${what} at offset ${this.pos - 1} is ${v}, not 0 or 1`);
    return v === 1;
  }

  /** Throws unless every byte was consumed: trailing bytes mean a garbled or misframed buffer. */
  end(what: string): void {
    if (this.pos !== this.buf.length) {
      throw new CodecError(`${this.buf.length - this.pos} trailing byte(s) after ${what} at offset ${this.pos}`);
    }
  }
}

function readEnum<T extends number>(r: BinaryReader, max: number, what: string): T {
  const at = r.offset;
  const v = r.u8(what);
  if (v > max) throw new CodecError(`invalid ${what} ${v} at offset ${at}`);
  return v as T;
}

// The largest enum members; a decoder refuses anything above them.
const MAX_ENTRY_TYPE = EntryType.ConfChange;
const MAX_MESSAGE_TYPE = MessageType.ReadIndexResp;
const MAX_CONF_CHANGE_TYPE = ConfChangeType.RemoveNode;

// ---- bodies (unversioned) -------------------------------------------------

export function writeEntry(w: BinaryWriter, e: Entry): void {
  w.ensure(20 + e.data.length);
  w.varint(e.term);
  w.varint(e.index);
  w.u8(e.type);
  w.bytes(e.data);
}

export function readEntry(r: BinaryReader): Entry {
  const term = r.varint('entry term');
  const index = r.varint('entry index');
  const type = readEnum<EntryType>(r, MAX_ENTRY_TYPE, 'entry type');
  const data = r.bytes('entry data');
  return { term, index, type, data };
}

export function writeHardState(w: BinaryWriter, h: HardState): void {
  w.varint(h.term);
  w.varint(h.vote);
  w.varint(h.commit);
}

export function readHardState(r: BinaryReader): HardState {
  const term = r.varint('hard state term');
  const vote = r.varint('hard state vote');
  const commit = r.varint('hard state commit');
  return { term, vote, commit };
}

function writeIds(w: BinaryWriter, ids: number[]): void {
  w.varint(ids.length);
  for (const id of ids) w.varint(id);
}

function readIds(r: BinaryReader, what: string): number[] {
  const n = r.varint(`${what} count`);
  // Each id takes at least one byte; checking first stops a garbled count from allocating gigabytes.
  if (n > r.remaining) throw new CodecError(`truncated buffer: ${n} ${what} but ${r.remaining} byte(s) left`);
  const ids = new Array<number>(n);
  for (let i = 0; i < n; i++) ids[i] = r.varint(what);
  return ids;
}

export function writeConfState(w: BinaryWriter, c: ConfState): void {
  writeIds(w, c.voters);
  writeIds(w, c.learners);
}

export function readConfState(r: BinaryReader): ConfState {
  const voters = readIds(r, 'voter ids');
  const learners = readIds(r, 'learner ids');
  return { voters, learners };
}

export function writeSnapshotMetadata(w: BinaryWriter, m: SnapshotMetadata): void {
  w.varint(m.index);
  w.varint(m.term);
  writeConfState(w, m.confState);
}

export function readSnapshotMetadata(r: BinaryReader): SnapshotMetadata {
  const index = r.varint('snapshot index');
  const term = r.varint('snapshot term');
  const confState = readConfState(r);
  return { index, term, confState };
}

export function writeSnapshot(w: BinaryWriter, s: Snapshot): void {
  writeSnapshotMetadata(w, s.metadata);
  w.bytes(s.data);
}

export function readSnapshot(r: BinaryReader): Snapshot {
  const metadata = readSnapshotMetadata(r);
  const data = r.bytes('snapshot data');
  return { metadata, data };
}

export function writeConfChange(w: BinaryWriter, c: ConfChange): void {
  w.u8(c.type);
  w.varint(c.nodeId);
  w.bytes(c.context);
}

export function readConfChange(r: BinaryReader): ConfChange {
  const type = readEnum<ConfChangeType>(r, MAX_CONF_CHANGE_TYPE, 'conf change type');
  const nodeId = r.varint('conf change node id');
  const context = r.bytes('conf change context');
  return { type, nodeId, context };
}

const FLAG_REJECT = 1;
const FLAG_SNAPSHOT = 2;
const FLAG_CONTEXT = 4;
const KNOWN_FLAGS = FLAG_REJECT | FLAG_SNAPSHOT | FLAG_CONTEXT;

export function writeMessage(w: BinaryWriter, m: Message): void {
  w.u8(m.type);
  let flags = 0;
  if (m.reject) flags |= FLAG_REJECT;
  if (m.snapshot !== undefined) flags |= FLAG_SNAPSHOT;
  if (m.context !== undefined) flags |= FLAG_CONTEXT;
  w.u8(flags);
  w.varint(m.to);
  w.varint(m.from);
  w.varint(m.term);
  w.varint(m.logTerm);
  w.varint(m.index);
  w.varint(m.commit);
  w.varint(m.rejectHint);
  w.varint(m.entries.length);
  for (const e of m.entries) writeEntry(w, e);
  if (m.snapshot !== undefined) writeSnapshot(w, m.snapshot);
  if (m.context !== undefined) w.bytes(m.context);
}

export function readMessage(r: BinaryReader): Message {
  const type = readEnum<MessageType>(r, MAX_MESSAGE_TYPE, 'message type');
  const flagsAt = r.offset;
  const flags = r.u8('message flags');
  if ((flags & ~KNOWN_FLAGS) !== 0) throw new CodecError(`unknown message flags 0x${flags.toString(16)} at offset ${flagsAt}`);
  const to = r.varint('to');
  const from = r.varint('from');
  const term = r.varint('term');
  const logTerm = r.varint('logTerm');
  const index = r.varint('index');
  const commit = r.varint('commit');
  const rejectHint = r.varint('rejectHint');
  const n = r.varint('entry count');
  // An entry takes at least 4 bytes; refuse counts the rest of the buffer cannot hold.
  if (n * 4 > r.remaining) throw new CodecError(`truncated buffer: ${n} entries but ${r.remaining} byte(s) left`);
  const entries = new Array<Entry>(n);
  for (let i = 0; i < n; i++) entries[i] = readEntry(r);
  const m: Message = { type, to, from, term, logTerm, index, entries, commit, reject: (flags & FLAG_REJECT) !== 0, rejectHint };
  if (flags & FLAG_SNAPSHOT) m.snapshot = readSnapshot(r);
  if (flags & FLAG_CONTEXT) m.context = r.bytes('message context');
  return m;
}

// ---- versioned top-level encodings -----------------------------------------

function encodeWith<T>(value: T, write: (w: BinaryWriter, v: T) => void, sizeHint: number): Uint8Array {
  const w = new BinaryWriter(sizeHint + 1);
  w.u8(CODEC_VERSION);
  write(w, value);
  return w.finish();
}

function decodeWith<T>(b: Uint8Array, read: (r: BinaryReader) => T, what: string): T {
  const r = new BinaryReader(b);
  if (b.length === 0) throw new CodecError(`empty buffer, expected a ${what}`);
  const version = r.u8('version');
  if (version !== CODEC_VERSION) {
    throw new CodecError(`unsupported ${what} format version ${version} (this build reads ${CODEC_VERSION})`);
  }
  const v = read(r);
  r.end(what);
  return v;
}

function messageSizeHint(m: Message): number {
  let n = 64;
  for (const e of m.entries) n += e.data.length + 24;
  if (m.snapshot) n += m.snapshot.data.length + 64;
  if (m.context) n += m.context.length + 8;
  return n;
}

export const encodeMessage = (m: Message): Uint8Array => encodeWith(m, writeMessage, messageSizeHint(m));
export const decodeMessage = (b: Uint8Array): Message => decodeWith(b, readMessage, 'message');

export const encodeEntry = (e: Entry): Uint8Array => encodeWith(e, writeEntry, e.data.length + 24);
export const decodeEntry = (b: Uint8Array): Entry => decodeWith(b, readEntry, 'entry');

export const encodeHardState = (h: HardState): Uint8Array => encodeWith(h, writeHardState, 32);
export const decodeHardState = (b: Uint8Array): HardState => decodeWith(b, readHardState, 'hard state');

export const encodeConfState = (c: ConfState): Uint8Array => encodeWith(c, writeConfState, 64);
export const decodeConfState = (b: Uint8Array): ConfState => decodeWith(b, readConfState, 'conf state');

export const encodeSnapshotMetadata = (m: SnapshotMetadata): Uint8Array => encodeWith(m, writeSnapshotMetadata, 64);
export const decodeSnapshotMetadata = (b: Uint8Array): SnapshotMetadata =>
  decodeWith(b, readSnapshotMetadata, 'snapshot metadata');

export const encodeSnapshot = (s: Snapshot): Uint8Array => encodeWith(s, writeSnapshot, s.data.length + 64);
export const decodeSnapshot = (b: Uint8Array): Snapshot => decodeWith(b, readSnapshot, 'snapshot');

export const encodeConfChange = (c: ConfChange): Uint8Array => encodeWith(c, writeConfChange, c.context.length + 16);
export const decodeConfChange = (b: Uint8Array): ConfChange => decodeWith(b, readConfChange, 'conf change');

// Wire format between managers. Every WebSocket message is binary and starts
// with a kind byte, so a later protocol version can add kinds without
// guessing what a frame is:
//
//   Hello   = 0x01, UTF-8 JSON {proto, version, id, to, cluster}  dialer -> acceptor
//   Welcome = 0x02, UTF-8 JSON {proto, version, id, cluster}      acceptor -> dialer
//   Batch   = 0x03, varint count, then count x (varint length, encodeMessage bytes)
//   SnapChunk = 0x04, a piece of a Snap message too big for one frame (snapshot-chunks.ts)
//
// SnapChunk came after version 1 without a version bump: it is only sent for a
// snapshot bigger than a frame, and a node without it refuses the frame (and
// so that snapshot) while everything else between the two keeps working.
//
// The handshake is JSON because it must stay readable by any version (that is
// how a mismatch gets a clear error); messages use the binary codec, each with
// its own format version byte. Varints are the codec's LEB128.

import { BinaryReader, BinaryWriter } from '../codec';
import { NodeId } from '../core/types';
import { isValidNodeId } from './transport';

export const PROTOCOL = 'swarm-raft';
/** Bumped when the handshake, the framing or the message codec changes incompatibly. */
export const PROTOCOL_VERSION = 1;

export enum FrameKind {
  Hello = 1,
  Welcome = 2,
  Batch = 3,
  SnapChunk = 4,
}

/** WebSocket close codes (4000-4999 are for applications). Reasons carry the details. */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  /** A frame that does not parse: the peer is not trusted further. */
  BadFrame: 1007,
  VersionMismatch: 4001,
  ClusterMismatch: 4002,
  /** Dialed the wrong node, or a node dialed itself. */
  WrongNode: 4003,
  /** Malformed, missing or late handshake, or a frame that the current state does not expect. */
  ProtocolError: 4004,
  /** Removed from the membership or refused by authorizePeer. */
  Refused: 4005,
  /** Both nodes dialed; this socket lost the tie-break and the other one carries the traffic. */
  Superseded: 4006,
} as const;

export interface Handshake {
  proto: string;
  version: number;
  /** The sender's raft id. */
  id: NodeId;
  /** Hello only: the raft id the dialer expects to reach. */
  to?: NodeId;
  cluster: string;
}

export class FrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FrameError';
  }
}

export function encodeHandshake(kind: FrameKind.Hello | FrameKind.Welcome, h: Handshake): Buffer {
  const json = Buffer.from(JSON.stringify(h), 'utf8');
  const out = Buffer.allocUnsafe(json.length + 1);
  out[0] = kind;
  json.copy(out, 1);
  return out;
}

/** The outcome of reading a handshake: the fields, or a close code with a reason for the peer. */
export type HandshakeResult = { ok: true; hs: Handshake } | { ok: false; code: number; reason: string };

/**
 * Parses and checks a Hello or Welcome. Version and cluster are compared
 * before anything else is required, so that any future version gets told
 * "version mismatch" rather than "malformed".
 */
export function readHandshake(
  frame: Uint8Array,
  expectKind: FrameKind.Hello | FrameKind.Welcome,
  cluster: string,
): HandshakeResult {
  const fail = (code: number, reason: string): HandshakeResult => ({ ok: false, code, reason });
  if (frame.length === 0 || frame[0] !== expectKind) {
    return fail(CloseCode.ProtocolError, `expected ${FrameKind[expectKind]} handshake, got frame kind ${frame[0]}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(frame.buffer, frame.byteOffset + 1, frame.length - 1).toString('utf8'));
  } catch {
    return fail(CloseCode.ProtocolError, 'handshake is not valid JSON');
  }
  if (typeof raw !== 'object' || raw === null) return fail(CloseCode.ProtocolError, 'handshake is not an object');
  const h = raw as Record<string, unknown>;
  if (h.proto !== PROTOCOL) return fail(CloseCode.ProtocolError, `not a ${PROTOCOL} peer`);
  if (h.version !== PROTOCOL_VERSION) {
    return fail(
      CloseCode.VersionMismatch,
      `protocol version mismatch: peer speaks ${String(h.version)}, this node speaks ${PROTOCOL_VERSION}`,
    );
  }
  const peerCluster = typeof h.cluster === 'string' ? h.cluster : '';
  if (peerCluster !== cluster) {
    return fail(CloseCode.ClusterMismatch, `cluster mismatch: peer is in "${peerCluster}", this node in "${cluster}"`);
  }
  if (!isValidNodeId(h.id)) return fail(CloseCode.ProtocolError, 'handshake has no valid raft id');
  if (expectKind === FrameKind.Hello && !isValidNodeId(h.to)) {
    return fail(CloseCode.ProtocolError, 'hello does not say which node it is for');
  }
  const hs: Handshake = { proto: PROTOCOL, version: PROTOCOL_VERSION, id: h.id, cluster: peerCluster };
  if (expectKind === FrameKind.Hello) hs.to = h.to as NodeId;
  return { ok: true, hs };
}

/** Builds one Batch frame from already-encoded messages. */
export function encodeBatch(messages: readonly Uint8Array[]): Uint8Array {
  let size = 1 + 8;
  for (const m of messages) size += m.length + 8;
  const w = new BinaryWriter(size);
  w.u8(FrameKind.Batch);
  w.varint(messages.length);
  for (const m of messages) w.bytes(m);
  return w.finish();
}

/** Splits a Batch frame into the encoded messages it carries (views into `frame`). */
export function decodeBatch(frame: Uint8Array): Uint8Array[] {
  if (frame.length === 0 || frame[0] !== FrameKind.Batch) {
    throw new FrameError(`expected a Batch frame, got frame kind ${frame[0]}`);
  }
  const r = new BinaryReader(frame.subarray(1));
  const n = r.varint('message count');
  // Each message needs at least a length byte and a version byte; this stops
  // a garbled count from allocating a huge array.
  if (n * 2 > r.remaining) throw new FrameError(`batch claims ${n} messages but has ${r.remaining} bytes`);
  const out = new Array<Uint8Array>(n);
  for (let i = 0; i < n; i++) out[i] = r.bytes('message');
  r.end('batch');
  return out;
}

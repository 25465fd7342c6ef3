// What the driver adds around application data in the log and in snapshots.
// Proposals carry a request id so that the node that proposed an entry knows
// when it is applied, whichever leader appended it (proposals on followers
// are forwarded and their log index is unknown to the proposer).

import { BinaryReader, BinaryWriter } from '../codec';
import { NodeId } from '../core/types';

const PROPOSAL_HEADER = 16;

export interface RequestId {
  node: NodeId;
  /** Random per process start: a restarted node never mistakes an old entry for a new request. */
  incarnation: number;
  seq: number;
}

export function wrapProposal(id: RequestId, payload: Uint8Array): Uint8Array {
  const out = Buffer.allocUnsafe(PROPOSAL_HEADER + payload.length);
  out.writeUInt32BE(Math.floor(id.node / 0x1_0000_0000), 0);
  out.writeUInt32BE(id.node >>> 0, 4);
  out.writeUInt32BE(id.incarnation >>> 0, 8);
  out.writeUInt32BE(id.seq >>> 0, 12);
  out.set(payload, PROPOSAL_HEADER);
  return out;
}

export function unwrapProposal(data: Uint8Array): { id: RequestId; payload: Uint8Array } {
  if (data.length < PROPOSAL_HEADER) throw new Error(`log entry of ${data.length} bytes is too short for a proposal header`);
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const node = b.readUInt32BE(0) * 0x1_0000_0000 + b.readUInt32BE(4);
  return {
    id: { node, incarnation: b.readUInt32BE(8), seq: b.readUInt32BE(12) },
    payload: data.subarray(PROPOSAL_HEADER),
  };
}

export function requestKey(id: RequestId): string {
  return `${id.incarnation}:${id.seq}`;
}

/** Snapshot data = the members' addresses (raft ids know no addresses) + the application's state. */
export interface SnapshotEnvelope {
  members: Map<NodeId, string>;
  app: Uint8Array;
}

const SNAPSHOT_ENVELOPE_VERSION = 1;

/** wrapSnapshot for an application snapshot in chunks: the same bytes, one copy of each chunk, no intermediate buffer. */
export function wrapSnapshotChunks(members: Map<NodeId, string>, app: readonly Uint8Array[]): Uint8Array {
  let appLength = 0;
  for (const c of app) appLength += c.length;
  const w = new BinaryWriter(64 * members.size + 32);
  w.u8(SNAPSHOT_ENVELOPE_VERSION);
  w.varint(members.size);
  for (const [id, url] of [...members].sort((a, b) => a[0] - b[0])) {
    w.varint(id);
    w.bytes(Buffer.from(url, 'utf8'));
  }
  w.varint(appLength);
  const head = w.finish();
  const out = Buffer.allocUnsafe(head.length + appLength);
  out.set(head, 0);
  let at = head.length;
  for (const c of app) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

export function wrapSnapshot(env: SnapshotEnvelope): Uint8Array {
  const w = new BinaryWriter(env.app.length + 64 * env.members.size + 16);
  w.u8(SNAPSHOT_ENVELOPE_VERSION);
  w.varint(env.members.size);
  for (const [id, url] of [...env.members].sort((a, b) => a[0] - b[0])) {
    w.varint(id);
    w.bytes(Buffer.from(url, 'utf8'));
  }
  w.bytes(env.app);
  return w.finish();
}

export function unwrapSnapshot(data: Uint8Array): SnapshotEnvelope {
  const r = new BinaryReader(data);
  const v = r.u8();
  if (v !== SNAPSHOT_ENVELOPE_VERSION) throw new Error(`snapshot envelope version ${v} is not supported (want ${SNAPSHOT_ENVELOPE_VERSION})`);
  const members = new Map<NodeId, string>();
  const n = r.varint();
  for (let i = 0; i < n; i++) {
    const id = r.varint();
    members.set(id, Buffer.from(r.bytes()).toString('utf8'));
  }
  const app = r.bytes();
  r.end('snapshot envelope');
  return { members, app };
}

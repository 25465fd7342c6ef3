import { encodeMessage } from '../../../lib/raft/codec';
import { MessageType } from '../../../lib/raft/core/types';
import { backoffDelay, DEFAULT_BACKOFF } from '../../../lib/util/backoff';
import {
  CloseCode,
  decodeBatch,
  encodeBatch,
  encodeHandshake,
  FrameKind,
  PROTOCOL,
  PROTOCOL_VERSION,
  readHandshake,
} from '../../../lib/raft/transport/frames';
import { SendQueue } from '../../../lib/raft/transport/send-queue';
import { msg } from './harness';

describe('frames', () => {
  it('carries several messages in one batch frame, in order', () => {
    const parts = [1, 2, 3].map((i) => encodeMessage(msg(MessageType.App, 1, 2, { index: i })));
    const frame = encodeBatch(parts);
    expect(frame[0]).toBe(FrameKind.Batch);
    expect(decodeBatch(frame).map((p) => Buffer.from(p).toString('hex'))).toEqual(parts.map((p) => Buffer.from(p).toString('hex')));
  });

  it('rejects truncated, padded or absurd batches', () => {
    const frame = encodeBatch([encodeMessage(msg(MessageType.App, 1, 2))]);
    expect(() => decodeBatch(frame.subarray(0, frame.length - 1))).toThrow();
    expect(() => decodeBatch(new Uint8Array([...frame, 0]))).toThrow(/trailing/);
    expect(() => decodeBatch(new Uint8Array([FrameKind.Batch, 0xff, 0xff, 0xff, 0x7f]))).toThrow(/claims/);
    expect(() => decodeBatch(new Uint8Array([FrameKind.Hello]))).toThrow(/expected a Batch/);
  });

  it('tells a version mismatch apart from a malformed handshake', () => {
    const hello = (fields: object) => new Uint8Array([FrameKind.Hello, ...Buffer.from(JSON.stringify(fields))]);
    const ok = readHandshake(encodeHandshake(FrameKind.Hello, { proto: PROTOCOL, version: PROTOCOL_VERSION, id: 2, to: 1, cluster: 'c' }), FrameKind.Hello, 'c');
    expect(ok).toEqual({ ok: true, hs: { proto: PROTOCOL, version: PROTOCOL_VERSION, id: 2, to: 1, cluster: 'c' } });
    // A future version may change every other field; it still gets told the versions.
    expect(readHandshake(hello({ proto: PROTOCOL, version: 2, whatever: true }), FrameKind.Hello, 'c')).toMatchObject({ ok: false, code: CloseCode.VersionMismatch });
    expect(readHandshake(hello({ proto: PROTOCOL, version: 1, id: 2, to: 1, cluster: 'x' }), FrameKind.Hello, 'c')).toMatchObject({ ok: false, code: CloseCode.ClusterMismatch });
    expect(readHandshake(hello({ proto: PROTOCOL, version: 1, id: -1, to: 1, cluster: 'c' }), FrameKind.Hello, 'c')).toMatchObject({ ok: false, code: CloseCode.ProtocolError });
    expect(readHandshake(new Uint8Array([FrameKind.Hello, 0x7b]), FrameKind.Hello, 'c')).toMatchObject({ ok: false, reason: 'handshake is not valid JSON' });
  });
});

describe('reconnect backoff', () => {
  it('dials at once, then doubles with jitter up to the cap', () => {
    const low = (n: number) => backoffDelay(n, DEFAULT_BACKOFF, () => 0);
    const high = (n: number) => backoffDelay(n, DEFAULT_BACKOFF, () => 1);
    expect(low(0)).toBe(0);
    expect([1, 2, 3, 4].map(high)).toEqual([100, 200, 400, 800]);
    expect([1, 2, 3, 4].map(low)).toEqual([50, 100, 200, 400]);
    expect(high(50)).toBe(5000);
    expect(low(50)).toBe(2500);
  });
});

describe('send queue', () => {
  const item = (n: number) => ({ bytes: new Uint8Array(n), snapshot: false });

  it('refuses new messages beyond its count or byte bound', () => {
    const q = new SendQueue(3, 100);
    expect([q.push(item(10)), q.push(item(10)), q.push(item(10)), q.push(item(1))]).toEqual([true, true, true, false]);
    const b = new SendQueue(10, 100);
    expect([b.push(item(60)), b.push(item(60))]).toEqual([true, false]);
  });

  it('takes a lone oversized message when empty, and batches up to a byte target', () => {
    const q = new SendQueue(10, 100);
    expect(q.push(item(500))).toBe(true);
    expect(q.take(50)).toHaveLength(1);
    for (let i = 0; i < 5; i++) q.push(item(10));
    expect(q.take(25)).toHaveLength(2);
    expect(q.length).toBe(3);
    expect(q.byteLength).toBe(30);
    expect(q.clear()).toHaveLength(3);
    expect(q.length).toBe(0);
  });
});

// The sending side of a chunked snapshot on one connection, against a fake
// socket whose write callbacks the test fires: the snapshot counts as sent
// only once its last chunk is written, and as failed (once) if the connection
// goes away or a newer snapshot replaces it before that.

import { EventEmitter } from 'events';
import type WebSocket from 'ws';
import { Connection } from '../../../lib/raft/transport/connection';
import { decodeSnapChunk } from '../../../lib/raft/transport/snapshot-chunks';
import { emptyPeerStats } from '../../../lib/raft/transport/transport';

class FakeSocket extends EventEmitter {
  bufferedAmount = 0;
  sent: { frame: Uint8Array; done: (err?: Error) => void }[] = [];
  send(frame: Uint8Array, _opts: unknown, done: (err?: Error) => void): void {
    this.sent.push({ frame, done });
  }
}

const turn = () => new Promise((r) => setImmediate(r));

function open(): { conn: Connection; ws: FakeSocket; reports: boolean[] } {
  const ws = new FakeSocket();
  const reports: boolean[] = [];
  const limits = { maxQueueMessages: 10, maxQueueBytes: 1 << 20, maxFrameBytes: 1000, highWaterMarkBytes: 1 << 20, maxSnapshotBytes: 1 << 20 };
  const conn = new Connection(ws as unknown as WebSocket, 'outbound', 2, emptyPeerStats(2), limits, (_id, ok) => reports.push(ok));
  conn.state = 'open';
  return { conn, ws, reports };
}

describe('sending a snapshot in chunks on one connection', () => {
  test('reported sent once, after the last of its chunks is written, which together are the message', async () => {
    const { conn, ws, reports } = open();
    const bytes = Buffer.alloc(4500, 7);
    conn.enqueueSnapshot(bytes, 1000);
    await turn();
    expect(ws.sent.length).toBe(5);
    const pieces = ws.sent.map((s) => decodeSnapChunk(s.frame));
    expect(Buffer.concat(pieces.map((p) => p.piece)).equals(bytes)).toBe(true);
    expect(pieces.map((p) => p.offset)).toEqual([0, 1000, 2000, 3000, 4000]);
    for (const s of ws.sent.slice(0, 4)) s.done();
    expect(reports).toEqual([]);
    ws.sent[4].done();
    expect(reports).toEqual([true]);
  });

  test('reported failed once when the connection goes away mid-transfer; late write callbacks change nothing', async () => {
    const { conn, ws, reports } = open();
    conn.enqueueSnapshot(Buffer.alloc(4500, 1), 1000);
    await turn();
    ws.sent[0].done();
    conn.dropQueued();
    for (const s of ws.sent.slice(1)) s.done();
    expect(reports).toEqual([false]);
  });

  test('a newer snapshot replaces one not fully sent, which is reported failed', async () => {
    const { conn, ws, reports } = open();
    conn.enqueueSnapshot(Buffer.alloc(2500, 1), 1000);
    await turn();
    conn.enqueueSnapshot(Buffer.alloc(1500, 2), 1000);
    expect(reports).toEqual([false]);
    await turn();
    for (const s of ws.sent) s.done();
    expect(reports).toEqual([false, true]);
    expect(new Set(ws.sent.map((s) => decodeSnapChunk(s.frame).transfer)).size).toBe(2);
  });

  test('a failed chunk write fails the snapshot', async () => {
    const { conn, ws, reports } = open();
    conn.enqueueSnapshot(Buffer.alloc(2500, 1), 1000);
    await turn();
    ws.sent[0].done(new Error('EPIPE'));
    for (const s of ws.sent.slice(1)) s.done();
    expect(reports).toEqual([false]);
  });
});

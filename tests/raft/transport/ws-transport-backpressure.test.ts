import { AddressInfo } from 'net';
import WebSocket, { WebSocketServer } from 'ws';
import { MessageType } from '../../../lib/raft/core/types';
import { decodeBatch, encodeHandshake, FrameKind, PROTOCOL, PROTOCOL_VERSION } from '../../../lib/raft/transport/frames';
import { Harness, msg, nextTurn, waitFor } from './harness';

let h: Harness;
beforeEach(() => {
  h = new Harness();
});
afterEach(() => h.close());

/** A peer that completes the handshake and can then stop reading its socket. */
async function slowPeer(id: number): Promise<{ url: string; received: () => number; pause(): void; resume(): void }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const sockets: WebSocket[] = [];
  let received = 0;
  wss.on('connection', (ws) => {
    sockets.push(ws);
    ws.on('message', (data: Buffer) => {
      if (data[0] === FrameKind.Hello) {
        ws.send(encodeHandshake(FrameKind.Welcome, { proto: PROTOCOL, version: PROTOCOL_VERSION, id, cluster: '' }));
      } else {
        received += decodeBatch(data).length;
      }
    });
  });
  h.onCleanup(async () => {
    for (const ws of sockets) ws.terminate();
    await new Promise<void>((r) => wss.close(() => r()));
  });
  const { port } = wss.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    received: () => received,
    pause: () => sockets.forEach((s) => s.pause()),
    resume: () => sockets.forEach((s) => s.resume()),
  };
}

describe('WsTransport memory bounds', () => {
  it('drops instead of queueing while a peer is down', async () => {
    const a = await h.node(1);
    const b = await h.node(2);
    const url = b.url;
    await b.t.stop();
    a.t.addPeer(2, url);
    const n = 10_000;
    for (let i = 0; i < n; i++) a.t.send([msg(MessageType.App, 1, 2, { index: i, entries: [] })]);
    expect(a.t.stats().peers[2]).toMatchObject({ connected: false, dropped: n, queued: 0, queuedBytes: 0 });
  });

  it('bounds the queue and the socket buffer for a peer that stops reading, and loses nothing uncounted', async () => {
    const peer = await slowPeer(2);
    const limits = { maxQueueMessages: 64, maxQueueBytes: 2 * 1024 * 1024, highWaterMarkBytes: 256 * 1024, maxFrameBytes: 256 * 1024 };
    const a = await h.node(1, { ...limits, pingIntervalMs: 0 });
    a.t.addPeer(2, peer.url);
    await waitFor(() => a.t.stats().peers[2].connected, 'connected to the slow peer');
    peer.pause();

    const data = new Uint8Array(64 * 1024);
    let offered = 0;
    let worst = { queued: 0, queuedBytes: 0, bufferedBytes: 0 };
    await waitFor(
      () => {
        for (let i = 0; i < 8; i++) {
          a.t.send([msg(MessageType.App, 1, 2, { index: ++offered, entries: [{ term: 1, index: offered, type: 0, data }] })]);
        }
        const s = a.t.stats().peers[2];
        worst = {
          queued: Math.max(worst.queued, s.queued),
          queuedBytes: Math.max(worst.queuedBytes, s.queuedBytes),
          bufferedBytes: Math.max(worst.bufferedBytes, s.bufferedBytes),
        };
        return s.dropped > 100;
      },
      'the queue to overflow',
      20_000,
    );
    expect(worst.queued).toBeLessThanOrEqual(limits.maxQueueMessages);
    expect(worst.queuedBytes).toBeLessThanOrEqual(limits.maxQueueBytes);
    // The last frame handed over below the mark may overshoot it by one frame.
    expect(worst.bufferedBytes).toBeLessThan(limits.highWaterMarkBytes + limits.maxFrameBytes + 2 * data.length);
    expect(a.unreachable).toContain(2);

    // Once the peer reads again, everything not counted as dropped arrives.
    peer.resume();
    await waitFor(() => peer.received() + a.t.stats().peers[2].dropped === offered, 'the backlog to drain', 20_000);
    await nextTurn();
    expect(a.t.stats().peers[2]).toMatchObject({ queued: 0, sent: peer.received() });
  });
});

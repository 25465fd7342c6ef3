import { randomBytes } from 'crypto';
import { MessageType } from '../../../lib/raft/core/types';
import { connected, Harness, msg, TestNode, waitFor } from './harness';

let h: Harness;
beforeEach(() => {
  h = new Harness();
});
afterEach(() => h.close());

describe('WsTransport between live nodes on 127.0.0.1', () => {
  it('carries messages both ways over a single socket per pair', async () => {
    const a = await h.node(1);
    const b = await h.node(2);
    expect(a.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    h.meshUp([a, b]);
    await waitFor(() => connected(a, b), 'a and b connected');

    a.t.send([msg(MessageType.App, 1, 2, { index: 7 })]);
    b.t.send([msg(MessageType.AppResp, 2, 1, { index: 7 })]);
    await waitFor(() => a.inbox.length === 1 && b.inbox.length === 1, 'one message each way');
    expect(b.inbox[0]).toMatchObject({ type: MessageType.App, from: 1, to: 2, index: 7 });
    expect(a.inbox[0]).toMatchObject({ type: MessageType.AppResp, from: 2, to: 1, index: 7 });

    // Both know each other, yet only the lower id's dial survives.
    await waitFor(() => a.t.stats().peers[2].sockets === 1 && b.t.stats().peers[1].sockets === 1, 'one socket');
    expect(a.t.stats().peers[2]).toMatchObject({ connected: true, direction: 'outbound', sent: 1, received: 1 });
    expect(b.t.stats().peers[1]).toMatchObject({ connected: true, direction: 'inbound', sent: 1, received: 1 });
  });

  it('connects three nodes all-to-all with one socket per pair', async () => {
    const nodes = [await h.node(1), await h.node(2), await h.node(3)];
    h.meshUp(nodes);
    const heardFrom = (n: TestNode) => new Set(n.inbox.map((m) => m.from));
    // Sends before the sockets are up are dropped, so keep sending until delivered, as raft would.
    await waitFor(() => {
      for (const n of nodes) n.t.send(nodes.filter((p) => p !== n).map((p) => msg(MessageType.Heartbeat, n.id, p.id)));
      return nodes.every((n) => heardFrom(n).size === 2);
    }, 'every node heard from both others');

    await waitFor(
      () => nodes.every((n) => Object.values(n.t.stats().peers).every((p) => p.connected && p.sockets === 1)),
      'exactly one socket per pair',
    );
    for (const n of nodes) expect(Object.keys(n.t.stats().peers)).toHaveLength(2);
  });

  it('reports a restarting peer unreachable and resumes delivery when it is back on the same port', async () => {
    const a = await h.node(1);
    let b = await h.node(2);
    h.meshUp([a, b]);
    await waitFor(() => connected(a, b), 'connected');
    const port = b.t.address().port;

    await b.t.stop();
    await waitFor(() => a.unreachable.includes(2), 'a reports 2 unreachable');
    await waitFor(() => !a.t.stats().peers[2].connected, 'a sees the link down');
    const droppedBefore = a.t.stats().peers[2].dropped;
    a.t.send([msg(MessageType.App, 1, 2, { index: 1 })]);
    expect(a.t.stats().peers[2].dropped).toBe(droppedBefore + 1);

    // A new process for node 2 on the old address.
    b = await h.node(2, { port });
    b.t.addPeer(1, a.url);
    await waitFor(() => connected(a, b), 'reconnected');
    a.t.send([msg(MessageType.App, 1, 2, { index: 2 })]);
    b.t.send([msg(MessageType.AppResp, 2, 1, { index: 2 })]);
    await waitFor(() => b.inbox.length === 1 && a.inbox.length === 1, 'delivery resumed');
    expect(b.inbox[0].index).toBe(2);
  });

  it('restarts on the port it had: stop is idempotent and start may follow', async () => {
    const a = await h.node(1);
    const b = await h.node(2);
    h.meshUp([a, b]);
    await waitFor(() => connected(a, b), 'connected');
    const { port } = b.t.address();

    await Promise.all([b.t.stop(), b.t.stop()]);
    await b.t.stop();
    expect(() => b.t.address()).toThrow(/not listening/);
    await b.t.start();
    expect(b.t.address().port).toBe(port);
    await waitFor(() => connected(a, b), 'reconnected');
    b.t.send([msg(MessageType.Heartbeat, 2, 1)]);
    await waitFor(() => a.inbox.length === 1, 'delivered after restart');
  });

  it('delivers a 1 MiB snapshot intact and reports it sent', async () => {
    const a = await h.node(1);
    const b = await h.node(2);
    h.meshUp([a, b]);
    await waitFor(() => connected(a, b), 'connected');

    const data = randomBytes(1024 * 1024);
    const snapshot = { metadata: { index: 42, term: 3, confState: { voters: [1, 2], learners: [] } }, data };
    a.t.send([msg(MessageType.Snap, 1, 2, { snapshot })]);
    await waitFor(() => b.inbox.length === 1, 'snapshot delivered');
    const got = b.inbox[0].snapshot;
    expect(got?.metadata).toEqual(snapshot.metadata);
    expect(Buffer.from(got?.data ?? []).equals(data)).toBe(true);
    await waitFor(() => a.snapshots.length === 1, 'snapshot status');
    expect(a.snapshots).toEqual([[2, true]]);
  });

  it('sends a snapshot bigger than a frame (and than maxMessageBytes) in chunks, heartbeats still passing, and reports it sent', async () => {
    const small = { maxFrameBytes: 64 * 1024, maxMessageBytes: 128 * 1024, highWaterMarkBytes: 128 * 1024 };
    const a = await h.node(1, small);
    const b = await h.node(2, small);
    h.meshUp([a, b]);
    await waitFor(() => connected(a, b), 'connected');

    const data = randomBytes(4 * 1024 * 1024);
    const snapshot = { metadata: { index: 42, term: 3, confState: { voters: [1, 2], learners: [] } }, data };
    a.t.send([msg(MessageType.Snap, 1, 2, { snapshot }), msg(MessageType.Heartbeat, 1, 2)]);
    await waitFor(() => b.inbox.some((m) => m.type === MessageType.Snap), 'snapshot delivered');
    // The heartbeat sent after the snapshot did not wait for its 64 chunks.
    expect(b.inbox.map((m) => m.type)).toEqual([MessageType.Heartbeat, MessageType.Snap]);
    const got = b.inbox[1].snapshot;
    expect(got?.metadata).toEqual(snapshot.metadata);
    expect(Buffer.from(got?.data ?? []).equals(data)).toBe(true);
    await waitFor(() => a.snapshots.length === 1, 'snapshot status');
    expect(a.snapshots).toEqual([[2, true]]);
  });

  it('drops a snapshot above maxSnapshotBytes, saying so with both sizes, and reports it failed', async () => {
    const a = await h.node(1, { maxSnapshotBytes: 64 * 1024 });
    const b = await h.node(2);
    h.meshUp([a, b]);
    await waitFor(() => connected(a, b), 'connected');

    const snapshot = { metadata: { index: 42, term: 3, confState: { voters: [1, 2], learners: [] } }, data: randomBytes(100 * 1024) };
    a.t.send([msg(MessageType.Snap, 1, 2, { snapshot })]);
    await waitFor(() => a.snapshots.length === 1, 'snapshot status');
    expect(a.snapshots).toEqual([[2, false]]);
    expect(a.warnings.some((w) => /^dropping a snapshot of 1024\d\d bytes for node 2: above maxSnapshotBytes \(65536\)/.test(w))).toBe(true);
    expect(b.inbox).toHaveLength(0);
  });

  it('keeps order and loses nothing when many messages are batched', async () => {
    const a = await h.node(1);
    const b = await h.node(2);
    h.meshUp([a, b]);
    await waitFor(() => connected(a, b), 'connected');

    const n = 3000;
    const entry = { term: 1, index: 0, type: 0, data: new Uint8Array(100) };
    for (let i = 1; i <= n; i += 100) {
      a.t.send(Array.from({ length: 100 }, (_, k) => msg(MessageType.App, 1, 2, { index: i + k, entries: [{ ...entry, index: i + k }] })));
    }
    await waitFor(() => b.inbox.length === n, `${n} messages`);
    expect(b.inbox.map((m) => m.index)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(a.t.stats().peers[2]).toMatchObject({ sent: n, dropped: 0 });
  });

  it('reports unreachable once per interval, not once per dropped message', async () => {
    const a = await h.node(1, { unreachableIntervalMs: 60_000 });
    a.t.addPeer(2, 'ws://127.0.0.1:1'); // nothing listens on port 1
    for (let i = 0; i < 100; i++) a.t.send([msg(MessageType.App, 1, 2, { index: i })]);
    await waitFor(() => a.unreachable.length > 0, 'unreachable reported');
    expect(a.unreachable).toEqual([2]);
    expect(a.t.stats().peers[2]).toMatchObject({ connected: false, dropped: 100, queued: 0 });
  });

  it('refuses bad peer configuration loudly', async () => {
    const a = await h.node(1);
    expect(() => a.t.addPeer(1, 'ws://127.0.0.1:5')).toThrow(/invalid peer id/);
    expect(() => a.t.addPeer(0, 'ws://127.0.0.1:5')).toThrow(/invalid peer id/);
    expect(() => a.t.addPeer(2, 'http://127.0.0.1:5')).toThrow(/ws:\/\/ or wss:\/\//);
    expect(() => a.t.addPeer(2, 'wss://127.0.0.1:5')).toThrow(/no TLS options/);
    expect(() => a.t.addPeer(2, 'not a url')).toThrow(/invalid url/);
  });

  it('lets a node reach a peer that does not know it yet, over the connection that peer accepted', async () => {
    // The lagging-follower case: 1 has not applied the conf change adding 2, but 2 leads.
    const a = await h.node(1);
    const b = await h.node(2);
    b.t.addPeer(1, a.url);
    await waitFor(() => connected(a, b), 'connected');
    expect(a.t.stats().peers[2]).toMatchObject({ url: undefined, direction: 'inbound' });
    b.t.send([msg(MessageType.App, 2, 1)]);
    a.t.send([msg(MessageType.AppResp, 1, 2)]);
    await waitFor(() => a.inbox.length === 1 && b.inbox.length === 1, 'one message each way');
  });

  it('settles on one socket, the lower id\'s, when both nodes dial at once', async () => {
    for (let round = 0; round < 3; round++) {
      const a = await h.node(10 + round * 2, { fallbackDialDelayMs: 0 });
      const b = await h.node(11 + round * 2, { fallbackDialDelayMs: 0 });
      h.meshUp([a, b]);
      await waitFor(
        () => connected(a, b) && a.t.stats().peers[b.id].sockets === 1 && b.t.stats().peers[a.id].sockets === 1,
        'one socket',
      );
      expect(a.t.stats().peers[b.id].direction).toBe('outbound');
      expect(b.t.stats().peers[a.id].direction).toBe('inbound');
      a.t.send([msg(MessageType.Heartbeat, a.id, b.id)]);
      b.t.send([msg(MessageType.Heartbeat, b.id, a.id)]);
      await waitFor(() => a.inbox.length === 1 && b.inbox.length === 1, 'delivery after settling');
    }
  });
});

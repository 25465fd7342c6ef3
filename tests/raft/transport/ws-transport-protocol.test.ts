import { MessageType } from '../../../lib/raft/core/types';
import { encodeMessage } from '../../../lib/raft/codec';
import { CloseCode, encodeBatch } from '../../../lib/raft/transport/frames';
import { encodeSnapChunk } from '../../../lib/raft/transport/snapshot-chunks';
import { crc32 } from '../../../lib/raft/storage/crc32';
import { connected, Harness, msg, RawPeer, waitFor } from './harness';

let h: Harness;
beforeEach(() => {
  h = new Harness();
});
afterEach(() => h.close());

describe('WsTransport handshake and frame checks', () => {
  it('refuses a peer speaking another protocol version, saying why', async () => {
    const a = await h.node(1);
    const raw = new RawPeer(h, a.url);
    await raw.opened;
    raw.hello(3, 1, { version: 99 });
    const closed = await raw.closed;
    expect(closed.code).toBe(CloseCode.VersionMismatch);
    expect(closed.reason).toMatch(/protocol version mismatch: peer speaks 99, this node speaks 1/);
    expect(a.t.stats().refused).toBe(1);
    expect(a.t.stats().peers[3]).toBeUndefined();
  });

  it('refuses a peer from another cluster, and two such transports never connect', async () => {
    const a = await h.node(1, { clusterId: 'alpha' });
    const raw = new RawPeer(h, a.url);
    await raw.opened;
    raw.hello(3, 1, { cluster: 'beta' });
    expect(await raw.closed).toMatchObject({ code: CloseCode.ClusterMismatch, reason: expect.stringMatching(/cluster mismatch/) });

    const b = await h.node(2, { clusterId: 'beta' });
    h.meshUp([a, b]);
    await waitFor(() => a.warnings.some((w) => /cluster mismatch/.test(w)), 'a logs the refusal');
    expect(connected(a, b)).toBe(false);
  });

  it('refuses a dialer that wanted another node', async () => {
    const a = await h.node(1);
    const raw = new RawPeer(h, a.url);
    await raw.opened;
    raw.hello(3, 5);
    expect(await raw.closed).toMatchObject({ code: CloseCode.WrongNode, reason: 'this is node 1, not node 5' });
  });

  it('closes a socket that does not complete the handshake in time', async () => {
    const a = await h.node(1, { handshakeTimeoutMs: 200 });
    const raw = new RawPeer(h, a.url);
    await raw.opened;
    expect(await raw.closed).toMatchObject({ code: CloseCode.ProtocolError, reason: 'handshake timed out' });
  });

  it('drops messages whose from is not the id the connection handshook as', async () => {
    const a = await h.node(1);
    const raw = new RawPeer(h, a.url);
    await raw.opened;
    raw.hello(3, 1);
    await raw.welcomed();
    raw.sendMessages([
      msg(MessageType.Vote, 2, 1, { index: 1 }), // node 3 pretending to be node 2
      msg(MessageType.Vote, 3, 4, { index: 2 }), // addressed to someone else
      msg(MessageType.Vote, 3, 1, { index: 3 }),
    ]);
    await waitFor(() => a.inbox.length > 0, 'the genuine message');
    expect(a.inbox.map((m) => [m.from, m.index])).toEqual([[3, 3]]);
    expect(a.t.stats().peers[3]).toMatchObject({ received: 1, rejected: 2, connected: true });
  });

  it('closes the connection on an undecodable frame and delivers nothing from it', async () => {
    const a = await h.node(1);
    const raw = new RawPeer(h, a.url);
    await raw.opened;
    raw.hello(3, 1);
    await raw.welcomed();
    const good = encodeMessage(msg(MessageType.Heartbeat, 3, 1));
    raw.ws.send(encodeBatch([good]));
    await waitFor(() => a.inbox.length === 1, 'first frame');
    // A batch whose second message is garbage: the good one in it must not be delivered either.
    raw.ws.send(encodeBatch([good, new Uint8Array([1, 0xff, 0xff, 0xff])]));
    const closed = await raw.closed;
    expect(closed.code).toBe(CloseCode.BadFrame);
    expect(closed.reason).toMatch(/undecodable frame/);
    expect(a.inbox).toHaveLength(1);
    expect(a.warnings.some((w) => /undecodable frame/.test(w))).toBe(true);
  });

  it('refuses a peer that was removed until it is added again', async () => {
    const a = await h.node(1);
    const b = await h.node(2);
    h.meshUp([a, b]);
    await waitFor(() => connected(a, b), 'connected');
    a.t.removePeer(2);
    await waitFor(() => !b.t.stats().peers[1]?.connected, 'b lost the link');
    expect(a.t.stats().peers[2]).toBeUndefined();
    // b keeps dialing; a keeps refusing.
    await waitFor(() => a.t.stats().refused >= 2, 'a refuses b twice');
    expect(b.warnings.some((w) => /removed from the cluster/.test(w))).toBe(true);

    a.t.addPeer(2, b.url);
    await waitFor(() => connected(a, b), 'connected again');
  });

  it('lets authorizePeer refuse an identity', async () => {
    const a = await h.node(1, { authorizePeer: (p) => (p.id === 3 ? 'node 3 is not welcome' : true) });
    const raw = new RawPeer(h, a.url);
    await raw.opened;
    raw.hello(3, 1);
    expect(await raw.closed).toMatchObject({ code: CloseCode.Refused, reason: 'node 3 is not welcome' });
  });

  it('drops a peer that stops answering pings and reports it unreachable', async () => {
    const a = await h.node(1, { pingIntervalMs: 100 });
    const raw = new RawPeer(h, a.url);
    await raw.opened;
    raw.hello(3, 1);
    await raw.welcomed();
    expect(a.t.stats().peers[3]?.connected).toBe(true);
    raw.ws.pause(); // a hung process: the socket stays open but nothing is read or answered
    await waitFor(() => a.unreachable.includes(3), 'unreachable reported');
    expect(a.t.stats().peers[3]).toBeUndefined();
    expect(a.warnings.some((w) => /connection lost/.test(w))).toBe(true);
  });

  it('never delivers a snapshot transfer that is cut short, has a gap or a bad checksum; a whole one after it is delivered', async () => {
    const a = await h.node(1);
    const raw = new RawPeer(h, a.url);
    await raw.opened;
    raw.hello(3, 1);
    await raw.welcomed();
    const snapMsg = (index: number) =>
      encodeMessage(msg(MessageType.Snap, 3, 1, { snapshot: { metadata: { index, term: 1, confState: { voters: [1, 3], learners: [] } }, data: Buffer.alloc(3000, index) } }));
    const chunks = (bytes: Uint8Array, transfer: number, crc = crc32(bytes, 0)) =>
      [0, 1000, 2000, 3000].filter((o) => o < bytes.length).map((offset) =>
        encodeSnapChunk({ transfer, offset, total: bytes.length, crc, piece: bytes.subarray(offset, Math.min(offset + 1000, bytes.length)) }));
    const send = (frames: Uint8Array[]) => frames.forEach((f) => raw.ws.send(f));

    const truncated = chunks(snapMsg(5), 1);
    send(truncated.slice(0, -1)); // the last piece never comes: a new transfer starts instead
    const gap = chunks(snapMsg(6), 2);
    send([gap[0], gap[2], gap[3]]);
    const corrupt = snapMsg(7);
    send(chunks(corrupt, 3, crc32(corrupt, 0) ^ 1));
    send(chunks(snapMsg(8), 4));
    await waitFor(() => a.inbox.length === 1, 'the whole transfer delivered');
    expect(a.inbox[0].snapshot?.metadata.index).toBe(8);
    // The truncated one is dropped silently when the next starts; the gap costs two chunks (the one
    // after the gap, then the last, which no longer has a transfer to join); the bad checksum one.
    expect(a.warnings.filter((w) => /dropped an incoming snapshot transfer/.test(w)).length).toBe(3);
    expect(a.t.stats().peers[3].rejected).toBe(3);
  });
});

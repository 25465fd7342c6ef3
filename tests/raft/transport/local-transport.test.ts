import { Message, MessageType, NodeId } from '../../../lib/raft/core/types';
import { LocalNetwork, LocalTransport } from '../../../lib/raft/transport/local-transport';
import { msg, nextTurn, waitFor } from './harness';

interface LocalNode {
  t: LocalTransport;
  inbox: Message[];
  unreachable: NodeId[];
  snapshots: Array<[NodeId, boolean]>;
}

async function nodes(net: LocalNetwork, ids: NodeId[]): Promise<LocalNode[]> {
  const out: LocalNode[] = [];
  for (const id of ids) {
    const n: Omit<LocalNode, 't'> = { inbox: [], unreachable: [], snapshots: [] };
    const t = net.transport({
      id,
      onMessage: (m) => n.inbox.push(m),
      onUnreachable: (p) => n.unreachable.push(p),
      onSnapshotStatus: (p, ok) => n.snapshots.push([p, ok]),
    });
    await t.start();
    out.push({ ...n, t });
  }
  for (const a of out) for (const b of out) if (a !== b) a.t.addPeer(b.t.id, `local://${b.t.id}`);
  return out;
}

describe('LocalNetwork', () => {
  it('delivers asynchronously, in order, as copies', async () => {
    const net = new LocalNetwork();
    const [a, b] = await nodes(net, [1, 2]);
    const data = new Uint8Array([1, 2, 3]);
    a.t.send([msg(MessageType.App, 1, 2, { index: 1, entries: [{ term: 1, index: 1, type: 0, data }] }), msg(MessageType.App, 1, 2, { index: 2 })]);
    expect(b.inbox).toEqual([]); // never re-enters the receiver from inside send()
    await waitFor(() => b.inbox.length === 2, 'delivery');
    expect(b.inbox.map((m) => m.index)).toEqual([1, 2]);
    data[0] = 9;
    expect(b.inbox[0].entries[0].data[0]).toBe(1);
    expect(a.t.stats().peers[2]).toMatchObject({ connected: true, sent: 2 });
    expect(b.t.stats().peers[1]).toMatchObject({ received: 2 });
  });

  it('supports microtask delivery for speed', async () => {
    const net = new LocalNetwork({ delivery: 'microtask', clone: false });
    const [a, b] = await nodes(net, [1, 2]);
    const m = msg(MessageType.Heartbeat, 1, 2);
    a.t.send([m]);
    await Promise.resolve();
    expect(b.inbox).toEqual([m]);
    expect(b.inbox[0]).toBe(m);
  });

  it('loses messages over a cut link, reports the peer unreachable once per send, and heals', async () => {
    const net = new LocalNetwork();
    const [a, b, c] = await nodes(net, [1, 2, 3]);
    net.cut(1, 2);
    a.t.send([msg(MessageType.App, 1, 2), msg(MessageType.App, 1, 2), msg(MessageType.App, 1, 3)]);
    b.t.send([msg(MessageType.AppResp, 2, 1)]);
    await nextTurn();
    expect(b.inbox).toEqual([]);
    expect(a.inbox).toEqual([]);
    expect(c.inbox).toHaveLength(1);
    expect(a.unreachable).toEqual([2]);
    expect(a.t.stats().peers[2]).toMatchObject({ connected: false, dropped: 2 });

    net.heal(1, 2);
    a.t.send([msg(MessageType.App, 1, 2)]);
    await waitFor(() => b.inbox.length === 1, 'delivery after heal');
  });

  it('cuts one direction only, isolates a node, and loses what was in flight when the link goes down', async () => {
    const net = new LocalNetwork();
    const [a, b, c] = await nodes(net, [1, 2, 3]);
    net.cut(1, 2, true);
    a.t.send([msg(MessageType.App, 1, 2)]);
    b.t.send([msg(MessageType.AppResp, 2, 1)]);
    await nextTurn();
    expect(b.inbox).toEqual([]);
    expect(a.inbox).toHaveLength(1);

    net.healAll();
    a.t.send([msg(MessageType.App, 1, 2)]);
    net.isolate(2); // after send, before delivery
    c.t.send([msg(MessageType.App, 3, 2)]);
    await nextTurn();
    expect(b.inbox).toEqual([]);
    expect(c.unreachable).toEqual([2]);
  });

  it('drops messages to a stopped node and reports snapshot status', async () => {
    const net = new LocalNetwork();
    const [a, b] = await nodes(net, [1, 2]);
    const snapshot = { metadata: { index: 5, term: 1, confState: { voters: [1, 2], learners: [] } }, data: new Uint8Array(10) };
    a.t.send([msg(MessageType.Snap, 1, 2, { snapshot })]);
    await waitFor(() => a.snapshots.length === 1, 'snapshot status');
    await b.t.stop();
    a.t.send([msg(MessageType.Snap, 1, 2, { snapshot })]);
    await waitFor(() => a.snapshots.length === 2, 'snapshot status');
    expect(a.snapshots).toEqual([[2, true], [2, false]]);
    expect(b.inbox).toHaveLength(1);
  });

  it('lets a filter drop messages silently', async () => {
    const net = new LocalNetwork();
    const [a, b] = await nodes(net, [1, 2]);
    net.setFilter((m) => m.type !== MessageType.Vote);
    a.t.send([msg(MessageType.Vote, 1, 2), msg(MessageType.Heartbeat, 1, 2)]);
    await waitFor(() => b.inbox.length === 1, 'the heartbeat');
    expect(b.inbox[0].type).toBe(MessageType.Heartbeat);
    expect(a.unreachable).toEqual([]);
  });

  it('routes to a node that knows the sender even if the sender does not know it', async () => {
    const net = new LocalNetwork();
    const a = net.transport({ id: 1, onMessage: () => undefined, onUnreachable: () => undefined });
    const got: Message[] = [];
    const b = net.transport({ id: 2, onMessage: (m) => got.push(m), onUnreachable: () => undefined });
    await Promise.all([a.start(), b.start()]);
    b.addPeer(1, 'local://1');
    a.send([msg(MessageType.AppResp, 1, 2)]);
    await waitFor(() => got.length === 1, 'delivery');
    expect(() => net.transport({ id: 2, onMessage: () => undefined, onUnreachable: () => undefined })).toThrow(/already exists/);
  });
});

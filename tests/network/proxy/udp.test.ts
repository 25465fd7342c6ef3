import * as dgram from 'dgram';
import type { ListenerSpec } from '../../../lib/network/proxy/types';
import { Cleanup, until } from '../../net/fixtures';
import { udpEchoServer } from '../servers';
import { listening, local, localDialer, proxySet, statsOf } from './harness';

let cleanup: Cleanup;
beforeEach(() => {
  cleanup = new Cleanup();
});
afterEach(() => cleanup.run());

const VIP = '127.0.0.10';

interface Peer {
  send(text: string): void;
  /** Replies as "from-address:from-port text". */
  replies: string[];
}

/** A client socket on `address` that talks to the listener at VIP:listenerPort. */
async function peer(address: string, listenerPort: number): Promise<Peer> {
  const socket = dgram.createSocket('udp4');
  const replies: string[] = [];
  socket.on('message', (msg, rinfo) => replies.push(`${rinfo.address}:${rinfo.port} ${msg.toString()}`));
  await new Promise<void>((r) => socket.bind(0, address, r));
  cleanup.add(() => new Promise<void>((r) => socket.close(() => r())));
  return { send: (text) => socket.send(text, listenerPort, VIP), replies };
}

async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, VIP, r));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('UDP listeners', () => {
  it('keeps each peer on one backend, spreads peers, and answers from the listener address', async () => {
    const a = await udpEchoServer(cleanup, '127.0.0.2', 'A');
    // Same target port on the second task's own address, as a VIP forwards to one port.
    const b = await udpEchoServer(cleanup, '127.0.0.3', 'B', a.port);
    const listenerPort = await freeUdpPort();
    const set = proxySet(cleanup, localDialer({ a: '127.0.0.2', b: '127.0.0.3' }));
    const spec: ListenerSpec = { key: 'udp:dns', address: VIP, port: listenerPort, protocol: 'udp', targetPort: a.port, backends: () => local('a', 'b') };
    set.reconcile([spec]);
    await listening(set, spec.key);

    const p1 = await peer('127.0.0.5', listenerPort);
    const p2 = await peer('127.0.0.6', listenerPort);
    for (const i of [1, 2, 3]) {
      p1.send(`p1-${i}`);
      await until(() => p1.replies.length === i, `p1's reply ${i}`);
      p2.send(`p2-${i}`);
      await until(() => p2.replies.length === i, `p2's reply ${i}`);
    }
    const from = `${VIP}:${listenerPort}`;
    expect(p1.replies).toEqual([`${from} A:p1-1`, `${from} A:p1-2`, `${from} A:p1-3`]);
    expect(p2.replies).toEqual([`${from} B:p2-1`, `${from} B:p2-2`, `${from} B:p2-3`]);
    expect(a.seen.map((s) => s.split(' ')[1])).toEqual(['p1-1', 'p1-2', 'p1-3']);
    expect(b.seen.map((s) => s.split(' ')[1])).toEqual(['p2-1', 'p2-2', 'p2-3']);
    expect(statsOf(set, spec.key)).toMatchObject({ accepted: 2, active: 2 });
  });

  it('ends idle flows, and the next datagram of that peer starts a new one', async () => {
    const a = await udpEchoServer(cleanup, '127.0.0.2', 'A');
    const listenerPort = await freeUdpPort();
    const set = proxySet(cleanup, localDialer({ a: '127.0.0.2' }), { udpFlowIdleMs: 100 });
    const spec: ListenerSpec = { key: 'udp:x', address: VIP, port: listenerPort, protocol: 'udp', targetPort: a.port, backends: () => local('a') };
    set.reconcile([spec]);
    await listening(set, spec.key);
    const p = await peer('127.0.0.5', listenerPort);
    p.send('one');
    await until(() => p.replies.length === 1, 'a reply');
    await until(() => statsOf(set, spec.key).active === 0, 'the flow times out');
    p.send('two');
    await until(() => p.replies.length === 2, 'a reply on a new flow');
    expect(statsOf(set, spec.key)).toMatchObject({ accepted: 2, active: 1 });
    // Two flows, two sockets towards the task.
    expect(new Set(a.seen.map((s) => s.split(' ')[0])).size).toBe(2);
  });

  it('drops the datagrams of a peer that allow() refuses', async () => {
    const a = await udpEchoServer(cleanup, '127.0.0.2', 'A');
    const listenerPort = await freeUdpPort();
    const set = proxySet(cleanup, localDialer({ a: '127.0.0.2' }));
    const spec: ListenerSpec = {
      key: 'udp:y',
      address: VIP,
      port: listenerPort,
      protocol: 'udp',
      targetPort: a.port,
      backends: () => local('a'),
      allow: (addr) => addr === '127.0.0.5',
    };
    set.reconcile([spec]);
    await listening(set, spec.key);
    const stranger = await peer('127.0.0.6', listenerPort);
    const friend = await peer('127.0.0.5', listenerPort);
    stranger.send('let me in');
    await until(() => statsOf(set, spec.key).denied === 1, 'the stranger is refused');
    friend.send('hello');
    await until(() => friend.replies.length === 1, 'the friend is answered');
    expect(a.seen.map((s) => s.split(' ')[1])).toEqual(['hello']);
    expect(stranger.replies).toEqual([]);
  });
});

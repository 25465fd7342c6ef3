// External mode (listen: false): the owner's server routes upgrades to the transport.

import * as http from 'http';
import type { AddressInfo } from 'net';
import WebSocket from 'ws';
import { Message, MessageType } from '../../../lib/raft/core/types';
import { WsTransport } from '../../../lib/raft/transport/ws-transport';
import { FAST, msg, waitFor } from './harness';

const quiet = { warn: () => undefined };
const noop = (): void => undefined;

let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.reverse()) await c();
  closers = [];
});

/** An owner's HTTP server that passes every upgrade to `t`. */
async function ownerServer(t: WsTransport): Promise<{ url: string }> {
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head: Buffer) => t.handleUpgrade(req, socket, head));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** The HTTP status an upgrade to /raft is answered with (101 when it became a WebSocket). */
function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url}/raft`);
    ws.once('upgrade', (res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('unexpected-response', (req, res) => {
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    ws.once('error', reject);
  });
}

describe('WsTransport with listen: false', () => {
  it('exchanges messages through upgrades its owner hands in', async () => {
    const inboxA: Message[] = [];
    const inboxB: Message[] = [];
    const a = new WsTransport({ ...FAST, id: 1, listen: false, onMessage: (m) => inboxA.push(m), onUnreachable: noop, logger: quiet });
    const b = new WsTransport({ ...FAST, id: 2, onMessage: (m) => inboxB.push(m), onUnreachable: noop, logger: quiet });
    await a.start();
    await b.start();
    closers.push(() => a.stop(), () => b.stop());
    const owner = await ownerServer(a);
    a.addPeer(2, b.address().url);
    b.addPeer(1, owner.url);
    await waitFor(() => a.stats().peers[2]?.connected === true && b.stats().peers[1]?.connected === true, 'connected');
    a.send([msg(MessageType.Heartbeat, 1, 2)]);
    b.send([msg(MessageType.HeartbeatResp, 2, 1)]);
    await waitFor(() => inboxA.length === 1 && inboxB.length === 1, 'one message each way');
  });

  it('has no address of its own, and refuses upgrades while stopped', async () => {
    const a = new WsTransport({ ...FAST, id: 1, listen: false, onMessage: noop, onUnreachable: noop, logger: quiet });
    expect(() => a.address()).toThrow(/no listener of its own/);
    const owner = await ownerServer(a);
    expect(await upgradeStatus(owner.url)).toBe(503);
    await a.start();
    await a.stop();
    expect(await upgradeStatus(owner.url)).toBe(503);
    expect(a.stats().refused).toBe(2);
  });

  it('refuses handleUpgrade when it has a listener of its own', () => {
    const t = new WsTransport({ id: 1, onMessage: noop, onUnreachable: noop, logger: quiet });
    const req = new http.IncomingMessage(null as never);
    expect(() => t.handleUpgrade(req, req.socket, Buffer.alloc(0))).toThrow(/external mode/);
  });
});

import { createHash, randomBytes } from 'crypto';
import * as net from 'net';
import type { Duplex } from 'stream';
import { NodeServer } from '../../../lib/net/node-server';
import { MeshClient, MeshServer } from '../../../lib/network/mesh';
import type { DatagramChannel } from '../../../lib/network/proxy/types';
import { Cleanup, TestCluster, until } from '../../net/fixtures';
import { closedPort, echoServer, readAll, replyServer, udpEchoServer } from '../servers';

let cluster: TestCluster;
let stranger: TestCluster;
beforeAll(async () => {
  cluster = await TestCluster.create('cluster-mesh');
  stranger = await TestCluster.create('cluster-else');
});

let cleanup: Cleanup;
beforeEach(() => {
  cleanup = new Cleanup();
});
afterEach(() => cleanup.run());

const HOST = '127.0.0.1';

/** A far node: its node server with the mesh route, running the tasks in `tasks` (task id -> container address). */
async function farNode(tasks: Record<string, string>, port = 0): Promise<{ server: NodeServer; mesh: MeshServer; addr: string }> {
  const mesh = new MeshServer({ resolveLocal: (id) => tasks[id] });
  const server = await NodeServer.listen({
    listenAddr: `${HOST}:${port}`,
    clusterId: cluster.clusterId,
    credentials: await cluster.credentials('far-node', 'worker'),
    logger: { warn: () => undefined },
    mesh,
  });
  cleanup.add(() => server.close());
  cleanup.add(() => mesh.close());
  return { server, mesh, addr: server.address().addr };
}

async function client(from: TestCluster = cluster): Promise<MeshClient> {
  const c = new MeshClient({ credentials: await from.credentials('near-node', 'worker'), clusterId: from.clusterId });
  cleanup.add(() => c.close());
  return c;
}

function failure(p: Promise<unknown>): Promise<{ code?: string; message: string }> {
  return p.then(
    () => ({ message: 'it succeeded' }),
    (err: NodeJS.ErrnoException) => ({ code: err.code, message: err.message }),
  );
}

function nextMessage(ch: DatagramChannel, received: string[]): Promise<void> {
  const before = received.length;
  return until(() => received.length > before, 'a datagram comes back');
}

describe('mesh TCP', () => {
  it('carries a request to a task on the far node and its answer back after the client half-closes', async () => {
    const task = await replyServer(cleanup, HOST, (req) => `got ${req.length} bytes: ${req.toString()}`);
    const far = await farNode({ 'task-a': HOST });
    const stream = await (await client()).connect(far.addr, 'task-a', task.port);
    const answer = readAll(stream);
    stream.write('hello ');
    stream.end('world');
    expect((await answer).toString()).toBe('got 11 bytes: hello world');
    expect(far.mesh.stats()).toMatchObject({ served: 1, refused: 0 });
  });

  it('moves megabytes both ways at once on several streams, byte for byte', async () => {
    // Echoes push data both ways at full speed: the case where two HTTP/2 ends
    // that each stop reading while they write would wedge the whole session.
    const task = await echoServer(cleanup, HOST);
    const far = await farNode({ 'task-a': HOST });
    const mesh = await client();
    const payload = randomBytes(12 * 1024 * 1024 + 17);
    const echoed = await Promise.all(
      [1, 2, 3, 4].map(async () => {
        const stream = await mesh.connect(far.addr, 'task-a', task.port);
        const back = readAll(stream);
        stream.end(payload);
        return back;
      }),
    );
    for (const back of echoed) {
      expect(back.length).toBe(payload.length);
      expect(sha(back)).toBe(sha(payload));
    }
    expect(mesh.stats().sessionsOpened).toBe(1);
  });

  it('reports a port the task does not serve as ECONNREFUSED', async () => {
    const far = await farNode({ 'task-a': HOST });
    const err = await failure((await client()).connect(far.addr, 'task-a', await closedPort(HOST)));
    expect(err.code).toBe('ECONNREFUSED');
  });

  it('reports a task that does not run on the far node as EHOSTUNREACH', async () => {
    const far = await farNode({ 'task-a': HOST });
    const err = await failure((await client()).connect(far.addr, 'task-elsewhere', 80));
    expect(err).toEqual({ code: 'EHOSTUNREACH', message: expect.stringContaining('task task-elsewhere is not running on this node') });
  });

  it('refuses a node certificate of another cluster, and the task never sees the connection', async () => {
    const task = await replyServer(cleanup, HOST, () => 'secret');
    const far = await farNode({ 'task-a': HOST });
    // The stranger's client checks servers against its own CA, so it is told to trust ours too to reach the route at all.
    const creds = await stranger.credentials('intruder', 'manager');
    const intruder = new MeshClient({ credentials: { ...creds, caCertPem: cluster.ca.certPem }, clusterId: cluster.clusterId });
    cleanup.add(() => intruder.close());
    const err = await failure(intruder.connect(far.addr, 'task-a', task.port));
    expect(err.code).toBe('EACCES');
    expect(err.message).toMatch(/client certificate not accepted/);
    expect(task.accepted).toBe(0);
    expect(far.server.stats().streams).toEqual({ mesh: 0, refused: 1 });
  });

  it('does not talk to a server of another cluster', async () => {
    const task = await replyServer(cleanup, HOST, () => 'secret');
    const far = await farNode({ 'task-a': HOST });
    const creds = await cluster.credentials('near-node', 'worker');
    // Trusts our CA, but expects the servers to be of cluster-else.
    const confused = new MeshClient({ credentials: creds, clusterId: stranger.clusterId });
    cleanup.add(() => confused.close());
    const err = await failure(confused.connect(far.addr, 'task-a', task.port));
    expect(err.code).toBe('EHOSTUNREACH');
    expect(err.message).toMatch(/belongs to cluster cluster-mesh, not cluster-else/);
    expect(task.accepted).toBe(0);
  });

  it('resets the client stream when the task resets its connection', async () => {
    const far = await farNode({ 'task-a': HOST });
    const task = await replyServer(cleanup, HOST, () => '');
    const stream = await (await client()).connect(far.addr, 'task-a', task.port);
    // The task's socket, once the stream reached it.
    await until(() => task.accepted === 1, 'the task accepts');
    const closed = new Promise<{ ended: boolean }>((resolve) => {
      let ended = false;
      stream.on('data', () => undefined);
      stream.once('end', () => (ended = true));
      stream.once('close', () => resolve({ ended }));
    });
    task.sockets[0].resetAndDestroy();
    expect(await closed).toEqual({ ended: false });
  });

  it('reconnects after the far node restarts on the same address', async () => {
    const task = await replyServer(cleanup, HOST, (req) => `hi ${req.toString()}`);
    const first = await farNode({ 'task-a': HOST });
    const mesh = await client();
    expect(await roundTrip(await mesh.connect(first.addr, 'task-a', task.port), 'one')).toBe('hi one');
    const port = first.server.address().port;
    await first.server.close();
    const second = await farNode({ 'task-a': HOST }, port);
    expect(await roundTrip(await mesh.connect(second.addr, 'task-a', task.port), 'two')).toBe('hi two');
    expect(mesh.stats()).toMatchObject({ sessionsOpened: 2, sessions: 1, streams: 2 });
  });

  it('shares one session for many concurrent streams to the same node', async () => {
    const task = await replyServer(cleanup, HOST, (req) => `hi ${req.toString()}`);
    const far = await farNode({ 'task-a': HOST });
    const mesh = await client();
    const answers = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => roundTrip(await mesh.connect(far.addr, 'task-a', task.port), String(i))),
    );
    expect(answers).toEqual(Array.from({ length: 50 }, (_, i) => `hi ${i}`));
    expect(mesh.stats()).toMatchObject({ sessionsOpened: 1, streams: 50 });
  });

  it('answers streams to a node without the mesh route with EHOSTUNREACH', async () => {
    const server = await cleanup.server({ clusterId: cluster.clusterId, credentials: await cluster.credentials('bare', 'worker') });
    const err = await failure((await client()).connect(server.address().addr, 'task-a', 80));
    expect(err).toEqual({ code: 'EHOSTUNREACH', message: expect.stringContaining('this node serves no mesh') });
  });
});

describe('mesh UDP', () => {
  it('carries datagrams to a task on the far node and its replies back', async () => {
    const task = await udpEchoServer(cleanup, HOST, 'task-a');
    const far = await farNode({ 'task-a': HOST });
    const ch = await (await client()).datagrams(far.addr, 'task-a', task.port);
    cleanup.add(() => ch.close());
    const received: string[] = [];
    ch.onMessage((p) => received.push(p.toString()));
    ch.send(Buffer.from('ping 1'));
    await nextMessage(ch, received);
    ch.send(Buffer.from('ping 2'));
    ch.send(Buffer.alloc(0));
    await until(() => received.length === 3, 'three replies');
    expect(received).toEqual(['task-a:ping 1', 'task-a:ping 2', 'task-a:']);
    // One flow: the far node used one socket for all of them.
    expect(new Set(task.seen.map((s) => s.split(' ')[0])).size).toBe(1);
  });

  it('refuses a UDP flow to a task that is not on the far node', async () => {
    const far = await farNode({});
    const err = await failure((await client()).datagrams(far.addr, 'task-gone', 53));
    expect(err.code).toBe('EHOSTUNREACH');
  });
});

function sha(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

async function roundTrip(stream: Duplex, text: string): Promise<string> {
  const answer = readAll(stream);
  stream.end(text);
  return (await answer).toString();
}

describe('mesh sessions', () => {
  it('closes a session left idle', async () => {
    const task = await replyServer(cleanup, HOST, () => 'ok');
    const far = await farNode({ 'task-a': HOST });
    const mesh = new MeshClient({ credentials: await cluster.credentials('near-node', 'worker'), clusterId: cluster.clusterId, idleMs: 100 });
    cleanup.add(() => mesh.close());
    expect(await roundTrip(await mesh.connect(far.addr, 'task-a', task.port), 'x')).toBe('ok');
    expect(mesh.stats().sessions).toBe(1);
    await until(() => mesh.stats().sessions === 0, 'the idle session is closed');
    expect(await roundTrip(await mesh.connect(far.addr, 'task-a', task.port), 'y')).toBe('ok');
    expect(mesh.stats().sessionsOpened).toBe(2);
  });

  it('gives up a session whose far node stops answering, resetting its streams', async () => {
    const task = await echoServer(cleanup, HOST);
    const far = await farNode({ 'task-a': HOST });
    // A relay in front of the far node that can be frozen: packets stop, nothing closes, like a node that lost power.
    const relay = await freezableRelay(far.server.address().port);
    const mesh = new MeshClient({ credentials: await cluster.credentials('near-node', 'worker'), clusterId: cluster.clusterId, pingMs: 50 });
    cleanup.add(() => mesh.close());
    const stream = await mesh.connect(`${HOST}:${relay.port}`, 'task-a', task.port);
    const ended = new Promise<string>((resolve) => {
      stream.on('data', () => undefined);
      stream.once('error', (err: NodeJS.ErrnoException) => resolve(`error ${err.code ?? err.message}`));
      stream.once('end', () => resolve('end'));
    });
    relay.freeze();
    expect(await ended).toMatch(/^error /);
    expect(mesh.stats().sessions).toBe(0);
  });
});

/** A TCP relay to 127.0.0.1:`port`; freeze() stops it passing bytes either way without closing anything. */
async function freezableRelay(port: number): Promise<{ port: number; freeze(): void }> {
  const pairs: Array<[net.Socket, net.Socket]> = [];
  const server = net.createServer((inbound) => {
    const outbound = net.connect(port, HOST);
    inbound.pipe(outbound);
    outbound.pipe(inbound);
    inbound.on('error', () => undefined);
    outbound.on('error', () => undefined);
    pairs.push([inbound, outbound]);
  });
  await new Promise<void>((r) => server.listen(0, HOST, r));
  cleanup.add(() => {
    for (const [a, b] of pairs) {
      a.destroy();
      b.destroy();
    }
    return new Promise<void>((r) => server.close(() => r()));
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    freeze: () => {
      for (const [a, b] of pairs) {
        a.unpipe();
        b.unpipe();
        a.pause();
        b.pause();
      }
    },
  };
}

import { createHash, randomBytes } from 'crypto';
import * as net from 'net';
import type { Backend, Dialer } from '../../../lib/network/proxy/types';
import { Cleanup, until } from '../../net/fixtures';
import { closedPort, connectTcp, echoServer, outcome, readAll, replyServer, request, TcpTask } from '../servers';
import { listening, local, localDialer, proxySet, statsOf, tcpSpec } from './harness';

let cleanup: Cleanup;
beforeEach(() => {
  cleanup = new Cleanup();
});
afterEach(() => cleanup.run());

const VIP = '127.0.0.10';

/** Reply servers named after their task, all on one port (a VIP forwards to one target port) on their own addresses. */
async function tasks(names: Record<string, string>): Promise<{ port: number; accepted: () => Record<string, number>; servers: TcpTask[] }> {
  const entries = Object.entries(names);
  const first = await replyServer(cleanup, entries[0][1], (req) => `${entries[0][0]}:${req.toString()}`);
  const servers = [first];
  for (const [name, host] of entries.slice(1)) servers.push(await replyServer(cleanup, host, (req) => `${name}:${req.toString()}`, first.port));
  return { port: first.port, servers, accepted: () => Object.fromEntries(entries.map(([name], i) => [name, servers[i].accepted])) };
}

describe('TCP listeners', () => {
  it('spreads connections round robin over the backends, each client getting its answer after half-closing', async () => {
    const t = await tasks({ t1: '127.0.0.2', t2: '127.0.0.3', t3: '127.0.0.4' });
    const set = proxySet(cleanup, localDialer({ t1: '127.0.0.2', t2: '127.0.0.3', t3: '127.0.0.4' }));
    const spec = tcpSpec(VIP, await closedPort(VIP), t.port, () => local('t1', 't2', 't3'));
    set.reconcile([spec]);
    await listening(set, spec.key);
    const answers: string[] = [];
    for (let i = 0; i < 6; i++) answers.push(JSON.stringify(await request(cleanup, VIP, spec.port, `req${i}`)));
    expect(answers.map((a) => (JSON.parse(a) as { data: string }).data.split(':')[0])).toEqual(['t1', 't2', 't3', 't1', 't2', 't3']);
    expect(answers[4]).toBe(JSON.stringify({ data: 't2:req4' }));
    expect(t.accepted()).toEqual({ t1: 2, t2: 2, t3: 2 });
  });

  it('skips a backend that refuses, and keeps skipping it for a while', async () => {
    const t = await tasks({ t1: '127.0.0.2' });
    const set = proxySet(cleanup, localDialer({ t1: '127.0.0.2', dead: '127.0.0.3' }));
    const spec = tcpSpec(VIP, await closedPort(VIP), t.port, () => local('dead', 't1'));
    set.reconcile([spec]);
    await listening(set, spec.key);
    for (let i = 0; i < 4; i++) expect(await request(cleanup, VIP, spec.port, `r${i}`)).toEqual({ data: `t1:r${i}` });
    // Tried once, then put last while t1 answers.
    expect(statsOf(set, spec.key)).toMatchObject({ dialFailures: 1, unserved: 0, accepted: 4 });
  });

  it('resets the client when every backend refuses, or there is none', async () => {
    const port = await closedPort('127.0.0.2');
    let backends: Backend[] = local('a', 'b');
    const set = proxySet(cleanup, localDialer({ a: '127.0.0.2', b: '127.0.0.3' }));
    const spec = tcpSpec(VIP, await closedPort(VIP), port, () => backends);
    set.reconcile([spec]);
    await listening(set, spec.key);
    expect(await request(cleanup, VIP, spec.port, 'anyone?')).toEqual({ error: 'ECONNRESET' });
    expect(statsOf(set, spec.key)).toMatchObject({ dialFailures: 2, unserved: 1 });
    backends = [];
    expect(await request(cleanup, VIP, spec.port, 'anyone?')).toEqual({ error: 'ECONNRESET' });
    expect(statsOf(set, spec.key)).toMatchObject({ dialFailures: 2, unserved: 2 });
  });

  it('resets a peer that allow() refuses, and serves one it allows (also when allow answers later)', async () => {
    const t = await tasks({ t1: '127.0.0.2' });
    const asked: string[] = [];
    const set = proxySet(cleanup, localDialer({ t1: '127.0.0.2' }));
    const spec = tcpSpec(VIP, await closedPort(VIP), t.port, () => local('t1'), {
      allow: (peer) => {
        asked.push(peer);
        return peer === '127.0.0.5' ? true : peer === '127.0.0.7' ? Promise.resolve(true) : Promise.resolve(false);
      },
    });
    set.reconcile([spec]);
    await listening(set, spec.key);
    const from = async (localAddress: string): Promise<unknown> => {
      const s = net.connect({ host: VIP, port: spec.port, localAddress, allowHalfOpen: true });
      cleanup.add(() => void s.destroy());
      const result = outcome(s);
      s.end('hi');
      return result;
    };
    expect(await from('127.0.0.5')).toEqual({ data: 't1:hi' });
    expect(await from('127.0.0.6')).toEqual({ error: 'ECONNRESET' });
    expect(await from('127.0.0.7')).toEqual({ data: 't1:hi' });
    expect(asked).toEqual(['127.0.0.5', '127.0.0.6', '127.0.0.7']);
    expect(t.accepted()).toEqual({ t1: 2 });
    expect(statsOf(set, spec.key).denied).toBe(1);
  });

  it('moves many megabytes each way byte for byte', async () => {
    const echo = await echoServer(cleanup, '127.0.0.2');
    const set = proxySet(cleanup, localDialer({ t1: '127.0.0.2' }));
    const spec = tcpSpec(VIP, await closedPort(VIP), echo.port, () => local('t1'));
    set.reconcile([spec]);
    await listening(set, spec.key);
    const s = await connectTcp(cleanup, VIP, spec.port);
    const payload = randomBytes(24 * 1024 * 1024 + 3);
    const back = readAll(s);
    s.end(payload);
    const got = await back;
    expect(got.length).toBe(payload.length);
    expect(sha(got)).toBe(sha(payload));
  });

  it('keeps what the client sent (and its FIN) before the backend was connected', async () => {
    const t = await tasks({ t1: '127.0.0.2' });
    const direct = localDialer({ t1: '127.0.0.2' });
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let dialing = false;
    const slow: Dialer = {
      connect: async (b, port) => {
        dialing = true;
        await released;
        return direct.connect(b, port);
      },
      datagrams: (b, port) => direct.datagrams(b, port),
    };
    const set = proxySet(cleanup, slow);
    const spec = tcpSpec(VIP, await closedPort(VIP), t.port, () => local('t1'));
    set.reconcile([spec]);
    await listening(set, spec.key);
    const s = await connectTcp(cleanup, VIP, spec.port);
    const answer = outcome(s);
    s.write('early ');
    s.end('bytes');
    await until(() => dialing, 'the proxy dials');
    // Let the bytes and the FIN reach the proxy while it waits for the backend.
    await until(() => s.writableFinished, 'the client has sent everything');
    release();
    expect(await answer).toEqual({ data: 't1:early bytes' });
  });

  it('resets the client when the backend resets, and the backend when the client does', async () => {
    const t = await tasks({ t1: '127.0.0.2' });
    const set = proxySet(cleanup, localDialer({ t1: '127.0.0.2' }));
    const spec = tcpSpec(VIP, await closedPort(VIP), t.port, () => local('t1'));
    set.reconcile([spec]);
    await listening(set, spec.key);
    const task = t.servers[0];

    const s1 = await connectTcp(cleanup, VIP, spec.port);
    const r1 = outcome(s1);
    s1.write('x');
    await until(() => task.accepted === 1, 'the backend accepts');
    task.sockets[0].resetAndDestroy();
    expect(await r1).toEqual({ error: 'ECONNRESET' });

    const s2 = await connectTcp(cleanup, VIP, spec.port);
    s2.write('y');
    await until(() => task.accepted === 2, 'the backend accepts again');
    s2.resetAndDestroy();
    await until(() => task.errors.length === 1, 'the backend sees an error');
    expect(task.errors).toEqual(['ECONNRESET']);
  });

  it('comes up on a port that was taken once it is freed', async () => {
    const t = await tasks({ t1: '127.0.0.2' });
    const port = await closedPort(VIP);
    const squatter = net.createServer();
    await new Promise<void>((r) => squatter.listen(port, VIP, r));
    const set = proxySet(cleanup, localDialer({ t1: '127.0.0.2' }));
    const spec = tcpSpec(VIP, port, t.port, () => local('t1'));
    set.reconcile([spec]);
    await until(() => statsOf(set, spec.key).bindFailures >= 2, 'two binds fail');
    expect(statsOf(set, spec.key).listening).toBe(false);
    await new Promise<void>((r) => squatter.close(() => r()));
    await listening(set, spec.key);
    expect(await request(cleanup, VIP, port, 'late')).toEqual({ data: 't1:late' });
  });

  it('stops taking connections on a removed spec while an open one finishes', async () => {
    const echo = await echoServer(cleanup, '127.0.0.2');
    const set = proxySet(cleanup, localDialer({ t1: '127.0.0.2' }));
    const spec = tcpSpec(VIP, await closedPort(VIP), echo.port, () => local('t1'));
    set.reconcile([spec]);
    await listening(set, spec.key);
    const open = await connectTcp(cleanup, VIP, spec.port);
    const echoed = readAll(open);
    open.write('before ');
    await until(() => echo.accepted === 1, 'the backend accepts');
    set.reconcile([]);
    expect(set.stats()).toEqual({ listeners: [], draining: 1 });
    expect(await request(cleanup, VIP, spec.port, 'new')).toEqual({ error: 'ECONNREFUSED' });
    open.end('after');
    expect((await echoed).toString()).toBe('before after');
    await until(() => set.stats().draining === 0, 'the drained connection is gone');
  });

  it('reopens a listener whose port changed and reads a replaced spec per connection', async () => {
    const t = await tasks({ t1: '127.0.0.2', t2: '127.0.0.3' });
    const set = proxySet(cleanup, localDialer({ t1: '127.0.0.2', t2: '127.0.0.3' }));
    const spec = tcpSpec(VIP, await closedPort(VIP), t.port, () => local('t1'));
    set.reconcile([spec]);
    await listening(set, spec.key);
    const replaced = { ...spec, backends: () => local('t2') };
    set.reconcile([replaced]);
    expect(await request(cleanup, VIP, spec.port, 'a')).toEqual({ data: 't2:a' });
    const moved = { ...replaced, port: await closedPort(VIP) };
    set.reconcile([moved]);
    await until(() => statsOf(set, spec.key).port === moved.port && statsOf(set, spec.key).listening, 'the listener moves');
    expect(await request(cleanup, VIP, moved.port, 'b')).toEqual({ data: 't2:b' });
    expect(await request(cleanup, VIP, spec.port, 'c')).toEqual({ error: 'ECONNREFUSED' });
  });

  it('ends open connections on close()', async () => {
    const echo = await echoServer(cleanup, '127.0.0.2');
    const set = proxySet(cleanup, localDialer({ t1: '127.0.0.2' }));
    const spec = tcpSpec(VIP, await closedPort(VIP), echo.port, () => local('t1'));
    set.reconcile([spec]);
    await listening(set, spec.key);
    const s = await connectTcp(cleanup, VIP, spec.port);
    const result = outcome(s);
    s.write('x');
    await until(() => echo.accepted === 1, 'the backend accepts');
    await set.close();
    expect(await result).toEqual({ error: 'ECONNRESET' });
  });
});

function sha(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

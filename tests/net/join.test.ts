import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import { createPrivateKey, X509Certificate } from 'crypto';
import { generateJoinToken, verifyNodeCertificate } from '../../lib/ca';
import { JoinError, joinCluster } from '../../lib/net/join-client';
import { NodeServer } from '../../lib/net/node-server';
import { Cleanup, FakeJoin, secretOf, TestCluster } from './fixtures';

let cluster: TestCluster;
let other: TestCluster;
beforeAll(async () => {
  cluster = await TestCluster.create('cluster-one');
  other = await TestCluster.create('cluster-two');
});

let cleanup: Cleanup;
beforeEach(() => {
  cleanup = new Cleanup();
});
afterEach(() => cleanup.run());

async function manager(): Promise<{ server: NodeServer; join: FakeJoin; addr: string }> {
  const join = cluster.joinHandler();
  const server = await cleanup.server({
    clusterId: cluster.clusterId,
    credentials: await cluster.credentials('mgr-1', 'manager'),
    join: join.handle,
  });
  return { server, join, addr: server.address().addr };
}

function joinWith(token: string, managerAddr: string, timeoutMs?: number): Promise<unknown> {
  return joinCluster({ token, managerAddr, hostname: 'host-a', advertiseAddr: '127.0.0.1:5000', timeoutMs });
}

/** The JoinError a join fails with; fails the test when it succeeds or fails otherwise. */
async function joinFailure(p: Promise<unknown>): Promise<JoinError> {
  const err = await p.then(
    () => new Error('the join succeeded'),
    (e: unknown) => e,
  );
  if (!(err instanceof JoinError)) throw err;
  return err;
}

/** A port nothing listens on: bound by us, then released. */
async function deadPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('joinCluster against a node server', () => {
  it.each(['worker', 'manager'] as const)('joins with the %s token and gets a verifiable certificate of that role', async (role) => {
    const { server, join, addr } = await manager();
    const joined = await joinCluster({
      token: cluster.tokens[role],
      managerAddr: addr,
      hostname: 'host-a',
      advertiseAddr: '127.0.0.1:5000',
    });
    expect(joined.role).toBe(role);
    expect(joined.clusterId).toBe(cluster.clusterId);
    expect(joined.caCertPem).toBe(cluster.ca.certPem);
    const info = await verifyNodeCertificate(joined.certPem, cluster.ca.certPem);
    expect(info).toMatchObject({ nodeId: joined.nodeId, role, clusterId: cluster.clusterId });
    // The key never left the node, yet the certificate is for it.
    expect(new X509Certificate(joined.certPem).checkPrivateKey(createPrivateKey(joined.keyPem))).toBe(true);
    expect(joined.managers).toEqual([{ nodeId: 'mgr-1', addr: '127.0.0.1:4242', raftId: 1 }]);
    expect(joined.raftId === undefined).toBe(role === 'worker');
    expect(join.requests).toHaveLength(1);
    expect(join.requests[0]).toMatchObject({ hostname: 'host-a', advertiseAddr: '127.0.0.1:5000' });
    expect(server.stats().requests).toMatchObject({ ca: 1, join: 1 });
  });

  it('refuses a CA whose digest is not the token\'s, and never sends the secret', async () => {
    const { server, join, addr } = await manager();
    const token = generateJoinToken(other.ca.digest);
    const err = await joinFailure(joinWith(token, addr));
    expect(err.code).toBe('CaMismatch');
    expect(err.message).toBe(`the manager at ${addr} presented a CA that does not match the join token — refusing to join`);
    expect(server.stats().requests).toEqual({ ca: 1, join: 0, raft: 0, dispatcher: 0, logs: 0, other: 0 });
    expect(join.requests).toHaveLength(0);
  });

  it('reports a token the manager does not know (wrong secret, or rotated) as a clear 401 without the secret', async () => {
    const { join, addr } = await manager();
    const token = generateJoinToken(cluster.ca.digest);
    const err = await joinFailure(joinWith(token, addr));
    expect(err.code).toBe('TokenRejected');
    expect(err.message).toBe(
      `the manager at ${addr} rejected the join token: invalid join token: not a current token of this cluster (rotated?)`,
    );
    expect(err.message).not.toContain(secretOf(token));
    expect(join.requests).toHaveLength(1);
  });

  it('fails before any network I/O on a malformed token', async () => {
    const { server, addr } = await manager();
    const token = cluster.tokens.worker.slice(0, -1);
    const err = await joinFailure(joinWith(token, addr));
    expect(err.code).toBe('InvalidToken');
    expect(err.message).toMatch(/^invalid join token: the secret \(4th part\) must be 25 characters/);
    expect(server.stats().requests).toEqual({ ca: 0, join: 0, raft: 0, dispatcher: 0, logs: 0, other: 0 });
  });

  it('refuses a manager address that is not host:port before any I/O', async () => {
    const err = await joinFailure(joinWith(cluster.tokens.worker, 'manager-without-port'));
    expect(err.code).toBe('InvalidAddress');
    expect(err.message).toBe('cannot join: manager invalid address "manager-without-port": expected host:port (IPv6 as [addr]:port)');
  });

  it('passes on the manager\'s 400 for an advertise address it cannot use, without calling the handler', async () => {
    const { join, addr } = await manager();
    const err = await joinFailure(
      joinCluster({ token: cluster.tokens.worker, managerAddr: addr, hostname: 'host-a', advertiseAddr: '10.0.0.5' }),
    );
    expect(err.code).toBe('Refused');
    expect(err.message).toBe(
      `the manager at ${addr} refused the join (HTTP 400): join request: advertiseAddr: invalid address "10.0.0.5": expected host:port (IPv6 as [addr]:port)`,
    );
    expect(join.requests).toHaveLength(0);
  });

  it('says no manager answers when nothing listens at the address', async () => {
    const port = await deadPort();
    const err = await joinFailure(joinWith(cluster.tokens.worker, `127.0.0.1:${port}`));
    expect(err.code).toBe('Unreachable');
    expect(err.message).toBe(`no manager answers at 127.0.0.1:${port}: connection refused`);
  });

  it('gives up after its timeout on a peer that accepts but never answers', async () => {
    const silent = net.createServer((s) =>
      cleanup.add(() => {
        s.destroy();
      }),
    );
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    cleanup.add(() => new Promise<void>((r) => silent.close(() => r())));
    const { port } = silent.address() as net.AddressInfo;
    const err = await joinFailure(joinWith(cluster.tokens.worker, `127.0.0.1:${port}`, 200));
    expect(err.code).toBe('Unreachable');
    expect(err.message).toBe(`no manager answers at 127.0.0.1:${port}: no answer within 0.2 s`);
  });

  it('does not send the token to a node whose certificate is a worker\'s, even of the right cluster', async () => {
    const join = cluster.joinHandler();
    const worker = await cleanup.server({
      clusterId: cluster.clusterId,
      credentials: await cluster.credentials('wrk-1', 'worker'),
      join: join.handle,
    });
    const addr = worker.address().addr;
    const err = await joinFailure(joinWith(cluster.tokens.worker, addr));
    expect(err.code).toBe('Refused');
    expect(err.message).toMatch(new RegExp(`^the node at ${addr} did not prove to be a manager of this cluster \\(.*wrk-1 is a worker.*\\); the token was not sent$`));
    expect(worker.stats().requests.join).toBe(0);
    expect(join.requests).toHaveLength(0);
  });

  it('says so when a node answers /join but is not a manager', async () => {
    const server = await cleanup.server({ clusterId: cluster.clusterId, credentials: await cluster.credentials('mgr-2', 'manager') });
    const addr = server.address().addr;
    const err = await joinFailure(joinWith(cluster.tokens.manager, addr));
    expect(err.code).toBe('Refused');
    expect(err.message).toBe(`the manager at ${addr} refused the join (HTTP 404): this node does not accept joins: it is not a manager`);
  });
});

describe('node server plain routes', () => {
  it('serves the CA to anyone and 404s unknown paths', async () => {
    const { addr } = await manager();
    const ca = await fetch(addr, '/ca');
    expect(ca).toEqual({ status: 200, body: cluster.ca.certPem });
    expect((await fetch(addr, '/nope')).status).toBe(404);
    expect((await fetch(addr, '/raft')).status).toBe(426);
  });

  it('never lets plain HTTP reach a handler', async () => {
    const { server } = await manager();
    const { port } = server.address();
    const outcome = await new Promise<string>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/ca' }, (res) => {
        res.resume();
        resolve(`HTTP ${res.statusCode}`);
      });
      req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    });
    expect(outcome).not.toBe('HTTP 200');
    const { requests } = server.stats();
    expect(requests).toEqual({ ca: 0, join: 0, raft: 0, dispatcher: 0, logs: 0, other: 0 });
  });
});

/** GET over TLS without verification, as anyone may. */
function fetch(addr: string, path: string): Promise<{ status: number; body: string }> {
  const [host, port] = addr.split(':');
  return new Promise((resolve, reject) => {
    https
      .get({ host, port: Number(port), path, rejectUnauthorized: false, agent: false }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

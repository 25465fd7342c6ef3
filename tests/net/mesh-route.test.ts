// HTTP/2 on the node's TLS port, next to the HTTP/1.1 routes: /mesh/... streams
// from nodes of this cluster reach the mesh route; everything else is refused.

import * as http2 from 'http2';
import * as https from 'https';
import { expectServer, NodeIdentity } from '../../lib/ca';
import { NodeCredentials, NodeServer } from '../../lib/net/node-server';
import { Cleanup, TestCluster, until } from './fixtures';

let cluster: TestCluster;
let stranger: TestCluster;
beforeAll(async () => {
  cluster = await TestCluster.create('cluster-h2');
  stranger = await TestCluster.create('cluster-else');
});

let cleanup: Cleanup;
beforeEach(() => {
  cleanup = new Cleanup();
});
afterEach(() => cleanup.run());

interface Seen {
  path: string;
  identity: NodeIdentity;
  stream: http2.ServerHttp2Stream;
}

/** A node server whose mesh route answers "hello NODE" and records who asked. */
async function meshNode(withRoute = true): Promise<{ server: NodeServer; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = await cleanup.server({
    clusterId: cluster.clusterId,
    credentials: await cluster.credentials('node-1', 'worker'),
    mesh: withRoute
      ? {
          onStream: (stream, headers, identity) => {
            seen.push({ path: String(headers[':path']), identity, stream });
            stream.respond({ ':status': 200 });
            stream.write(`hello ${identity.nodeId}`);
          },
        }
      : undefined,
  });
  return { server, seen };
}

function session(server: NodeServer, creds?: Partial<NodeCredentials>): http2.ClientHttp2Session {
  const s = http2.connect(`https://${server.address().addr}`, {
    ca: cluster.ca.certPem,
    key: creds?.keyPem,
    cert: creds?.certPem,
    checkServerIdentity: expectServer({ clusterId: cluster.clusterId, roles: ['manager', 'worker'] }),
  });
  s.on('error', () => undefined);
  cleanup.add(() => void s.destroy());
  return s;
}

/** The status and the first chunk of body (a mesh stream stays open; a refusal ends). */
function ask(s: http2.ClientHttp2Session, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = s.request({ ':method': 'POST', ':path': path }, { endStream: false });
    req.on('error', reject);
    req.once('response', (h) => {
      req.setEncoding('utf8');
      req.once('data', (body: string) => resolve({ status: Number(h[':status']), body }));
    });
  });
}

describe('HTTP/2 streams on the node server', () => {
  it('hands /mesh/ streams from a node of this cluster to the mesh route, with its identity', async () => {
    const { server, seen } = await meshNode();
    const s = session(server, await cluster.credentials('node-2', 'worker'));
    expect(await ask(s, '/mesh/tcp')).toEqual({ status: 200, body: 'hello node-2' });
    expect(await ask(s, '/mesh/udp')).toEqual({ status: 200, body: 'hello node-2' });
    expect(seen.map((x) => [x.path, x.identity])).toEqual([
      ['/mesh/tcp', { nodeId: 'node-2', role: 'worker', clusterId: cluster.clusterId }],
      ['/mesh/udp', { nodeId: 'node-2', role: 'worker', clusterId: cluster.clusterId }],
    ]);
    expect(server.stats().streams).toEqual({ mesh: 2, refused: 0 });
  });

  it('refuses a stream without a client certificate, or with one of another cluster', async () => {
    const { server, seen } = await meshNode();
    expect(await ask(session(server), '/mesh/tcp')).toEqual({ status: 403, body: 'mesh: a client certificate of this cluster is required\n' });
    const foreign = await stranger.credentials('node-x', 'manager');
    const refused = await ask(session(server, foreign), '/mesh/tcp');
    expect(refused.status).toBe(403);
    expect(refused.body).toMatch(/^mesh: client certificate not accepted/);
    expect(seen).toEqual([]);
  });

  it('answers 404 to other paths, and to /mesh/ on a node without the route', async () => {
    const { server } = await meshNode();
    const creds = await cluster.credentials('node-2', 'worker');
    expect(await ask(session(server, creds), '/raft')).toEqual({ status: 404, body: 'no such HTTP/2 endpoint: /raft\n' });
    const bare = await meshNode(false);
    expect(await ask(session(bare.server, creds), '/mesh/tcp')).toEqual({ status: 404, body: 'this node serves no mesh\n' });
  });

  it('still serves HTTP/1.1 on the same port', async () => {
    const { server } = await meshNode();
    const body = await new Promise<string>((resolve, reject) => {
      const req = https.get({ host: '127.0.0.1', port: server.address().port, path: '/ca', ca: cluster.ca.certPem, servername: 'swarm-worker', agent: false }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
    });
    expect(body).toBe(cluster.ca.certPem);
  });

  it('closes promptly with an open mesh stream and an idle HTTP/1.1 keep-alive connection', async () => {
    const { server, seen } = await meshNode();
    const s = session(server, await cluster.credentials('node-2', 'worker'));
    await ask(s, '/mesh/tcp');
    const agent = new https.Agent({ keepAlive: true, ca: cluster.ca.certPem, servername: 'swarm-worker' });
    cleanup.add(() => agent.destroy());
    await new Promise<void>((resolve, reject) => {
      https.get({ host: '127.0.0.1', port: server.address().port, path: '/ca', agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      }).on('error', reject);
    });
    let closed = false;
    const closing = server.close().then(() => (closed = true));
    // Nothing here ends by itself: without the server cutting them, close() would wait forever.
    await until(() => closed, 'close() resolves', 2000);
    await closing;
    expect(seen[0].stream.destroyed).toBe(true);
    await until(() => s.destroyed, 'the client sees its session end');
  });
});

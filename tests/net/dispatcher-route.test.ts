import * as tls from 'tls';
import WebSocket from 'ws';
import { NodeIdentity } from '../../lib/ca';
import { NodeServer } from '../../lib/net/node-server';
import { Cleanup, TestCluster, tryUpgrade } from './fixtures';

let cluster: TestCluster;
let stranger: TestCluster;
beforeAll(async () => {
  cluster = await TestCluster.create('cluster-disp');
  stranger = await TestCluster.create('cluster-else');
});

let cleanup: Cleanup;
beforeEach(() => {
  cleanup = new Cleanup();
});
afterEach(() => cleanup.run());

const REMOVED = new Set(['wrk-gone']);

interface Dispatcher {
  server: NodeServer;
  sessions: Array<{ ws: WebSocket; identity: NodeIdentity }>;
  url: string;
}

async function dispatcherNode(): Promise<Dispatcher> {
  const sessions: Dispatcher['sessions'] = [];
  const server = await cleanup.server({
    clusterId: cluster.clusterId,
    credentials: await cluster.credentials('mgr-1', 'manager'),
    dispatcher: {
      isNodeAllowed: (nodeId) => !REMOVED.has(nodeId),
      onSession: (ws, identity) => {
        sessions.push({ ws, identity });
        ws.send(`hello ${identity.nodeId}`);
      },
    },
  });
  return { server, sessions, url: `wss://127.0.0.1:${server.address().port}/dispatcher` };
}

describe('WebSocket /dispatcher on the node server', () => {
  it('accepts a worker certificate and names the node to the session handler', async () => {
    const d = await dispatcherNode();
    const outcome = await tryUpgrade(cleanup, d.url, await cluster.credentials('wrk-1', 'worker'));
    if (!outcome.opened) throw new Error(`refused: ${outcome.status} ${outcome.body}`);
    const greeting = await new Promise<string>((resolve) => outcome.ws.once('message', (data: Buffer) => resolve(data.toString())));
    expect(greeting).toBe('hello wrk-1');
    expect(d.sessions.map((s) => s.identity)).toEqual([{ nodeId: 'wrk-1', role: 'worker', clusterId: cluster.clusterId }]);
  });

  it('refuses a removed node although its certificate is still valid', async () => {
    const d = await dispatcherNode();
    const outcome = await tryUpgrade(cleanup, d.url, await cluster.credentials('wrk-gone', 'worker'));
    expect(outcome).toEqual({
      opened: false,
      status: 403,
      body: 'dispatcher: node wrk-gone is not a member of this cluster (removed?)\n',
    });
    expect(d.sessions).toHaveLength(0);
  });

  it('refuses a client without a certificate', async () => {
    const d = await dispatcherNode();
    const outcome = await tryUpgrade(cleanup, d.url, { caCertPem: cluster.ca.certPem });
    expect(outcome).toMatchObject({ opened: false, status: 403 });
    expect(d.sessions).toHaveLength(0);
  });

  it('refuses a certificate of another CA', async () => {
    const d = await dispatcherNode();
    const foreign = { ...(await stranger.credentials('wrk-1', 'worker')), caCertPem: cluster.ca.certPem };
    const outcome = await tryUpgrade(cleanup, d.url, foreign);
    expect(outcome).toMatchObject({ opened: false, status: 403 });
    expect(d.sessions).toHaveLength(0);
  });

  it('closes open sessions when the server closes', async () => {
    const d = await dispatcherNode();
    const outcome = await tryUpgrade(cleanup, d.url, await cluster.credentials('wrk-2', 'worker'));
    if (!outcome.opened) throw new Error('refused');
    const closed = new Promise<number>((resolve) => outcome.ws.once('close', (code: number) => resolve(code)));
    await d.server.close();
    expect(await closed).toBe(1001);
  });
});

describe('NodeServer.setCredentials', () => {
  function servedRole(server: NodeServer): Promise<string> {
    return new Promise((resolve, reject) => {
      const s = tls.connect({ host: '127.0.0.1', port: server.address().port, ca: cluster.ca.certPem, servername: 'wrk-9' }, () => {
        const ou = s.getPeerCertificate().subject.OU;
        s.destroy();
        resolve(String(ou));
      });
      s.on('error', reject);
    });
  }

  it('serves a reissued certificate to new connections (promotion)', async () => {
    const server = await cleanup.server({ clusterId: cluster.clusterId, credentials: await cluster.credentials('wrk-9', 'worker') });
    expect(await servedRole(server)).toBe('swarm-worker');
    server.setCredentials(await cluster.credentials('wrk-9', 'manager'));
    expect(await servedRole(server)).toBe('swarm-manager');
  });

  it('keeps the old certificate when the new key does not fit or the cluster differs', async () => {
    const server = await cleanup.server({ clusterId: cluster.clusterId, credentials: await cluster.credentials('wrk-9', 'worker') });
    const a = await cluster.credentials('wrk-9', 'manager');
    const b = await cluster.credentials('wrk-9', 'manager');
    const foreign = await stranger.credentials('wrk-9', 'manager');
    expect(() => server.setCredentials({ ...a, keyPem: b.keyPem })).toThrow();
    expect(() => server.setCredentials(foreign)).toThrow(/belongs to cluster cluster-else, not cluster-disp/);
    expect(await servedRole(server)).toBe('swarm-worker');
  });
});

// Shared set-up for the node server tests: a cluster CA made with lib/ca,
// credentials per node, a fake join handler, and cleanup of everything opened.

import WebSocket from 'ws';
import {
  createCSR,
  createNodeKey,
  createRootCA,
  generateJoinTokens,
  JoinTokens,
  NodeRole,
  parseJoinToken,
  roleForJoinToken,
  RootCA,
  signNodeCertificate,
} from '../../lib/ca';
import { JoinRefused, JoinRequest, JoinResponse } from '../../lib/net/join-protocol';
import { NodeCredentials, NodeServer, NodeServerOptions } from '../../lib/net/node-server';

export class TestCluster {
  private constructor(
    readonly clusterId: string,
    readonly ca: RootCA,
    readonly tokens: JoinTokens,
  ) {}

  static async create(clusterId: string): Promise<TestCluster> {
    const ca = await createRootCA({ clusterId });
    return new TestCluster(clusterId, ca, generateJoinTokens(ca.digest));
  }

  async credentials(nodeId: string, role: NodeRole): Promise<NodeCredentials> {
    const key = await createNodeKey();
    const certPem = await signNodeCertificate({ ca: this.ca, csrPem: await createCSR(key), nodeId, role, clusterId: this.clusterId });
    return { keyPem: key.keyPem, certPem, caCertPem: this.ca.certPem };
  }

  /** A manager's join handler, minus the store and raft: token check and signing only. */
  joinHandler(): FakeJoin {
    return new FakeJoin(this);
  }
}

export class FakeJoin {
  readonly requests: JoinRequest[] = [];
  private next = 1;

  constructor(private readonly cluster: TestCluster) {}

  readonly handle = async (request: JoinRequest): Promise<JoinResponse> => {
    this.requests.push(request);
    const role = roleForJoinToken(request.token, this.cluster.tokens);
    if (role === null) throw new JoinRefused(401, 'invalid join token: not a current token of this cluster (rotated?)');
    const nodeId = `joined-${this.next++}`;
    const { ca, clusterId } = this.cluster;
    const certPem = await signNodeCertificate({ ca, csrPem: request.csrPem, nodeId, role, clusterId });
    const response: JoinResponse = {
      nodeId,
      role,
      certPem,
      caCertPem: ca.certPem,
      clusterId,
      managers: [{ nodeId: 'mgr-1', addr: '127.0.0.1:4242', raftId: 1 }],
    };
    if (role === 'manager') response.raftId = 10 + this.next;
    return response;
  };
}

/** The secret part of a token, to check it appears in no error. */
export function secretOf(token: string): string {
  return parseJoinToken(token).secret;
}

/** Closes what a test opened, last opened first. */
export class Cleanup {
  private readonly fns: Array<() => Promise<void> | void> = [];

  add(fn: () => Promise<void> | void): void {
    this.fns.push(fn);
  }

  async server(o: Omit<NodeServerOptions, 'listenAddr'>): Promise<NodeServer> {
    const s = await NodeServer.listen({ listenAddr: '127.0.0.1:0', logger: { warn: () => undefined }, ...o });
    this.add(() => s.close());
    return s;
  }

  async run(): Promise<void> {
    while (this.fns.length > 0) await this.fns.pop()?.();
  }
}

export type UpgradeOutcome = { opened: true; ws: WebSocket } | { opened: false; status: number; body: string };

/**
 * Tries a WebSocket upgrade and reports whether it opened or which HTTP answer
 * refused it. `servername` picks the certificate name checked on the server:
 * node certificates carry DNS names, not 127.0.0.1.
 */
export function tryUpgrade(
  cleanup: Cleanup,
  url: string,
  tls: { caCertPem: string; keyPem?: string; certPem?: string },
  servername = 'swarm-manager',
): Promise<UpgradeOutcome> {
  const options: WebSocket.ClientOptions = { ca: tls.caCertPem, key: tls.keyPem, cert: tls.certPem, perMessageDeflate: false };
  // @types/ws omits servername, which ws passes on to tls.connect.
  Object.assign(options, { servername });
  const ws = new WebSocket(url, options);
  cleanup.add(() => ws.terminate());
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ opened: true, ws }));
    ws.once('unexpected-response', (req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => {
        resolve({ opened: false, status: res.statusCode ?? 0, body });
        req.destroy();
      });
    });
    ws.once('error', reject);
  });
}

/** Re-checks `cond` on every turn of the event loop until it holds (no fixed sleeps). */
export async function until(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

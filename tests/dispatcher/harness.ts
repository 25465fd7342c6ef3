// Managers on an in-memory Raft network, each behind a real TLS NodeServer
// whose /dispatcher route is its Dispatcher, plus worker credentials and a
// raw protocol client for what the Agent never sends.

import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import WebSocket from 'ws';
import { CLOSE, ManagerMessage, parseManagerMessage } from '../../lib/api/dispatcher-protocol';
import { newObjectId } from '../../lib/api/ids';
import { Node, NodeDescription } from '../../lib/api/types';
import { DEFAULT_CLUSTER_SPEC, managerNodeDraft } from '../../lib/manager/cluster-init';
import { Dispatcher } from '../../lib/manager/dispatcher';
import { Manager } from '../../lib/manager/manager';
import { Draft } from '../../lib/manager/store/transaction';
import { NodeCredentials, NodeServer } from '../../lib/net/node-server';
import { LocalNetwork } from '../../lib/raft/transport';
import { Agent, AgentOptions } from '../../lib/worker';
import { TestCluster, until } from '../net/fixtures';

export { until };

export const quiet = { warn: () => undefined, info: () => undefined };

export interface ManagerNode {
  raftId: number;
  nodeId: string;
  manager: Manager;
  dispatcher: Dispatcher;
  server: NodeServer;
  addr: string;
  stopped: boolean;
}

export function description(hostname: string): NodeDescription {
  return {
    hostname,
    platform: { os: 'linux', arch: 'x86_64' },
    resources: { nanoCPUs: 4e9, memoryBytes: 8 * 1024 ** 3 },
    engine: { version: '27.0.1', labels: { disk: 'ssd' } },
  };
}

export class TestSwarm {
  readonly managers: ManagerNode[] = [];
  /** What the dispatchers warned of. */
  readonly warnings: string[] = [];
  private readonly net = new LocalNetwork();
  private readonly root = mkdtempSync(join(tmpdir(), 'swarm-dispatcher-'));
  private readonly agents: Agent[] = [];
  private readonly sockets: WebSocket[] = [];

  private constructor(
    readonly ca: TestCluster,
    readonly periodMs: number,
  ) {}

  get clusterId(): string {
    return this.ca.clusterId;
  }

  /** n managers, a leader, the cluster object with this heartbeat period, and the managers' node objects. */
  static async start(n: number, periodMs: number): Promise<TestSwarm> {
    const s = new TestSwarm(await TestCluster.create(newObjectId()), periodMs);
    const ids = Array.from({ length: n }, (_, i) => i + 1);
    for (const raftId of ids) {
      const nodeId = newObjectId();
      const server = await NodeServer.listen({
        listenAddr: '127.0.0.1:0',
        clusterId: s.clusterId,
        credentials: await s.ca.credentials(nodeId, 'manager'),
        logger: quiet,
      });
      const manager = await Manager.start({
        raftId,
        raftDir: join(s.root, `m${raftId}`),
        raftUrl: `local://${raftId}`,
        transport: (h) => s.net.transport({ id: raftId, ...h }),
        bootstrap: ids.map((p) => ({ id: p, url: `local://${p}` })),
        timing: { tickMs: 10 },
        writeTimeoutMs: 2000,
      });
      const dispatcher = new Dispatcher(manager, { logger: { warn: (msg) => s.warnings.push(msg), info: () => undefined } });
      manager.addLeaderLoop(dispatcher);
      server.setRoutes({ dispatcher });
      s.managers.push({ raftId, nodeId, manager, dispatcher, server, addr: server.address().addr, stopped: false });
    }
    const lead = await s.leader();
    await lead.manager.write([
      {
        op: 'create',
        kind: 'cluster',
        object: {
          id: s.clusterId,
          name: 'default',
          spec: { ...DEFAULT_CLUSTER_SPEC, dispatcherHeartbeatMs: periodMs },
          joinTokens: s.ca.tokens,
          rootCA: { certPem: s.ca.ca.certPem, keyPem: s.ca.ca.keyPem, digest: s.ca.ca.digest },
        },
      },
      ...s.managers.map((m) => ({
        op: 'create' as const,
        kind: 'node' as const,
        object: managerNodeDraft({ nodeId: m.nodeId, raftId: m.raftId, addr: m.addr, availability: 'active', description: description(`mgr-${m.raftId}`) }),
      })),
    ]);
    await Promise.all(s.managers.map((m) => m.manager.syncRead()));
    return s;
  }

  live(): ManagerNode[] {
    return this.managers.filter((m) => !m.stopped);
  }

  /** The manager whose dispatcher runs (waits for one). */
  async leader(): Promise<ManagerNode> {
    let found: ManagerNode | undefined;
    await until(() => (found = this.live().find((m) => m.manager.isLeader && m.dispatcher.stats().running)) !== undefined, 'a leader with a running dispatcher', 10_000);
    return found as ManagerNode;
  }

  /** A worker node object (state unknown, as a join leaves it) and its credentials. */
  async worker(hostname: string): Promise<{ nodeId: string; credentials: NodeCredentials }> {
    const nodeId = newObjectId();
    const node: Draft<Node> = {
      id: nodeId,
      spec: { labels: {}, desiredRole: 'worker', availability: 'active' },
      role: 'worker',
      description: { hostname, platform: { os: 'linux', arch: 'x86_64' }, resources: { nanoCPUs: 0, memoryBytes: 0 } },
      status: { state: 'unknown' },
    };
    const lead = await this.leader();
    await lead.manager.write([{ op: 'create', kind: 'node', object: node }]);
    await Promise.all(this.live().map((m) => m.manager.syncRead()));
    return { nodeId, credentials: await this.ca.credentials(nodeId, 'worker') };
  }

  agent(w: { nodeId: string; credentials: NodeCredentials }, hostname: string, o: Partial<AgentOptions> = {}): Agent {
    const a = new Agent({
      nodeId: w.nodeId,
      clusterId: this.clusterId,
      credentials: w.credentials,
      managers: this.managers.map((m) => m.addr),
      describe: async () => description(hostname),
      logger: quiet,
      backoff: { initialMs: 20, maxMs: 300 },
      dialTimeoutMs: 3000,
      ...o,
    });
    this.agents.push(a);
    a.start();
    return a;
  }

  /** The node as a running manager's store has it. */
  node(nodeId: string): Node | undefined {
    const m = this.live()[0];
    return m?.manager.store.get('node', nodeId) as Node | undefined;
  }

  /** As the leader's store has it (the dispatcher writes through it; followers lag a few ticks). */
  state(nodeId: string): string | undefined {
    const m = this.live().find((x) => x.manager.isLeader) ?? this.live()[0];
    return m?.manager.store.get('node', nodeId)?.status.state;
  }

  /** Stops a manager the way its process would end: Raft, loops and node server. */
  async stopManager(m: ManagerNode): Promise<void> {
    m.stopped = true;
    await m.manager.stop();
    await m.server.close();
  }

  raw(addr: string, credentials: NodeCredentials): Promise<RawClient> {
    return RawClient.open(addr, credentials, this.sockets);
  }

  async close(): Promise<void> {
    await Promise.all(this.agents.map((a) => a.stop({ hard: true })));
    for (const ws of this.sockets) ws.terminate();
    for (const m of this.live()) await this.stopManager(m);
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** A protocol client with nothing of the Agent's manners, to send what an agent never would. */
export class RawClient {
  readonly received: ManagerMessage[] = [];
  /** The size of each frame in `received`, in bytes. */
  readonly sizes: number[] = [];
  closed: { code: number; reason: string } | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const parsed = parseManagerMessage(data.toString('utf8'));
      if (!parsed.ok) throw new Error(`dispatcher sent a malformed message: ${parsed.reason}`);
      this.received.push(parsed.value);
      this.sizes.push(data.length);
    });
    ws.on('close', (code: number, reason: Buffer) => (this.closed = { code, reason: reason.toString('utf8') }));
    ws.on('error', () => undefined);
  }

  static open(addr: string, c: NodeCredentials, track: WebSocket[]): Promise<RawClient> {
    const options: WebSocket.ClientOptions = { ca: c.caCertPem, perMessageDeflate: false };
    // Empty key and certificate: connect without a client certificate.
    if (c.keyPem && c.certPem) Object.assign(options, { key: c.keyPem, cert: c.certPem });
    // Node certificates carry DNS names, not 127.0.0.1 (@types/ws omits servername, which ws passes to tls).
    Object.assign(options, { servername: 'swarm-manager' });
    const ws = new WebSocket(`wss://${addr}/dispatcher`, options);
    track.push(ws);
    const client = new RawClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`refused: HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  register(hostname: string): void {
    this.send({ v: 1, type: 'register', description: description(hostname) });
  }

  async next(type: ManagerMessage['type']): Promise<ManagerMessage> {
    await until(() => this.received.some((m) => m.type === type) || this.closed !== undefined, `a ${type} message`);
    const m = this.received.find((x) => x.type === type);
    if (!m) throw new Error(`session closed (${this.closed?.code} ${this.closed?.reason}) before ${type}`);
    return m;
  }

  async whenClosed(): Promise<{ code: number; reason: string }> {
    await until(() => this.closed !== undefined, 'the session to close');
    return this.closed as { code: number; reason: string };
  }
}

export { CLOSE };

import type { IncomingMessage } from 'http';
import type { Duplex } from 'stream';
import { authorizePeerCertificate, expectServer, nodeTlsOptions } from '../../lib/ca';
import { Message, MessageType, newMessage, NodeId } from '../../lib/raft/core/types';
import { PeerIdentity, WsTransport } from '../../lib/raft/transport';
import { NodeCredentials, NodeServer } from '../../lib/net/node-server';
import { Cleanup, TestCluster, tryUpgrade, until } from './fixtures';

let cluster: TestCluster;
let stranger: TestCluster;
beforeAll(async () => {
  cluster = await TestCluster.create('cluster-raft');
  stranger = await TestCluster.create('cluster-else');
});

let cleanup: Cleanup;
beforeEach(() => {
  cleanup = new Cleanup();
});
afterEach(() => cleanup.run());

interface ManagerNode {
  raftId: NodeId;
  server: NodeServer;
  transport: WsTransport;
  inbox: Message[];
  /** Upgrades the node server passed on to the transport. */
  handedOver: number;
  peersSeen: string[];
}

/** A manager as the daemon will wire it: one node server, the raft transport behind /raft. */
async function managerNode(raftId: NodeId, nodeId: string): Promise<ManagerNode> {
  const creds = await cluster.credentials(nodeId, 'manager');
  const requirement = { clusterId: cluster.clusterId, roles: ['manager'] as const };
  const node: Omit<ManagerNode, 'server' | 'transport'> = { raftId, inbox: [], handedOver: 0, peersSeen: [] };
  const transport = new WsTransport({
    id: raftId,
    listen: false,
    clusterId: cluster.clusterId,
    tls: { ...nodeTlsOptions(creds), checkServerIdentity: expectServer(requirement) },
    authorizePeer: (p: PeerIdentity) => {
      node.peersSeen.push(`${p.direction} ${String(p.certificate?.subject.CN)}`);
      return authorizePeerCertificate(p.certificate, requirement);
    },
    onMessage: (m) => node.inbox.push(m),
    onUnreachable: () => undefined,
    backoff: { initialMs: 10, maxMs: 100 },
    fallbackDialDelayMs: 50,
    logger: { warn: () => undefined },
  });
  await transport.start();
  cleanup.add(() => transport.stop());
  const full = node as ManagerNode;
  const server = await cleanup.server({
    clusterId: cluster.clusterId,
    credentials: creds,
    raft: {
      handleUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        full.handedOver++;
        transport.handleUpgrade(req, socket, head);
      },
    },
  });
  full.server = server;
  full.transport = transport;
  return full;
}

function raftUrl(n: ManagerNode): string {
  return `wss://127.0.0.1:${n.server.address().port}/raft`;
}

async function expectRefused(n: ManagerNode, tls: { caCertPem: string; keyPem?: string; certPem?: string }, reason: RegExp): Promise<void> {
  const outcome = await tryUpgrade(cleanup, raftUrl(n), tls);
  expect(outcome).toMatchObject({ opened: false, status: 403 });
  if (!outcome.opened) expect(outcome.body).toMatch(reason);
  expect(n.handedOver).toBe(0);
  expect(n.server.stats().refusedUpgrades).toBe(1);
  expect(n.transport.stats().refused).toBe(0);
}

describe('WebSocket /raft on the node server', () => {
  it('carries raft messages between two managers\' transports over mutual TLS', async () => {
    const a = await managerNode(1, 'mgr-a');
    const b = await managerNode(2, 'mgr-b');
    // A peer url without a path gets /raft, the node server's route.
    a.transport.addPeer(2, `wss://127.0.0.1:${b.server.address().port}`);
    b.transport.addPeer(1, `wss://127.0.0.1:${a.server.address().port}`);
    await until(
      () => a.transport.stats().peers[2]?.connected === true && b.transport.stats().peers[1]?.connected === true,
      'the two transports are connected',
    );
    a.transport.send([newMessage(MessageType.Heartbeat, { from: 1, to: 2, term: 3 })]);
    b.transport.send([newMessage(MessageType.HeartbeatResp, { from: 2, to: 1, term: 3 })]);
    await until(() => a.inbox.length === 1 && b.inbox.length === 1, 'one message each way');
    expect(b.inbox[0]).toMatchObject({ type: MessageType.Heartbeat, from: 1, to: 2, term: 3 });
    expect(a.inbox[0]).toMatchObject({ type: MessageType.HeartbeatResp, from: 2, to: 1, term: 3 });
    expect(a.handedOver + b.handedOver).toBeGreaterThanOrEqual(1);
    // Both ends saw the other's node certificate: the server side of the lower
    // id's dial, and the dialler's check of the server.
    expect([...a.peersSeen, ...b.peersSeen]).toEqual(expect.arrayContaining(['outbound mgr-b', 'inbound mgr-a']));
  });

  it('hands a manager certificate to the transport', async () => {
    const a = await managerNode(1, 'mgr-a');
    const outcome = await tryUpgrade(cleanup, raftUrl(a), await cluster.credentials('mgr-c', 'manager'));
    expect(outcome.opened).toBe(true);
    expect(a.handedOver).toBe(1);
  });

  it('refuses a worker certificate before the upgrade', async () => {
    const a = await managerNode(1, 'mgr-a');
    await expectRefused(a, await cluster.credentials('wrk-1', 'worker'), /^raft: peer wrk-1 is a worker; only manager allowed$/m);
  });

  it('refuses a client without a certificate', async () => {
    const a = await managerNode(1, 'mgr-a');
    await expectRefused(a, { caCertPem: cluster.ca.certPem }, /^raft: a client certificate of this cluster is required$/m);
  });

  it('refuses a manager certificate of another CA', async () => {
    const a = await managerNode(1, 'mgr-a');
    const foreign: NodeCredentials = { ...(await stranger.credentials('mgr-x', 'manager')), caCertPem: cluster.ca.certPem };
    await expectRefused(a, foreign, /^raft: client certificate not accepted: /m);
  });

  it('answers 404 on a node without raft (a worker)', async () => {
    const server = await cleanup.server({ clusterId: cluster.clusterId, credentials: await cluster.credentials('wrk-2', 'worker') });
    const outcome = await tryUpgrade(cleanup, `wss://127.0.0.1:${server.address().port}/raft`, await cluster.credentials('mgr-d', 'manager'), 'swarm-worker');
    expect(outcome).toMatchObject({ opened: false, status: 404 });
  });
});

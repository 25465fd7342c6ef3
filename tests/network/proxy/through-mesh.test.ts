// The whole path: a client connects to a listener on node A, whose backends
// run on node B; A's dialer goes through the mesh to B's node server, which
// connects to the task.

import * as dgram from 'dgram';
import type { NodeServer } from '../../../lib/net/node-server';
import { MeshClient, MeshServer } from '../../../lib/network/mesh';
import { createDialer, Dialer } from '../../../lib/network/proxy';
import { Cleanup, TestCluster, until } from '../../net/fixtures';
import { closedPort, connectTcp, echoServer, outcome, replyServer, request, udpEchoServer } from '../servers';
import { listening, proxySet, tcpSpec } from './harness';

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await TestCluster.create('cluster-path');
});

let cleanup: Cleanup;
beforeEach(() => {
  cleanup = new Cleanup();
});
afterEach(() => cleanup.run());

const VIP = '127.0.0.10';

/** Node B serving `tasksOnB` (task id -> container address) over the mesh, and node A's dialer and mesh client. */
async function twoNodes(tasksOnB: Record<string, string>): Promise<{ nodeB: NodeServer; meshServer: MeshServer; mesh: MeshClient; dialer: Dialer }> {
  const meshServer = new MeshServer({ resolveLocal: (id) => tasksOnB[id] });
  const nodeB = await cleanup.server({ clusterId: cluster.clusterId, credentials: await cluster.credentials('node-b', 'worker'), mesh: meshServer });
  const mesh = new MeshClient({ credentials: await cluster.credentials('node-a', 'manager'), clusterId: cluster.clusterId });
  cleanup.add(() => mesh.close());
  const addrs: Record<string, string> = { 'node-b': nodeB.address().addr };
  const dialer = createDialer({ selfNodeId: 'node-a', localAddr: () => undefined, nodeAddr: (id) => addrs[id], mesh });
  return { nodeB, meshServer, mesh, dialer };
}

describe('a listener whose backends run on another node', () => {
  it('serves TCP clients through the mesh, skipping a task the far node does not have', async () => {
    const task = await replyServer(cleanup, '127.0.0.3', (req) => `on b:${req.toString()}`);
    const { meshServer, mesh, dialer } = await twoNodes({ 'task-b': '127.0.0.3' });
    const set = proxySet(cleanup, dialer);
    const spec = tcpSpec(VIP, await closedPort(VIP), task.port, () => [
      { taskId: 'task-gone', nodeId: 'node-b' },
      { taskId: 'task-b', nodeId: 'node-b' },
    ]);
    set.reconcile([spec]);
    await listening(set, spec.key);
    for (let i = 0; i < 3; i++) expect(await request(cleanup, VIP, spec.port, `r${i}`)).toEqual({ data: `on b:r${i}` });
    // The missing task was tried once, then put last.
    expect(meshServer.stats()).toMatchObject({ served: 3, refused: 1 });
    expect(mesh.stats()).toMatchObject({ sessionsOpened: 1, streams: 3, failures: 1 });
  });

  it('resets a client connection in flight when the far node goes away', async () => {
    const task = await echoServer(cleanup, '127.0.0.3');
    const { nodeB, dialer } = await twoNodes({ 'task-b': '127.0.0.3' });
    const set = proxySet(cleanup, dialer);
    const spec = tcpSpec(VIP, await closedPort(VIP), task.port, () => [{ taskId: 'task-b', nodeId: 'node-b' }]);
    set.reconcile([spec]);
    await listening(set, spec.key);
    const client = await connectTcp(cleanup, VIP, spec.port);
    const result = outcome(client);
    client.write('are you there?');
    await until(() => task.accepted === 1, 'the task accepts');
    await nodeB.close();
    // A FIN here would pass a cut-off answer for a whole one.
    expect(await result).toEqual({ error: 'ECONNRESET' });
    await until(() => task.errors.length + task.sockets.filter((s) => s.destroyed).length > 0, "the task's side is closed too");
  });

  it('serves a UDP peer through the mesh', async () => {
    const task = await udpEchoServer(cleanup, '127.0.0.3', 'B');
    const { dialer } = await twoNodes({ 'task-b': '127.0.0.3' });
    const set = proxySet(cleanup, dialer);
    const port = await closedPort(VIP);
    set.reconcile([{ key: 'udp', address: VIP, port, protocol: 'udp', targetPort: task.port, backends: () => [{ taskId: 'task-b', nodeId: 'node-b' }] }]);
    await listening(set, 'udp');
    const client = dgram.createSocket('udp4');
    cleanup.add(() => new Promise<void>((r) => client.close(() => r())));
    const replies: string[] = [];
    client.on('message', (m) => replies.push(m.toString()));
    await new Promise<void>((r) => client.bind(0, '127.0.0.5', r));
    client.send('q1', port, VIP);
    await until(() => replies.length === 1, 'the first reply');
    client.send('q2', port, VIP);
    await until(() => replies.length === 2, 'the second reply');
    expect(replies).toEqual(['B:q1', 'B:q2']);
  });
});

import type { Duplex } from 'stream';
import { PassThrough } from 'stream';
import { createDialer } from '../../../lib/network/proxy';
import type { DatagramChannel } from '../../../lib/network/proxy/types';
import { Cleanup } from '../../net/fixtures';
import { closedPort, readAll, replyServer } from '../servers';

let cleanup: Cleanup;
beforeEach(() => {
  cleanup = new Cleanup();
});
afterEach(() => cleanup.run());

/** A mesh that records what it was asked and answers with a stream that says where it went. */
function fakeMesh() {
  const calls: string[] = [];
  return {
    calls,
    connect: async (nodeAddr: string, taskId: string, port: number): Promise<Duplex> => {
      calls.push(`tcp ${nodeAddr} ${taskId} ${port}`);
      const s = new PassThrough();
      s.end(`via mesh to ${nodeAddr}`);
      return s;
    },
    datagrams: async (nodeAddr: string, taskId: string, port: number): Promise<DatagramChannel> => {
      calls.push(`udp ${nodeAddr} ${taskId} ${port}`);
      return { send: () => undefined, onMessage: () => undefined, close: () => undefined };
    },
  };
}

function failure(p: Promise<unknown>): Promise<string | undefined> {
  return p.then(
    () => 'it succeeded',
    (err: NodeJS.ErrnoException) => err.code,
  );
}

describe('createDialer', () => {
  const nodes: Record<string, string> = { 'node-b': '127.0.0.9:4242' };
  const containers: Record<string, string> = { 'task-here': '127.0.0.2' };

  it('dials a task of this node at its container address, and any other through the mesh to its node', async () => {
    const task = await replyServer(cleanup, '127.0.0.2', (req) => `direct:${req.toString()}`);
    const mesh = fakeMesh();
    const dialer = createDialer({ selfNodeId: 'node-a', localAddr: (id) => containers[id], nodeAddr: (id) => nodes[id], mesh });

    const here = await dialer.connect({ taskId: 'task-here', nodeId: 'node-a' }, task.port);
    cleanup.add(() => void here.destroy());
    const answer = readAll(here);
    here.end('hi');
    expect((await answer).toString()).toBe('direct:hi');
    expect(task.peers).toEqual(['127.0.0.1']);

    const there = await dialer.connect({ taskId: 'task-there', nodeId: 'node-b' }, 8080);
    expect((await readAll(there)).toString()).toBe('via mesh to 127.0.0.9:4242');
    await dialer.datagrams({ taskId: 'task-there', nodeId: 'node-b' }, 53);
    expect(mesh.calls).toEqual(['tcp 127.0.0.9:4242 task-there 8080', 'udp 127.0.0.9:4242 task-there 53']);
  });

  it('fails with EHOSTUNREACH for a node whose address is unknown or a local task without an address', async () => {
    const mesh = fakeMesh();
    const dialer = createDialer({ selfNodeId: 'node-a', localAddr: (id) => containers[id], nodeAddr: (id) => nodes[id], mesh });
    expect(await failure(dialer.connect({ taskId: 't', nodeId: 'node-unknown' }, 80))).toBe('EHOSTUNREACH');
    expect(await failure(dialer.datagrams({ taskId: 't', nodeId: 'node-unknown' }, 53))).toBe('EHOSTUNREACH');
    expect(await failure(dialer.connect({ taskId: 'task-gone', nodeId: 'node-a' }, 80))).toBe('EHOSTUNREACH');
    expect(mesh.calls).toEqual([]);
  });

  it('reports a local task that refuses as ECONNREFUSED', async () => {
    const dialer = createDialer({ selfNodeId: 'node-a', localAddr: (id) => containers[id], nodeAddr: (id) => nodes[id], mesh: fakeMesh() });
    expect(await failure(dialer.connect({ taskId: 'task-here', nodeId: 'node-a' }, await closedPort('127.0.0.2')))).toBe('ECONNREFUSED');
  });
});

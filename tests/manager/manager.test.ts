import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Node } from '../../lib/api/types';
import { newObjectId } from '../../lib/api/ids';
import { ManagerError } from '../../lib/manager/errors';
import { LeaderLoop } from '../../lib/manager/leader-loops';
import { Manager } from '../../lib/manager/manager';
import { Draft } from '../../lib/manager/store/transaction';
import { LocalNetwork } from '../../lib/raft/transport';
import { waitFor } from '../raft/node/harness';

function nodeDraft(hostname: string, labels: Record<string, string> = {}): Draft<Node> {
  return {
    id: newObjectId(),
    spec: { labels, desiredRole: 'worker', availability: 'active' },
    role: 'worker',
    description: { hostname, platform: { os: 'linux', arch: 'x86_64' }, resources: { nanoCPUs: 2e9, memoryBytes: 1 << 30 } },
    status: { state: 'ready' },
  };
}

class CountingLoop implements LeaderLoop {
  readonly name = 'counting';
  running = false;
  starts = 0;
  start(): void {
    this.running = true;
    this.starts++;
  }
  async stop(): Promise<void> {
    this.running = false;
  }
}

describe('Manager: Raft + store + proposer', () => {
  const root = mkdtempSync(join(tmpdir(), 'swarm-manager-'));
  const net = new LocalNetwork();
  const managers = new Map<number, Manager>();
  const loops = new Map<number, CountingLoop>();

  beforeAll(async () => {
    const ids = [1, 2, 3];
    for (const id of ids) {
      const m = await Manager.start({
        raftId: id,
        raftDir: join(root, `m${id}`),
        raftUrl: `local://${id}`,
        transport: (h) => net.transport({ id, ...h }),
        bootstrap: ids.map((p) => ({ id: p, url: `local://${p}` })),
        timing: { tickMs: 10 },
        writeTimeoutMs: 1500,
      });
      const loop = new CountingLoop();
      m.addLeaderLoop(loop);
      managers.set(id, m);
      loops.set(id, loop);
    }
  });

  afterAll(async () => {
    for (const m of managers.values()) await m.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const leader = () => [...managers.values()].find((m) => m.isLeader);

  test('only the leader runs the leader loops', async () => {
    await waitFor(() => leader() !== undefined && loops.get(leader()!.raftId)!.running, 'a leader running its loops');
    const running = [...loops.values()].filter((l) => l.running);
    expect(running).toHaveLength(1);
  });

  test('leaderWithin: every manager learns the leader; without a quorum none is known and the wait ends at its bound', async () => {
    const known = await Promise.all([...managers.values()].map((m) => m.leaderWithin(5_000)));
    expect(known).toEqual([true, true, true]);
    // A lone manager of a three-member configuration can never elect one.
    const lonely = await Manager.start({
      raftId: 9,
      raftDir: join(root, 'lonely'),
      raftUrl: 'local://9',
      transport: (h) => new LocalNetwork().transport({ id: 9, ...h }),
      bootstrap: [9, 10, 11].map((p) => ({ id: p, url: `local://${p}` })),
      timing: { tickMs: 10 },
    });
    try {
      const t0 = Date.now();
      expect(await lonely.leaderWithin(300)).toBe(false);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    } finally {
      await lonely.stop();
    }
  });

  test('a write on a follower is forwarded, committed, and readable everywhere after syncRead', async () => {
    const follower = [...managers.values()].find((m) => !m.isLeader)!;
    const n = nodeDraft('worker-a', { zone: 'east' });
    const changes = await follower.write([{ op: 'create', kind: 'node', object: n }]);
    expect(changes).toEqual([expect.objectContaining({ kind: 'node', id: n.id, op: 'create' })]);
    for (const m of managers.values()) {
      await m.syncRead();
      expect(m.store.get('node', n.id)?.spec.labels).toEqual({ zone: 'east' });
    }
  });

  test('a stale version is refused with a clear Conflict and changes nothing', async () => {
    const m = leader()!;
    const n = nodeDraft('worker-b');
    const [created] = await m.write([{ op: 'create', kind: 'node', object: n }]);
    await m.write([
      { op: 'update', kind: 'node', object: { ...n, spec: { ...n.spec, availability: 'drain' } }, expectedVersion: created.version },
    ]);
    const err = await m
      .write([{ op: 'update', kind: 'node', object: { ...n, spec: { ...n.spec, availability: 'pause' } }, expectedVersion: created.version }])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ManagerError);
    expect((err as ManagerError).code).toBe('Conflict');
    expect(m.store.get('node', n.id)?.spec.availability).toBe('drain');
  });

  test('without a quorum a write fails within the timeout with a no-quorum error, and the loops stop', async () => {
    const lead = leader()!;
    for (const id of managers.keys()) net.isolate(id);
    const t0 = Date.now();
    const err = await lead.write([{ op: 'create', kind: 'node', object: nodeDraft('lost') }]).catch((e: unknown) => e);
    expect((err as ManagerError).code).toBe('NoQuorum');
    expect((err as Error).message).toMatch(/^no quorum/);
    expect(Date.now() - t0).toBeLessThan(5000);
    // CheckQuorum makes the cut-off leader step down, and its loops stop with it.
    await waitFor(() => !loops.get(lead.raftId)!.running, 'the old leader stops its loops');
    // Reads of the last known state still answer.
    expect(lead.store.list('node').length).toBeGreaterThanOrEqual(2);
    net.healAll();
    await waitFor(() => leader() !== undefined && loops.get(leader()!.raftId)!.running, 'a leader again');
  });
});

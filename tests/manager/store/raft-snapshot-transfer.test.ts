// A manager far behind catches up from a snapshot bigger than the transport's
// frame and message bounds: the store snapshot is built in slices, the Snap
// message crosses the real WebSocket transport as several chunks, and the
// follower restores in slices and ends with the same bytes as the others.

import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { encodeTransaction } from '../../../lib/manager/store/codec';
import { MemoryStore } from '../../../lib/manager/store/memory-store';
import { StoreStateMachine } from '../../../lib/manager/store/raft-state-machine';
import { RaftNode } from '../../../lib/raft/node/raft-node';
import { freePort } from '../../../lib/raft/process/process-cluster';
import { WsTransport } from '../../../lib/raft/transport';
import { eventually } from '../../../lib/util/eventually';
import { service, tx } from './fixtures';

// Small bounds so that a snapshot of a few hundred services needs many frames
// and could not have gone as one message at all.
const LIMITS = { maxFrameBytes: 16 * 1024, maxMessageBytes: 32 * 1024, highWaterMarkBytes: 32 * 1024 };
const quiet = { warn: () => undefined };

const until = (what: string, cond: () => boolean, timeoutMs = 10_000) =>
  eventually(what, async () => cond() || undefined, timeoutMs, 20);

/** Counts restores in slices: the way a snapshot from the leader comes in. */
class CountingMachine extends StoreStateMachine {
  restores = 0;
  override async restoreInSlices(data: Uint8Array): Promise<void> {
    this.restores++;
    await super.restoreInSlices(data);
  }
}

describe('a follower far behind, over the real transport', () => {
  const root = mkdtempSync(join(tmpdir(), 'swarm-snap-transfer-'));
  const nodes = new Map<number, RaftNode>();
  const machines = new Map<number, CountingMachine>();
  let ports: number[] = [];
  afterAll(async () => {
    for (const n of nodes.values()) await n.stop();
    rmSync(root, { recursive: true, force: true });
  });

  async function start(id: number): Promise<RaftNode> {
    const sm = new CountingMachine(new MemoryStore());
    const n = await RaftNode.start({
      id,
      dataDir: join(root, `n${id}`),
      url: `ws://127.0.0.1:${ports[id - 1]}`,
      transport: (h) => new WsTransport({ id, host: '127.0.0.1', port: ports[id - 1], logger: quiet, ...LIMITS, ...h }),
      stateMachine: sm,
      bootstrap: [1, 2, 3].map((p) => ({ id: p, url: `ws://127.0.0.1:${ports[p - 1]}` })),
      tickMs: 20,
      proposalTimeoutMs: 10_000,
      snapshotEvery: 50,
      maxSizePerMsg: 8 * 1024,
      catchUpEntries: 5,
      onFatal: (e) => {
        throw e;
      },
    });
    nodes.set(id, n);
    machines.set(id, sm);
    return n;
  }

  test('receives a multi-chunk snapshot, restores it and converges byte for byte', async () => {
    ports = [await freePort(), await freePort(), await freePort()];
    for (const id of [1, 2, 3]) await start(id);
    const leaderOf = () => [...nodes.values()].find((n) => n.isLeader);
    await until('a leader', () => leaderOf() !== undefined);
    const laggard = [...nodes.keys()].find((id) => !nodes.get(id)!.isLeader)!;
    await nodes.get(laggard)!.stop();
    nodes.delete(laggard);

    // 400 services of ~1 KiB each: a snapshot of ~400 KiB, 25 frames of 16 KiB.
    const proposer = leaderOf()!;
    for (let i = 0; i < 400; i += 20) {
      await Promise.all(
        Array.from({ length: 20 }, (_, k) => {
          const id = `s${String(i + k).padStart(4, '0')}`;
          const svc = service(id, `web-${id}`);
          svc.spec.labels = { padding: 'x'.repeat(600) };
          return proposer.propose(encodeTransaction(tx({ op: 'create', kind: 'service', object: svc })));
        }),
      );
    }
    const live = [...machines.entries()].filter(([id]) => id !== laggard).map(([, m]) => m);
    const snapBytes = live[0].snapshot().length;
    expect(snapBytes).toBeGreaterThan(10 * LIMITS.maxMessageBytes);

    const back = await start(laggard);
    const target = proposer.applied;
    await until(`node ${laggard} catching up to ${target}`, () => back.applied >= target, 20_000);
    // The leader compacted its log long ago (snapshotEvery 50, catchUpEntries 5): it came as a snapshot.
    expect(machines.get(laggard)!.restores).toBe(1);
    await Promise.all([...nodes.values()].map((n) => n.read()));
    const mine = Buffer.from(machines.get(laggard)!.snapshot());
    expect(machines.get(laggard)!.store.count('service')).toBe(400);
    expect(mine.equals(Buffer.from(live[0].snapshot()))).toBe(true);
    expect(mine.equals(Buffer.from(live[1].snapshot()))).toBe(true);
  }, 60_000);
});

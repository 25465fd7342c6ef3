// The driver's half of lease reads: reads answered from the lease, and a
// leader whose event loop was held (its clock jumped) not trusting a lease
// its timer ticks would still count as valid.

import { dueTicks } from '../../../lib/raft/node/lease-clock';
import { NodeId } from '../../../lib/raft/core/types';
import { RaftNode } from '../../../lib/raft/node/raft-node';
import { Cluster, waitFor } from './harness';

/** Asks for a read without waiting for it (a read still pending at the end fails with Stopped: ignored). */
function poke(n: RaftNode): false {
  n.read().catch(() => undefined);
  return false;
}

describe('dueTicks', () => {
  test('counts the whole ticks real time says are due beyond those already fed', () => {
    expect(dueTicks(0, 100, 0)).toBe(0);
    expect(dueTicks(99.9, 100, 0)).toBe(0);
    expect(dueTicks(100, 100, 0)).toBe(1);
    expect(dueTicks(3050, 100, 2)).toBe(28);
  });

  test('is never negative when the timer ran ahead, and refuses a nonsense tick length', () => {
    expect(dueTicks(250, 100, 5)).toBe(0);
    expect(dueTicks(-5, 100, 0)).toBe(0);
    expect(() => dueTicks(10, 0, 0)).toThrow(/tickMs/);
  });
});

describe('RaftNode with lease reads', () => {
  let cluster: Cluster;
  /** Per node: milliseconds added to its monotonic clock (a held event loop, as seen after it). */
  const skew = new Map<NodeId, number>();

  beforeEach(() => {
    skew.clear();
    cluster = new Cluster({ leaseReads: true });
  });
  afterEach(async () => {
    await cluster.close();
  });

  async function startThree(): Promise<void> {
    for (const id of [1, 2, 3]) {
      skew.set(id, 0);
      await cluster.start(id, [1, 2, 3], { now: () => performance.now() + (skew.get(id) ?? 0) });
    }
  }

  test('reads on the leader are answered from the lease and still see every acknowledged write', async () => {
    await startThree();
    const leader = await cluster.waitLeader();
    await leader.propose(Buffer.from('a'));
    // The lease is set up by the heartbeat rounds; wait until a read uses it.
    await waitFor(() => leader.leaseReadsServed > 0 || poke(leader), 'a read answered from the lease');
    const before = leader.leaseReadsServed;
    const { index } = await leader.propose(Buffer.from('b'));
    const readIndex = await leader.read();
    expect(readIndex).toBeGreaterThanOrEqual(index);
    expect(cluster.machines.get(leader.id)?.items).toContain('b');
    expect(leader.leaseReadsServed).toBeGreaterThan(before);
  });

  test('after its clock jumps (a held event loop) the leader reads through a quorum round, then leases again', async () => {
    await startThree();
    const leader = await cluster.waitLeader();
    await waitFor(() => leader.leaseReadsServed > 0 || poke(leader), 'a read answered from the lease');
    const before = leader.leaseReadsServed;
    // Ten seconds pass at once for the leader: its timer reports one tick at most.
    skew.set(leader.id, 10_000);
    await leader.read();
    expect(leader.leaseReadsServed).toBe(before);
    expect(leader.isLeader).toBe(true);
    // The next heartbeat round renews it.
    await waitFor(() => leader.leaseReadsServed > before || poke(leader), 'a lease again');
  });

  test('followers forward reads and get lease answers from the leader', async () => {
    await startThree();
    const leader = await cluster.waitLeader();
    const follower = [...cluster.nodes.values()].find((n) => n !== leader);
    if (!follower) throw new Error('no follower');
    const { index } = await leader.propose(Buffer.from('c'));
    await waitFor(() => leader.leaseReadsServed > 0 || poke(follower), 'a forwarded read answered from the lease');
    expect(await follower.read()).toBeGreaterThanOrEqual(index);
    expect(cluster.machines.get(follower.id)?.items).toContain('c');
  });
});

import { Cluster, waitFor } from './harness';
import { RaftNodeError } from '../../../lib/raft/node/errors';
import { flakyDisk } from '../storage/helpers';

const enc = (s: string) => Buffer.from(s, 'utf8');

describe('RaftNode driver', () => {
  let c: Cluster;
  afterEach(async () => {
    await c.close();
  });

  test('a three-node cluster elects a leader and applies proposals from leader and followers in one order', async () => {
    c = new Cluster();
    for (const id of [1, 2, 3]) await c.start(id, [1, 2, 3]);
    const leader = await c.waitLeader();
    const follower = [...c.nodes.values()].find((n) => n !== leader)!;
    const results = await Promise.all([
      leader.propose(enc('a')),
      follower.propose(enc('b')),
      leader.propose(enc('c')),
    ]);
    expect(new Set(results.map((r) => r.index)).size).toBe(3);
    await waitFor(() => [...c.machines.values()].every((m) => m.items.length === 3), 'every node applies 3 entries');
    const lists = [...c.machines.values()].map((m) => m.items.join(','));
    expect(new Set(lists).size).toBe(1);
    expect(lists[0].split(',').sort()).toEqual(['a', 'b', 'c']);
  });

  test('a single-node cluster commits without peers and restarts with its state', async () => {
    c = new Cluster();
    const n = await c.start(1, [1]);
    await n.waitForLeader();
    for (let i = 0; i < 20; i++) await n.propose(enc(`v${i}`));
    await c.stop(1);
    const again = await c.start(1);
    await again.waitForLeader();
    await again.propose(enc('after'));
    const items = c.machines.get(1)!.items;
    expect(items).toHaveLength(21);
    expect(items[0]).toBe('v0');
    expect(items[20]).toBe('after');
  });

  test('a restarted follower replays its log and catches up on what it missed', async () => {
    c = new Cluster();
    for (const id of [1, 2, 3]) await c.start(id, [1, 2, 3]);
    const leader = await c.waitLeader();
    await leader.propose(enc('one'));
    const victim = [1, 2, 3].find((id) => id !== leader.id)!;
    await c.stop(victim);
    await leader.propose(enc('two'));
    await leader.propose(enc('three'));
    await c.start(victim);
    await waitFor(() => c.machines.get(victim)!.items.length === 3, 'the restarted node applies all entries');
    expect(c.machines.get(victim)!.items).toEqual(['one', 'two', 'three']);
  });

  test('snapshots compact the log and a node that fell behind is caught up by InstallSnapshot', async () => {
    c = new Cluster({ snapshotEvery: 20, catchUpEntries: 5 });
    for (const id of [1, 2, 3]) await c.start(id, [1, 2, 3]);
    const leader = await c.waitLeader();
    const victim = [1, 2, 3].find((id) => id !== leader.id)!;
    await c.stop(victim);
    for (let i = 0; i < 60; i++) await leader.propose(enc(`e${i}`));
    await c.start(victim);
    await waitFor(() => c.machines.get(victim)!.items.length === 60, 'the lagging node catches up');
    expect(c.machines.get(victim)!.restores).toBeGreaterThan(0);
    expect(c.machines.get(victim)!.items).toEqual(c.machines.get(leader.id)!.items);
    // The leader's snapshot keeps only a few entries behind it.
    expect(leader.status().applied).toBeGreaterThanOrEqual(60);
  });

  test('a new member joins as learner, is promoted, and a member is removed', async () => {
    c = new Cluster({ snapshotEvery: 1000 });
    for (const id of [1, 2, 3]) await c.start(id, [1, 2, 3]);
    const leader = await c.waitLeader();
    await leader.propose(enc('before-join'));
    await c.start(4); // empty: no bootstrap
    let cs = await leader.addMember(4, 'local://4', true);
    expect(cs.learners).toEqual([4]);
    await waitFor(() => c.machines.get(4)!.items.includes('before-join'), 'the learner catches up');
    cs = await leader.addMember(4, '');
    expect(cs.voters).toEqual([1, 2, 3, 4]);
    const gone = [1, 2, 3].find((id) => id !== leader.id)!;
    cs = await leader.removeMember(gone);
    expect(cs.voters).not.toContain(gone);
    await c.stop(gone);
    // Three voters remain: a proposal still commits with one of them down.
    const other = [1, 2, 3, 4].find((id) => id !== gone && id !== leader.id && id !== 4)!;
    await c.stop(other);
    await leader.propose(enc('after-remove'));
    await waitFor(() => c.machines.get(4)!.items.includes('after-remove'), 'node 4 applies the new entry');
  });

  test('without a quorum a proposal fails with a clear error instead of hanging', async () => {
    c = new Cluster({ proposalTimeoutMs: 500 });
    for (const id of [1, 2, 3]) await c.start(id, [1, 2, 3]);
    const leader = await c.waitLeader();
    for (const id of [1, 2, 3]) if (id !== leader.id) c.net.isolate(id);
    c.net.isolate(leader.id);
    const err = await leader.propose(enc('lost')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RaftNodeError);
    expect(['Timeout', 'NoLeader']).toContain((err as RaftNodeError).code);
    expect((err as Error).message).toMatch(/quorum|leader/);
  });

  test('read() on a follower observes every write acknowledged before it', async () => {
    c = new Cluster();
    for (const id of [1, 2, 3]) await c.start(id, [1, 2, 3]);
    const leader = await c.waitLeader();
    const follower = [...c.nodes.values()].find((n) => n !== leader)!;
    for (let i = 0; i < 10; i++) {
      await leader.propose(enc(`w${i}`));
      await follower.read();
      expect(c.machines.get(follower.id)!.items).toContain(`w${i}`);
    }
  });

  test('a read sent to a leader that just died is asked again of the next leader, not left to time out', async () => {
    c = new Cluster({ proposalTimeoutMs: 5000 });
    for (const id of [1, 2, 3]) await c.start(id, [1, 2, 3]);
    const leader = await c.waitLeader();
    const follower = [...c.nodes.values()].find((n) => n !== leader)!;
    await leader.propose(enc('before'));
    c.net.isolate(leader.id);
    const t0 = Date.now();
    // The follower still believes in the old leader: its ReadIndex goes there and is lost.
    const index = await follower.read();
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(index).toBeGreaterThan(0);
  });

  test('stop() fails pending proposals with Stopped and later calls are refused', async () => {
    c = new Cluster({ proposalTimeoutMs: 10_000 });
    for (const id of [1, 2, 3]) await c.start(id, [1, 2, 3]);
    const leader = await c.waitLeader();
    for (const id of [1, 2, 3]) if (id !== leader.id) c.net.isolate(id);
    const pending = leader.propose(enc('x')).catch((e: unknown) => e);
    await c.stop(leader.id);
    const err = (await pending) as RaftNodeError;
    expect(err.code).toBe('Stopped');
    await expect(leader.propose(enc('y'))).rejects.toMatchObject({ code: 'Stopped' });
  });
});

describe('RaftNode on a failing disk', () => {
  test('an fsync error stops the node: pending and later proposals fail with StorageFailed, onFatal is called once', async () => {
    const { disk, open } = flakyDisk();
    const fatal: Error[] = [];
    const c = new Cluster();
    try {
      const n = await c.start(1, [1], { storage: { openFile: open }, onFatal: (e) => fatal.push(e) });
      await n.waitForLeader();
      await n.propose(Buffer.from('durable'));
      disk.failing = true;
      const err = (await n.propose(Buffer.from('lost')).catch((e: unknown) => e)) as RaftNodeError;
      expect(err.code).toBe('StorageFailed');
      expect(err.message).toMatch(/EIO/);
      await expect(n.propose(Buffer.from('later'))).rejects.toMatchObject({ code: 'StorageFailed' });
      expect(fatal).toHaveLength(1);
      expect(c.machines.get(1)!.items).toEqual(['durable']);
    } finally {
      await c.close();
    }
  });
});

import { Cluster, waitFor } from './harness';
import { forceNewCluster, ForceNewClusterError } from '../../../lib/raft/node/force-new-cluster';
import { DiskStorage } from '../../../lib/raft/storage';
import { encodeConfChange } from '../../../lib/raft/codec';
import { ConfChangeType, EntryType } from '../../../lib/raft/core/types';

const enc = (s: string) => Buffer.from(s, 'utf8');

describe('forceNewCluster', () => {
  let c: Cluster;
  afterEach(async () => {
    await c.close();
  });

  test.each([
    ['from the log', {}],
    ['with the configuration in a snapshot', { snapshotEvery: 8 }],
  ])('a survivor of a three-member cluster restarts alone with every committed entry and accepts writes (%s)', async (_how, opts) => {
    c = new Cluster(opts);
    for (const id of [1, 2, 3]) await c.start(id, [1, 2, 3]);
    const leader = await c.waitLeader();
    for (let i = 0; i < 30; i++) await leader.propose(enc(`v${i}`));
    await waitFor(() => c.machines.get(2)!.items.length === 30, 'member 2 applied everything');
    for (const id of [1, 2, 3]) await c.stop(id);

    const r = await forceNewCluster(c.dir(2), 2);
    expect(r.removed).toEqual([1, 3]);

    const alone = await c.start(2);
    await alone.waitForLeader(5000);
    expect(alone.isLeader).toBe(true);
    expect(alone.status().config.voters).toEqual([2]);
    await alone.propose(enc('after'));
    const items = c.machines.get(2)!.items;
    expect(items.slice(0, 30)).toEqual(Array.from({ length: 30 }, (_, i) => `v${i}`));
    expect(items[items.length - 1]).toBe('after');

    // Run again on the recovered member: nothing more to remove, still the same data.
    await c.stop(2);
    expect((await forceNewCluster(c.dir(2), 2)).removed).toEqual([]);
    await (await c.start(2)).waitForLeader(5000);
    await waitFor(() => c.machines.get(2)!.items.includes('after'), 'replayed');
  });

  test('entries after the commit index are dropped and the new entries take a higher term', async () => {
    c = new Cluster();
    const dir = c.dir(9);
    const { storage } = await DiskStorage.open(dir);
    const cc = (nodeId: number) => encodeConfChange({ type: ConfChangeType.AddVoter, nodeId, context: new Uint8Array(0) });
    await storage.save(
      { term: 4, vote: 1, commit: 4 },
      [
        { term: 1, index: 1, type: EntryType.ConfChange, data: cc(1) },
        { term: 1, index: 2, type: EntryType.ConfChange, data: cc(2) },
        { term: 1, index: 3, type: EntryType.ConfChange, data: cc(9) },
        { term: 2, index: 4, type: EntryType.Normal, data: enc('committed') },
        { term: 4, index: 5, type: EntryType.Normal, data: enc('uncommitted') },
        { term: 4, index: 6, type: EntryType.Normal, data: enc('uncommitted too') },
      ],
      true,
    );
    await storage.close();

    const r = await forceNewCluster(dir, 9);
    expect(r).toEqual({ removed: [1, 2], dropped: 2, commit: 6 });
    const { storage: again, state } = await DiskStorage.open(dir);
    await again.close();
    expect(state.hardState).toEqual({ term: 5, vote: 0, commit: 6 });
    expect(state.entries.map((e) => [e.index, e.term, e.type])).toEqual([
      [1, 1, EntryType.ConfChange],
      [2, 1, EntryType.ConfChange],
      [3, 1, EntryType.ConfChange],
      [4, 2, EntryType.Normal],
      [5, 5, EntryType.ConfChange],
      [6, 5, EntryType.ConfChange],
    ]);
    expect(state.entries.some((e) => Buffer.from(e.data).toString().startsWith('uncommitted'))).toBe(false);
  });

  test('a member that is not a voter of its committed configuration is refused', async () => {
    c = new Cluster();
    await expect(forceNewCluster(c.dir(5), 5)).rejects.toThrow(ForceNewClusterError);
    await expect(forceNewCluster(c.dir(5), 5)).rejects.toThrow(/no committed Raft state/);
  });
});

// A state machine that builds its snapshot in slices (snapshotChunks) is not
// waited on: the node goes on applying while it is built, stores it at the
// index it was started at, and never starts a second one before the first ends.

import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { RaftNode } from '../../../lib/raft/node/raft-node';
import { listSnapshotFiles } from '../../../lib/raft/storage/snapshot-file';
import { LocalNetwork } from '../../../lib/raft/transport';
import { ListMachine, waitFor } from './harness';

/** Snapshots are captured at the call and finished only when the test says so. */
class SlowSnapshots extends ListMachine {
  /** The log index of the last entry in each snapshot started. */
  started: number[] = [];
  private release: (() => void)[] = [];

  snapshotChunks(): Promise<Uint8Array[]> {
    const captured = this.snapshot();
    this.started.push(this.indexes[this.indexes.length - 1]);
    return new Promise((resolve) => this.release.push(() => resolve([captured.subarray(0, 5), captured.subarray(5)])));
  }

  async restoreInSlices(data: Uint8Array): Promise<void> {
    await new Promise((r) => setImmediate(r));
    this.restore(data);
  }

  finishOne(): void {
    this.release.shift()?.();
  }
}

describe('snapshots built in the background', () => {
  const root = mkdtempSync(join(tmpdir(), 'swarm-bg-snap-'));
  let node: RaftNode | undefined;
  afterAll(async () => {
    await node?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const open = (sm: SlowSnapshots) =>
    RaftNode.start({
      id: 1,
      dataDir: join(root, 'n1'),
      url: 'local://1',
      transport: (h) => new LocalNetwork().transport({ id: 1, ...h }),
      stateMachine: sm,
      bootstrap: [{ id: 1, url: 'local://1' }],
      tickMs: 10,
      snapshotEvery: 10,
      catchUpEntries: 2,
      onFatal: (e) => {
        throw e;
      },
    });

  test('applying goes on while one is built; it is stored at its own index; a restart restores it', async () => {
    const sm = new SlowSnapshots();
    node = await open(sm);
    await node.waitForLeader();
    for (let i = 0; i < 12; i++) await node.propose(Buffer.from(`a${i}`));
    await waitFor(() => sm.started.length === 1, 'a snapshot started');
    const at = sm.started[0];
    expect(at).toBeGreaterThanOrEqual(10);

    // Far past the next threshold while the first is still being built: applied, and no second build.
    for (let i = 0; i < 25; i++) await node.propose(Buffer.from(`b${i}`));
    expect(sm.items.length).toBe(37);
    expect(sm.started.length).toBe(1);
    expect(await listSnapshotFiles(join(root, 'n1', 'snap'))).toEqual([]);

    sm.finishOne();
    await waitFor(() => sm.started.length === 2, 'the next snapshot starts once the first is stored');
    const files = await listSnapshotFiles(join(root, 'n1', 'snap'));
    expect(files.map((f) => f.index)).toEqual([at]);
    sm.finishOne();
    await waitFor(() => sm.started.length === 2, 'settled');

    await node.stop();
    const again = new SlowSnapshots();
    node = await open(again);
    await node.waitForLeader();
    await node.read();
    // Restored from the newest stored snapshot, then the log after it.
    expect(again.items).toEqual(sm.items);
  });
});

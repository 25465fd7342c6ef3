// Encryption at rest through the whole manager: what a write puts in the store
// (here a node label holding a password-like marker) must appear in none of
// the files under any manager's Raft dir, WAL or snapshot, leader or follower,
// and a manager restarted with its own data key reads it all back.

import { randomBytes } from 'crypto';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Node } from '../../lib/api/types';
import { newObjectId } from '../../lib/api/ids';
import { Manager } from '../../lib/manager/manager';
import { Draft } from '../../lib/manager/store/transaction';
import { AesGcmRecordCipher } from '../../lib/raft/storage';
import { LocalNetwork } from '../../lib/raft/transport';
import { eventually } from '../../lib/util/eventually';
import { filesContaining, filesUnder } from '../helpers/files';

const MARKER = 'hunter2-7f3a9c01-plaintext-marker';

function labelled(i: number): Draft<Node> {
  return {
    id: newObjectId(),
    spec: { labels: { password: `${MARKER}-${i}` }, desiredRole: 'worker', availability: 'active' },
    role: 'worker',
    description: { hostname: `w${i}`, platform: { os: 'linux', arch: 'x86_64' }, resources: { nanoCPUs: 1e9, memoryBytes: 1 << 30 } },
    status: { state: 'ready' },
  };
}

describe('a cluster of managers with data keys', () => {
  const root = mkdtempSync(join(tmpdir(), 'swarm-crypt-'));
  const ids = [1, 2, 3];
  const keys = new Map(ids.map((id) => [id, randomBytes(32)]));
  const net = new LocalNetwork();
  const managers = new Map<number, Manager>();

  const start = (id: number, key: Buffer | undefined) =>
    Manager.start({
      raftId: id,
      raftDir: join(root, `m${id}`),
      raftUrl: `local://${id}`,
      transport: (h) => net.transport({ id, ...h }),
      bootstrap: ids.map((p) => ({ id: p, url: `local://${p}` })),
      // Snapshots every few entries, so that snapshot files (and a follower's installed one) are covered too.
      timing: { tickMs: 10, snapshotEvery: 5 },
      writeTimeoutMs: 3000,
      cipher: key ? new AesGcmRecordCipher(key) : undefined,
    });

  afterAll(async () => {
    for (const m of managers.values()) await m.stop().catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  });

  it('keeps the marker out of every file of every manager, and reads it back after a restart', async () => {
    for (const id of ids) managers.set(id, await start(id, keys.get(id)));
    const leader = await eventually('a leader', async () => [...managers.values()].find((m) => m.isLeader));
    for (let i = 0; i < 20; i++) await leader.write([{ op: 'create', kind: 'node', object: labelled(i) }]);
    for (const m of managers.values()) {
      await eventually(`manager ${m.raftId} applies every write`, async () => (m.store.list('node').length === 20 ? true : undefined));
    }
    const snaps = await filesUnder(join(root, 'm1', 'snap'));
    expect(snaps.length).toBeGreaterThan(0);
    expect(await filesContaining(root, MARKER)).toEqual([]);

    const follower = [...managers.values()].find((m) => !m.isLeader) as Manager;
    const id = follower.raftId;
    await follower.stop();
    managers.delete(id);
    await expect(start(id, randomBytes(32))).rejects.toThrow(/encrypted with another key/);
    await expect(start(id, undefined)).rejects.toThrow(/no data key was given/);
    const again = await start(id, keys.get(id));
    managers.set(id, again);
    await eventually('the restarted manager holds the labels again', async () =>
      again.store.list('node').filter((n) => n.spec.labels.password?.startsWith(MARKER)).length === 20 ? true : undefined,
    );
    expect(await filesContaining(root, MARKER)).toEqual([]);
  });
});

describe('a manager from before encryption', () => {
  const root = mkdtempSync(join(tmpdir(), 'swarm-crypt-old-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const start = (key: Buffer | undefined) =>
    Manager.start({
      raftId: 1,
      raftDir: join(root, 'm1'),
      raftUrl: 'local://1',
      transport: (h) => new LocalNetwork().transport({ id: 1, ...h }),
      bootstrap: [{ id: 1, url: 'local://1' }],
      timing: { tickMs: 10 },
      cipher: key ? new AesGcmRecordCipher(key) : undefined,
    });

  it('reads its log written in clear with a key, and deletes what was in clear soon after', async () => {
    const old = await start(undefined);
    await eventually('a leader', async () => (old.isLeader ? true : undefined));
    for (let i = 0; i < 5; i++) await old.write([{ op: 'create', kind: 'node', object: labelled(i) }]);
    await old.stop();
    expect((await filesContaining(root, MARKER)).length).toBeGreaterThan(0);

    const key = randomBytes(32);
    const m = await start(key);
    await eventually('a leader', async () => (m.isLeader ? true : undefined));
    expect(m.store.list('node').filter((n) => n.spec.labels.password?.startsWith(MARKER))).toHaveLength(5);
    // One more write: the entry after the first snapshot lets the segment in clear be released.
    await m.write([{ op: 'create', kind: 'node', object: labelled(5) }]);
    await eventually('no file holds the labels in clear', async () => ((await filesContaining(root, MARKER)).length === 0 ? true : undefined), 10_000);
    await m.stop();
    const again = await start(key);
    await eventually('everything read back', async () => (again.store.list('node').length === 6 ? true : undefined));
    await again.stop();
  });
});

// One Raft entry above what the transport carries is never replicated: the
// leader appends it, every AppendEntries holding it is dropped, and every
// later entry waits behind it. Here the transport's limit is scaled down to
// 64 KiB (LocalNetwork drops larger messages as WsTransport drops those above
// maxMessageBytes), so the stall and its cure take kilobytes, not 128 MiB.

import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { newObjectId } from '../../lib/api/ids';
import { Node } from '../../lib/api/types';
import { chunkActions } from '../../lib/manager/entry-size';
import { ManagerError } from '../../lib/manager/errors';
import { Manager } from '../../lib/manager/manager';
import { Action, Draft, encodeTransaction } from '../../lib/manager/store';
import { encodeMessage } from '../../lib/raft/codec';
import { LocalNetwork } from '../../lib/raft/transport';
import { waitFor } from '../raft/node/harness';

const TRANSPORT_LIMIT = 64 * 1024;

function nodeCreate(i: number): Action {
  const object: Draft<Node> = {
    id: newObjectId(),
    spec: { labels: { note: `node ${i} `.padEnd(400, 'x') }, desiredRole: 'worker', availability: 'active' },
    role: 'worker',
    description: { hostname: `n${i}`, platform: { os: 'linux', arch: 'x86_64' }, resources: { nanoCPUs: 2e9, memoryBytes: 1 << 30 } },
    status: { state: 'ready' },
  };
  return { op: 'create', kind: 'node', object };
}

const bigWrite = (from: number) => Array.from({ length: 200 }, (_, i) => nodeCreate(from + i));

async function cluster(root: string, maxEntryBytes: number): Promise<{ managers: Manager[]; leader: () => Manager | undefined }> {
  const net = new LocalNetwork();
  net.setFilter((m) => encodeMessage(m).length <= TRANSPORT_LIMIT);
  const ids = [1, 2, 3];
  const managers: Manager[] = [];
  for (const id of ids) {
    managers.push(
      await Manager.start({
        raftId: id,
        raftDir: join(root, `m${id}`),
        raftUrl: `local://${id}`,
        transport: (h) => net.transport({ id, ...h }),
        bootstrap: ids.map((p) => ({ id: p, url: `local://${p}` })),
        timing: { tickMs: 10 },
        writeTimeoutMs: 1000,
        maxEntryBytes,
      }),
    );
  }
  const leader = () => managers.find((m) => m.isLeader);
  await waitFor(() => leader() !== undefined, 'a leader');
  return { managers, leader };
}

describe('the size of one Raft entry', () => {
  const root = mkdtempSync(join(tmpdir(), 'swarm-entry-size-'));
  const stop: Manager[] = [];

  afterAll(async () => {
    for (const m of stop) await m.stop();
    rmSync(root, { recursive: true, force: true });
  });

  test('unbounded, an entry the transport drops stalls the log: it and every later write fail for want of a quorum', async () => {
    const { managers, leader } = await cluster(join(root, 'unbounded'), Number.MAX_SAFE_INTEGER);
    stop.push(...managers);
    const big = bigWrite(0);
    expect(encodeTransaction({ at: new Date().toISOString(), actions: big }).length).toBeGreaterThan(TRANSPORT_LIMIT);
    const err = await leader()!.write(big).catch((e: unknown) => e);
    expect((err as ManagerError).code).toBe('NoQuorum');
    const later = await leader()!.write([nodeCreate(1000)]).catch((e: unknown) => e);
    expect((later as ManagerError).code).toBe('NoQuorum');
  });

  test('bounded, the big write is refused at once with the sizes named, and the log goes on', async () => {
    const limit = 32 * 1024;
    const { managers, leader } = await cluster(join(root, 'bounded'), limit);
    stop.push(...managers);
    const t0 = Date.now();
    const err = await leader()!.write(bigWrite(0)).catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(500);
    expect(err).toBeInstanceOf(ManagerError);
    expect((err as ManagerError).code).toBe('TooLarge');
    expect((err as Error).message).toMatch(/the write of 200 action\(s\) is \d+ bytes \(0\.\d\d MiB\) encoded, above the limit of one Raft entry, 32768 bytes/);
    expect(leader()!.store.list('node')).toHaveLength(0);

    // The same actions cut under the bound commit, in several entries, on every manager.
    const chunks = chunkActions(bigWrite(0), limit);
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) {
      expect(encodeTransaction({ at: new Date().toISOString(), actions: c }).length).toBeLessThanOrEqual(limit);
      await leader()!.write(c);
    }
    for (const m of managers) {
      await m.syncRead();
      expect(m.store.list('node')).toHaveLength(200);
    }
  });
});

describe('chunkActions', () => {
  test('keeps the order, loses nothing, and stays within the bound unless one action alone is larger', () => {
    const actions = [...bigWrite(0).slice(0, 30), hugeAction(), ...bigWrite(30).slice(0, 30)];
    const limit = 4096;
    const chunks = chunkActions(actions, limit);
    expect(chunks.flat()).toEqual(actions);
    for (const c of chunks) {
      const size = encodeTransaction({ at: new Date().toISOString(), actions: c }).length;
      if (c.length > 1) expect(size).toBeLessThanOrEqual(limit);
      else expect(c[0] === actions[30] || size <= limit).toBe(true);
    }
    expect(chunks.some((c) => c.length === 1 && c[0] === actions[30])).toBe(true);
  });

  test('a count bound cuts as well', () => {
    const chunks = chunkActions(bigWrite(0).slice(0, 25), Number.MAX_SAFE_INTEGER, 10);
    expect(chunks.map((c) => c.length)).toEqual([10, 10, 5]);
  });
});

function hugeAction(): Action {
  const a = nodeCreate(99) as Extract<Action, { kind: 'node'; op: 'create' }>;
  a.object.spec.labels = { note: 'y'.repeat(10_000) };
  return a;
}

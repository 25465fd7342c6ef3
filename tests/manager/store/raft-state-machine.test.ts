import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { MemoryStore } from '../../../lib/manager/store/memory-store';
import { StoreStateMachine } from '../../../lib/manager/store/raft-state-machine';
import { encodeTransaction } from '../../../lib/manager/store/codec';
import { ApplyResult } from '../../../lib/manager/store/result';
import { RaftNode } from '../../../lib/raft/node/raft-node';
import { LocalNetwork } from '../../../lib/raft/transport';
import { service, tx } from './fixtures';

const create = (id: string, name: string) => encodeTransaction(tx({ op: 'create', kind: 'service', object: service(id, name) }));

describe('StoreStateMachine', () => {
  test('applies entries to the store and reports each verdict in order', () => {
    const seen: [number, boolean][] = [];
    const sm = new StoreStateMachine(new MemoryStore(), { onApplied: (i, r) => seen.push([i, r.ok]) });
    sm.apply({ index: 3, term: 1, data: create('s1', 'web') });
    sm.apply({ index: 4, term: 1, data: create('s2', 'web') });
    sm.apply({ index: 5, term: 2, data: new Uint8Array([0]) });
    expect(seen).toEqual([[3, true], [4, false], [5, false]]);
    expect(sm.resultFor(4)).toMatchObject({ ok: false, index: 4, error: { code: 'NameConflict' } });
    expect(sm.resultFor(3)).toEqual({ ok: true, index: 3, changes: [{ kind: 'service', id: 's1', op: 'create', version: 3 }] });
    expect(sm.store.appliedIndex).toBe(5);
  });

  test('remembers only the most recent verdicts', () => {
    const sm = new StoreStateMachine(new MemoryStore(), { keepResults: 2 });
    for (let i = 1; i <= 3; i++) sm.apply({ index: i, term: 1, data: create(`s${i}`, `n${i}`) });
    expect(sm.resultFor(1)).toBeUndefined();
    expect(sm.resultFor(2)?.ok).toBe(true);
    expect(sm.resultFor(3)?.ok).toBe(true);
  });

  test('snapshot and restore go to the store; restore forgets old verdicts', () => {
    const a = new StoreStateMachine(new MemoryStore());
    a.apply({ index: 1, term: 1, data: create('s1', 'web') });
    const b = new StoreStateMachine(new MemoryStore());
    b.apply({ index: 1, term: 1, data: create('s9', 'x') });
    b.restore(a.snapshot());
    expect(b.resultFor(1)).toBeUndefined();
    expect(b.store.list('service').map((s) => s.id)).toEqual(['s1']);
  });
});

describe('the store under real RaftNodes', () => {
  const net = new LocalNetwork();
  const root = mkdtempSync(join(tmpdir(), 'swarm-store-raft-'));
  const nodes: RaftNode[] = [];
  afterAll(async () => {
    for (const n of nodes) await n.stop();
    rmSync(root, { recursive: true, force: true });
  });

  async function start(id: number, sm: StoreStateMachine): Promise<RaftNode> {
    const n = await RaftNode.start({
      id,
      dataDir: join(root, `n${id}`),
      url: `local://${id}`,
      transport: (h) => net.transport({ id, ...h }),
      stateMachine: sm,
      bootstrap: [1, 2, 3].map((p) => ({ id: p, url: `local://${p}` })),
      tickMs: 10,
      proposalTimeoutMs: 5000,
      // Small, so the run takes snapshots through the store.
      snapshotEvery: 10,
      catchUpEntries: 2,
      onFatal: (e) => {
        throw e;
      },
    });
    nodes.push(n);
    return n;
  }

  test('three managers agree byte for byte, and a proposer learns its verdict by index', async () => {
    const machines = [1, 2, 3].map(() => new StoreStateMachine(new MemoryStore()));
    const started = await Promise.all([1, 2, 3].map((id, i) => start(id, machines[i])));
    await started[0].waitForLeader();
    const verdicts: ApplyResult[] = [];
    for (let i = 0; i < 25; i++) {
      const via = started[i % 3];
      // Every fifth proposal reuses a name, so some are refused.
      const { index } = await via.propose(create(`s${i}`, i % 5 === 4 ? 'dup' : `svc${i}`));
      const verdict = machines[i % 3].resultFor(index);
      expect(verdict?.index).toBe(index);
      verdicts.push(verdict!);
    }
    expect(verdicts.map((v) => v.ok)).toEqual(Array.from({ length: 25 }, (_, i) => i % 5 !== 4 || i === 4));
    await Promise.all(started.map((n) => n.read()));
    const snaps = machines.map((m) => Buffer.from(m.snapshot()));
    expect(snaps[1].equals(snaps[0])).toBe(true);
    expect(snaps[2].equals(snaps[0])).toBe(true);
    expect(machines[0].store.count('service')).toBe(21);
  });
});

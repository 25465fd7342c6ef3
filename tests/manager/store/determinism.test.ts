// A seeded random workload: every entry is applied to two stores; one of them
// is also snapshotted and restored into a fresh store at random points. All
// must agree byte for byte, every verdict must match, and the indexes must
// agree with a full scan.

import { MemoryStore } from '../../../lib/manager/store/memory-store';
import { encodeTransaction } from '../../../lib/manager/store/codec';
import { Action, Transaction } from '../../../lib/manager/store/transaction';
import { seededRandom } from '../../../lib/raft/random';
import { node, service, task } from './fixtures';

function workload(seed: number, entries: number): Uint8Array[] {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const ids = (p: string) => Array.from({ length: 6 }, (_, i) => `${p}${i}`);
  const nodeIds = ids('n');
  const svcIds = ids('s');
  const taskIds = ids('t');
  // Versions come from a shadow store fed the same entries, mostly right and
  // sometimes stale on purpose, like proposers racing each other.
  const shadow = new MemoryStore();
  const out: Uint8Array[] = [];
  for (let e = 0; e < entries; e++) {
    if (rnd() < 0.05) {
      out.push(new Uint8Array([1, 0x7b])); // garbage
      shadow.applyEntry(e + 1, out[e]);
      continue;
    }
    const actions: Action[] = [];
    const n = 1 + Math.floor(rnd() * rnd() * 4);
    for (let a = 0; a < n; a++) {
      const kind = pick(['node', 'service', 'task'] as const);
      const id = pick(kind === 'node' ? nodeIds : kind === 'service' ? svcIds : taskIds);
      const stored = shadow.get(kind, id)?.meta.version;
      // Mostly sensible operations, with a share of doomed ones.
      const op = rnd() < 0.2 ? pick(['create', 'update', 'delete'] as const) : stored === undefined ? 'create' : pick(['update', 'update', 'delete'] as const);
      const version = stored !== undefined && rnd() < 0.8 ? stored : 1 + Math.floor(rnd() * (e + 1));
      if (op === 'delete') {
        actions.push(rnd() < 0.5 ? { op, kind, id } : { op, kind, id, expectedVersion: version });
        continue;
      }
      // kind and object are paired correctly by the branches below; the Action union cannot see that.
      const withOp = (obj: { kind: Action['kind']; object: unknown }): Action =>
        (op === 'create' ? { ...obj, op } : { ...obj, op, expectedVersion: version }) as Action;
      if (kind === 'node') {
        const o = node(id, pick(['h1', 'h2', 'h3']), { role: pick(['manager', 'worker'] as const) });
        o.spec.labels = { [pick(['a', 'b', 'c'])]: pick(['x', 'y']), z: 'q' };
        actions.push(withOp({ kind, object: o }));
      } else if (kind === 'service') {
        actions.push(withOp({ kind, object: service(id, pick(['web', 'db', 'Web', 'cache', 'api'])) }));
      } else {
        const t = task(id, pick(svcIds), rnd() < 0.7 ? pick(nodeIds) : undefined, Math.floor(rnd() * 3));
        actions.push(withOp({ kind, object: t }));
      }
    }
    const tx: Transaction = { at: `2026-01-01T00:00:${String(e % 60).padStart(2, '0')}.000Z`, actions };
    out.push(encodeTransaction(tx));
    shadow.applyEntry(e + 1, out[e]);
  }
  return out;
}

function checkIndexes(s: MemoryStore): void {
  for (const sv of ['s0', 's1', 's2', 's3', 's4', 's5']) {
    expect(s.tasksByService(sv)).toEqual(s.find('task', (t) => t.serviceId === sv));
  }
  for (const n of ['n0', 'n1', 'n2', 'n3', 'n4', 'n5']) {
    expect(s.tasksByNode(n)).toEqual(s.find('task', (t) => t.nodeId === n));
  }
  for (const role of ['manager', 'worker'] as const) expect(s.nodesByRole(role)).toEqual(s.find('node', (n) => n.role === role));
  const names = s.list('service').map((x) => x.spec.name.toLowerCase());
  expect(new Set(names).size).toBe(names.length);
}

describe('determinism (seeded property test)', () => {
  test.each([1, 2, 3, 4, 5, 6, 7, 8])('seed %i: replicas and restored copies agree byte for byte', (seed) => {
    const entries = workload(seed, 300);
    const rnd = seededRandom(seed * 7919);
    const a = new MemoryStore();
    const b = new MemoryStore();
    let c = new MemoryStore();
    let oks = 0;
    const codes = new Set<string>();
    entries.forEach((data, i) => {
      const index = i + 1;
      const ra = a.applyEntry(index, data);
      expect(b.applyEntry(index, data)).toEqual(ra);
      expect(c.applyEntry(index, data)).toEqual(ra);
      if (ra.ok) oks++;
      else codes.add(ra.error.code);
      if (rnd() < 0.05) {
        const fresh = new MemoryStore();
        fresh.restore(c.snapshot());
        c = fresh;
      }
    });
    const snap = Buffer.from(a.snapshot());
    expect(Buffer.from(b.snapshot()).equals(snap)).toBe(true);
    expect(Buffer.from(c.snapshot()).equals(snap)).toBe(true);
    checkIndexes(a);
    checkIndexes(c);
    // The workload is not all refusals: it exercises real state changes.
    expect(oks).toBeGreaterThan(60);
    expect([...codes].sort()).toEqual(['AlreadyExists', 'Invalid', 'NameConflict', 'NotFound', 'VersionConflict']);
    expect(a.count('task') + a.count('node') + a.count('service')).toBeGreaterThan(0);
  });
});

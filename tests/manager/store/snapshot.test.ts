import { MemoryStore } from '../../../lib/manager/store/memory-store';
import { SNAPSHOT_FORMAT_JSON_V1, SNAPSHOT_FORMAT_LINES_V2, SnapshotError, decodeSnapshot, encodeSnapshotV1 } from '../../../lib/manager/store/snapshot';
import { bytes, cluster, node, service, task, tx } from './fixtures';

function populated(): MemoryStore {
  const s = new MemoryStore();
  s.apply(1, tx({ op: 'create', kind: 'cluster', object: cluster('c1') }));
  s.apply(2, tx(
    { op: 'create', kind: 'node', object: node('n2', 'h2', { spec: { labels: { zone: 'b', arch: 'x' }, desiredRole: 'manager', availability: 'drain' }, managerStatus: { raftId: 2, addr: '10.0.0.2:4242' } }) },
    { op: 'create', kind: 'node', object: node('n1', 'h1') },
    { op: 'create', kind: 'service', object: service('s1', 'web') },
    { op: 'create', kind: 'task', object: task('t1', 's1', 'n1') },
  ));
  s.apply(4, tx({ op: 'update', kind: 'task', object: task('t1', 's1', 'n2'), expectedVersion: 2 }));
  return s;
}

const text = (b: Uint8Array): string => Buffer.from(b.subarray(1)).toString('utf8');

describe('snapshot and restore', () => {
  test('round trip: the restored store holds the same objects, indexes and applied index', () => {
    const a = populated();
    const b = new MemoryStore();
    b.restore(a.snapshot());
    expect(b.appliedIndex).toBe(4);
    for (const kind of ['cluster', 'node', 'service', 'task'] as const) expect(b.list(kind)).toEqual(a.list(kind));
    expect(b.tasksByNode('n2').map((t) => t.id)).toEqual(['t1']);
    expect(b.nodesByRole('worker').map((n) => n.id)).toEqual(['n1', 'n2']);
    expect(b.findByName('service', 'WEB').map((x) => x.id)).toEqual(['s1']);
    expect(Object.isFrozen(b.get('node', 'n2')!.spec.labels)).toBe(true);
    // And it carries on from there like the original.
    const next = tx({ op: 'create', kind: 'service', object: service('s2', 'web') });
    expect(b.apply(5, next)).toEqual(a.apply(5, next));
  });

  test('bytes are canonical: format byte, header line, kinds in order, ids and keys sorted, one object a line', () => {
    const snap = populated().snapshot();
    expect(snap[0]).toBe(SNAPSHOT_FORMAT_LINES_V2);
    const lines = text(snap).split('\n');
    expect(lines[0]).toBe('{"appliedIndex":4,"counts":{"cluster":1,"config":0,"network":0,"node":2,"secret":0,"service":1,"task":1},"format":2}');
    expect(lines.slice(1, -1).map((l) => JSON.parse(l).id)).toEqual(['c1', 'n1', 'n2', 's1', 't1']);
    expect(lines[lines.length - 1]).toBe('');
    expect(lines[3]).toContain('"labels":{"arch":"x","zone":"b"}');
  });

  test('a format-1 snapshot (what managers wrote before) still restores to the same state', () => {
    const a = populated();
    const old = encodeSnapshotV1(a.appliedIndex, decodeSnapshot(a.snapshot()).tables);
    expect(old[0]).toBe(SNAPSHOT_FORMAT_JSON_V1);
    expect(text(old).startsWith('{"appliedIndex":4,"objects":{"cluster":[')).toBe(true);
    const b = new MemoryStore();
    b.restore(old);
    expect(Buffer.from(b.snapshot()).equals(Buffer.from(a.snapshot()))).toBe(true);
  });

  test('a restored store snapshots to the same bytes, again and again', () => {
    const a = populated();
    const first = a.snapshot();
    const b = new MemoryStore();
    b.restore(first);
    const c = new MemoryStore();
    c.restore(b.snapshot());
    expect(Buffer.from(b.snapshot()).equals(Buffer.from(first))).toBe(true);
    expect(Buffer.from(c.snapshot()).equals(Buffer.from(first))).toBe(true);
  });

  test('an empty store snapshots and restores', () => {
    const b = populated();
    b.restore(new MemoryStore().snapshot());
    expect(b.appliedIndex).toBe(0);
    expect(b.list('node')).toEqual([]);
    expect(b.tasksByNode('n2')).toEqual([]);
    expect(text(b.snapshot())).toBe('{"appliedIndex":0,"counts":{"cluster":0,"config":0,"network":0,"node":0,"secret":0,"service":0,"task":0},"format":2}\n');
  });

  test.each([
    ['empty bytes', new Uint8Array(), /unknown format byte none/],
    ['a wrong format byte', new Uint8Array([7, 123, 125]), /unknown format byte 7/],
    ['not JSON', new Uint8Array([1, ...bytes('{')]), /not JSON/],
    ['an unknown kind', new Uint8Array([1, ...bytes('{"appliedIndex":1,"objects":{"volume":[]}}')]), /unknown kind "volume"/],
    ['a bad object', new Uint8Array([1, ...bytes(`{"appliedIndex":1,"objects":{"service":[${JSON.stringify({ id: 's1', spec: service('s1', 'w').spec })}]}}`)]), /objects.service\[0\].meta must be an object/],
    ['a duplicate id', new Uint8Array([1, ...bytes(`{"appliedIndex":1,"objects":{"service":[${svcJson('s1', 'a')},${svcJson('s1', 'b')}]}}`)]), /service s1 appears twice/],
    ['a duplicate unique name', new Uint8Array([1, ...bytes(`{"appliedIndex":1,"objects":{"service":[${svcJson('s1', 'a')},${svcJson('s2', 'A')}]}}`)]), /service s2 and s1 share the name "a"/],
    ['format 2 without its header', v2(svcJson('s1', 'a')), /header line missing/],
    ['format 2 cut inside an object', v2(v2Header(2), svcJson('s1', 'a'), svcJson('s2', 'b')).subarray(0, -20), /line 3: not terminated/],
    ['format 2 with fewer objects than counted', v2(v2Header(2), svcJson('s1', 'a')), /line 3: missing/],
    ['format 2 with more objects than counted', v2(v2Header(1), svcJson('s1', 'a'), svcJson('s2', 'b')), /bytes after the last object/],
    ['format 2 with a duplicate id', v2(v2Header(2), svcJson('s1', 'a'), svcJson('s1', 'b')), /service s1 appears twice/],
    ['format 2 with an unknown kind', v2('{"appliedIndex":1,"counts":{"volume":0},"format":2}'), /unknown kind "volume"/],
  ])('a bad snapshot (%s) throws and leaves the state as it was', (_what, data, message) => {
    const s = populated();
    const before = s.snapshot();
    const w = s.watch();
    expect(() => s.restore(data)).toThrow(SnapshotError);
    expect(() => s.restore(data)).toThrow(message);
    expect(Buffer.from(s.snapshot()).equals(Buffer.from(before))).toBe(true);
    expect(w.pending).toBe(0);
  });
});

function v2(...lines: string[]): Uint8Array {
  return new Uint8Array([SNAPSHOT_FORMAT_LINES_V2, ...bytes(lines.map((l) => `${l}\n`).join(''))]);
}

function v2Header(services: number): string {
  return `{"appliedIndex":1,"counts":{"service":${services}},"format":2}`;
}

function svcJson(id: string, name: string): string {
  return JSON.stringify({ id, meta: { version: 1, createdAt: 'a', updatedAt: 'a' }, spec: service(id, name).spec });
}

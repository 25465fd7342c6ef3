import { MemoryStore } from '../../../lib/manager/store/memory-store';
import { TX_FORMAT_JSON_V1, decodeTransaction, encodeTransaction } from '../../../lib/manager/store/codec';
import { bytes, service, task, tx } from './fixtures';

const entry = (json: string): Uint8Array => new Uint8Array([TX_FORMAT_JSON_V1, ...bytes(json)]);

describe('transaction encoding', () => {
  test('round trip, with a leading format byte', () => {
    const t = tx({ op: 'create', kind: 'service', object: service('s1', 'web') }, { op: 'delete', kind: 'task', id: 't1', expectedVersion: 4 });
    const data = encodeTransaction(t);
    expect(data[0]).toBe(TX_FORMAT_JSON_V1);
    expect(decodeTransaction(data)).toEqual({ ok: true, tx: t });
  });

  test('undefined fields vanish in the encoding, as they do on every other manager', () => {
    const t = tx({ op: 'create', kind: 'task', object: { ...task('t1', 's1'), nodeId: undefined } });
    const s = new MemoryStore();
    expect(s.apply(1, t).ok).toBe(true);
    expect('nodeId' in s.get('task', 't1')!).toBe(false);
  });
});

describe('malformed entries are skipped, never thrown', () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ['empty', new Uint8Array(), /^malformed entry: empty$/],
    ['an unknown format byte', new Uint8Array([9, 123, 125]), /unknown format byte 9/],
    ['invalid UTF-8', new Uint8Array([TX_FORMAT_JSON_V1, 0xff, 0xfe]), /^malformed entry: /],
    ['not JSON', entry('{"at":'), /^malformed entry: /],
    ['JSON but not an object', entry('[1,2]'), /a transaction must be an object/],
    ['an unknown op', entry('{"at":"2026-01-01T00:00:00Z","actions":[{"op":"upsert","kind":"node"}]}'), /actions\[0\]\.op must be one of create, update, delete, setTaskStatus, assign, setDesiredState \(got "upsert"\)/],
    ['an unknown kind', entry('{"at":"2026-01-01T00:00:00Z","actions":[{"op":"delete","kind":"volume","id":"a"}]}'), /actions\[0\]\.kind must be one of cluster, node, network, secret, config, service, task \(got "volume"\)/],
    ['an update without expectedVersion', entry(`{"at":"2026-01-01T00:00:00Z","actions":[{"op":"update","kind":"service","object":${JSON.stringify(service('s1', 'web'))}}]}`), /expectedVersion must be a positive integer/],
    ['an unknown top-level field', entry('{"at":"2026-01-01T00:00:00Z","actions":[],"x":1}'), /unknown field "x"/],
    ['a __proto__ label', entry(`{"at":"2026-01-01T00:00:00Z","actions":[{"op":"create","kind":"service","object":{"id":"s1","spec":{"name":"w","labels":{"__proto__":"x"}}}}]}`), /must not have a "__proto__" key/],
  ];

  test.each(cases)('%s', (_what, data, message) => {
    const s = new MemoryStore();
    s.apply(1, tx({ op: 'create', kind: 'service', object: service('s0', 'keep') }));
    const before = s.list('service');
    const r = s.applyEntry(2, data);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('Invalid');
    expect(r.error.message).toMatch(message);
    expect(s.appliedIndex).toBe(2);
    expect(s.list('service')).toEqual(before); // state untouched
    expect(s.recentFailures()).toEqual([{ index: 2, error: r.error }]);
    // The next good entry applies as usual.
    expect(s.apply(3, tx({ op: 'delete', kind: 'service', id: 's0' })).ok).toBe(true);
  });

  test('two managers skip the same garbage the same way', () => {
    const a = new MemoryStore();
    const b = new MemoryStore();
    const entries = [encodeTransaction(tx({ op: 'create', kind: 'service', object: service('s1', 'web') })), ...cases.map((c) => c[1])];
    const ra = entries.map((e, i) => a.applyEntry(i + 1, e));
    const rb = entries.map((e, i) => b.applyEntry(i + 1, e));
    expect(ra).toEqual(rb);
    expect(Buffer.from(a.snapshot()).equals(Buffer.from(b.snapshot()))).toBe(true);
  });

  test('recent failures are bounded', () => {
    const s = new MemoryStore();
    for (let i = 1; i <= 150; i++) s.applyEntry(i, new Uint8Array());
    const f = s.recentFailures();
    expect(f).toHaveLength(100);
    expect(f[0].index).toBe(51);
    expect(f[99].index).toBe(150);
  });

  test('an entry at or below the applied index is ignored and does not move it', () => {
    const s = new MemoryStore();
    s.apply(5, tx({ op: 'create', kind: 'service', object: service('s1', 'web') }));
    const r = s.apply(5, tx({ op: 'delete', kind: 'service', id: 's1' }));
    expect(r.ok || r.error.message).toBe('entry index 5 is not after the applied index 5; ignored');
    expect(s.apply(3, tx({ op: 'delete', kind: 'service', id: 's1' })).ok).toBe(false);
    expect(s.appliedIndex).toBe(5);
    expect(s.get('service', 's1')).toBeDefined();
  });
});

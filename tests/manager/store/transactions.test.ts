import { MemoryStore } from '../../../lib/manager/store/memory-store';
import { Draft } from '../../../lib/manager/store/transaction';
import { Node } from '../../../lib/api/types';
import { cluster, node, service, task, tx } from './fixtures';

function seeded(): MemoryStore {
  const s = new MemoryStore();
  s.apply(1, tx(
    { op: 'create', kind: 'node', object: node('n1', 'h1') },
    { op: 'create', kind: 'service', object: service('s1', 'web') },
    { op: 'create', kind: 'service', object: service('s2', 'db') },
    { op: 'create', kind: 'task', object: task('t1', 's1', 'n1') },
  ));
  return s;
}

describe('store: refused transactions change nothing', () => {
  test('an update with a stale version is a VersionConflict naming the object', () => {
    const s = seeded();
    s.apply(2, tx({ op: 'update', kind: 'service', object: service('s1', 'web'), expectedVersion: 1 }));
    const before = s.snapshot();
    const r = s.apply(3, tx({ op: 'update', kind: 'service', object: service('s1', 'www'), expectedVersion: 1 }));
    expect(r).toEqual({
      ok: false,
      index: 3,
      error: {
        code: 'VersionConflict',
        actionIndex: 0,
        message: 'cannot update service s1 (web): expected version 1 but it is at version 2; it changed since it was read',
      },
    });
    expect(s.get('service', 's1')?.spec.name).toBe('web');
    // Only the applied index moved: the entry was consumed.
    const after = new MemoryStore();
    after.restore(s.snapshot());
    expect(after.appliedIndex).toBe(3);
    expect(Buffer.from(s.snapshot()).toString().replace('"appliedIndex":3', '"appliedIndex":2')).toBe(
      Buffer.from(before).toString(),
    );
  });

  test('a delete with a stale version is refused', () => {
    const s = seeded();
    const r = s.apply(2, tx({ op: 'delete', kind: 'task', id: 't1', expectedVersion: 9 }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('VersionConflict');
    expect(s.get('task', 't1')).toBeDefined();
  });

  test('one bad action anywhere refuses the whole transaction', () => {
    const s = seeded();
    const before = s.list('service');
    const r = s.apply(2, tx(
      { op: 'create', kind: 'service', object: service('s3', 'cache') },
      { op: 'update', kind: 'service', object: service('s1', 'web2'), expectedVersion: 1 },
      { op: 'delete', kind: 'task', id: 't1' },
      { op: 'update', kind: 'service', object: service('s2', 'db2'), expectedVersion: 5 },
    ));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: 'VersionConflict', actionIndex: 3 });
    expect(s.list('service')).toEqual(before);
    expect(s.get('service', 's3')).toBeUndefined();
    expect(s.get('task', 't1')).toBeDefined();
    expect(s.findByName('service', 'cache')).toEqual([]);
    expect(s.tasksByService('s1').map((t) => t.id)).toEqual(['t1']);
  });

  test.each([
    ['update of a missing object', { op: 'update', kind: 'service', object: service('zz', 'x'), expectedVersion: 1 } as const, 'NotFound', 'cannot update service zz: no such service'],
    ['delete of a missing object', { op: 'delete', kind: 'node', id: 'zz' } as const, 'NotFound', 'cannot delete node zz: no such node'],
    ['create of an existing id', { op: 'create', kind: 'task', object: task('t1', 's1') } as const, 'AlreadyExists', 'cannot create task t1: a task with that id already exists'],
  ])('%s', (_what, action, code, message) => {
    const s = seeded();
    const r = s.apply(2, tx(action));
    expect(r).toEqual({ ok: false, index: 2, error: { code, message, actionIndex: 0 } });
  });

  test('a delete of an object deleted earlier in the same transaction is NotFound', () => {
    const s = seeded();
    const r = s.apply(2, tx({ op: 'delete', kind: 'task', id: 't1' }, { op: 'delete', kind: 'task', id: 't1' }));
    expect(r.ok || r.error).toMatchObject({ code: 'NotFound', actionIndex: 1 });
    expect(s.get('task', 't1')).toBeDefined();
  });
});

describe('store: unique names', () => {
  test('a second service with the same name (any case) is a NameConflict', () => {
    const s = seeded();
    const r = s.apply(2, tx({ op: 'create', kind: 'service', object: service('s9', 'WEB') }));
    expect(r.ok || r.error).toEqual({
      code: 'NameConflict',
      actionIndex: 0,
      message: 'cannot create service s9: the name "WEB" is already used by service s1',
    });
  });

  test('renaming onto a taken name is refused; onto its own name is fine', () => {
    const s = seeded();
    const r = s.apply(2, tx({ op: 'update', kind: 'service', object: service('s2', 'web'), expectedVersion: 1 }));
    expect(r.ok || r.error.code).toBe('NameConflict');
    expect(s.apply(3, tx({ op: 'update', kind: 'service', object: service('s1', 'Web'), expectedVersion: 1 })).ok).toBe(true);
    expect(s.findByName('service', 'web').map((x) => x.spec.name)).toEqual(['Web']);
  });

  test('two creates with one name in one transaction conflict', () => {
    const s = new MemoryStore();
    const r = s.apply(1, tx(
      { op: 'create', kind: 'service', object: service('a1', 'api') },
      { op: 'create', kind: 'service', object: service('a2', 'api') },
    ));
    expect(r.ok || r.error).toMatchObject({ code: 'NameConflict', actionIndex: 1 });
    expect(s.count('service')).toBe(0);
  });

  test('a name freed earlier in the transaction can be taken (delete, or rename away)', () => {
    const s = seeded();
    const r = s.apply(2, tx(
      { op: 'delete', kind: 'service', id: 's1' },
      { op: 'create', kind: 'service', object: service('s3', 'web') },
      { op: 'update', kind: 'service', object: service('s2', 'db-old'), expectedVersion: 1 },
      { op: 'create', kind: 'service', object: service('s4', 'db') },
    ));
    expect(r.ok).toBe(true);
    expect(s.list('service').map((x) => `${x.id}=${x.spec.name}`)).toEqual(['s2=db-old', 's3=web', 's4=db']);
  });

  test('swapping two names in one transaction: the first rename collides, so it is refused', () => {
    const s = seeded();
    const r = s.apply(2, tx(
      { op: 'update', kind: 'service', object: service('s1', 'db'), expectedVersion: 1 },
      { op: 'update', kind: 'service', object: service('s2', 'web'), expectedVersion: 1 },
    ));
    expect(r.ok || r.error).toMatchObject({ code: 'NameConflict', actionIndex: 0 });
  });

  test('node hostnames need not be unique (docker allows it)', () => {
    const s = seeded();
    expect(s.apply(2, tx({ op: 'create', kind: 'node', object: node('n2', 'h1') })).ok).toBe(true);
    expect(s.findByName('node', 'h1').map((n) => n.id)).toEqual(['n1', 'n2']);
  });

  test('cluster names are unique', () => {
    const s = new MemoryStore();
    s.apply(1, tx({ op: 'create', kind: 'cluster', object: cluster('c1') }));
    const r = s.apply(2, tx({ op: 'create', kind: 'cluster', object: cluster('c2') }));
    expect(r.ok || r.error.code).toBe('NameConflict');
  });
});

describe('store: malformed objects are Invalid', () => {
  const bad = (mutate: (n: Record<string, unknown>) => void): Draft<Node> => {
    const n = JSON.parse(JSON.stringify(node('n5', 'h5'))) as Record<string, unknown>;
    mutate(n);
    return n as unknown as Draft<Node>;
  };

  test.each([
    ['an unknown field', (n: Record<string, unknown>) => (n.extra = 1), 'actions[0].object (node) has an unknown field "extra"'],
    ['a bad enum', (n: Record<string, unknown>) => ((n.spec as Record<string, unknown>).availability = 'gone'), 'actions[0].object (node).spec.availability must be one of active, pause, drain (got "gone")'],
    ['a missing field', (n: Record<string, unknown>) => delete n.status, 'actions[0].object (node).status must be an object (got nothing)'],
    ['an id with capitals', (n: Record<string, unknown>) => (n.id = 'N5'), 'actions[0].object (node).id must be an id of 1 to 64 lowercase letters and digits (got "N5")'],
    ['a non-string label', (n: Record<string, unknown>) => ((n.spec as Record<string, unknown>).labels = { a: 1 }), 'actions[0].object (node).spec.labels["a"] must be a string (got 1)'],
    ['a negative resource', (n: Record<string, unknown>) => (((n.description as Record<string, unknown>).resources as Record<string, unknown>).nanoCPUs = -1), 'actions[0].object (node).description.resources.nanoCPUs must be a non-negative integer (got -1)'],
    ['a NaN (it becomes null in JSON)', (n: Record<string, unknown>) => ((n.managerStatus = { raftId: NaN, addr: 'x' })), 'actions[0].object (node).managerStatus.raftId must be a positive integer (got null)'],
  ])('%s', (_what, mutate, message) => {
    const s = seeded();
    const r = s.apply(2, tx({ op: 'create', kind: 'node', object: bad(mutate) }));
    expect(r.ok || r.error).toEqual({ code: 'Invalid', actionIndex: 0, message: `malformed entry: ${message}` });
    expect(s.get('node', 'n5')).toBeUndefined();
  });

  test('a transaction without actions, or with a bad time, is Invalid', () => {
    const s = new MemoryStore();
    expect(s.apply(1, { at: '2026-01-02T03:04:05Z', actions: [] }).ok || 'refused').toBe('refused');
    const r = s.apply(2, { at: 'yesterday', actions: [{ op: 'delete', kind: 'node', id: 'n1' }] });
    expect(r.ok || r.error.message).toMatch(/transaction.at must be an ISO-8601 UTC time/);
  });
});

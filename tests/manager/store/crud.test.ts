import { MemoryStore } from '../../../lib/manager/store/memory-store';
import { thaw } from '../../../lib/manager/store/deep-freeze';
import { AT, LATER, cluster, node, service, task, tx, txAt } from './fixtures';

describe('store: create, update, delete', () => {
  test('create stamps meta from the entry index and the proposer time', () => {
    const s = new MemoryStore();
    const r = s.apply(3, tx({ op: 'create', kind: 'service', object: service('svc1', 'web') }));
    expect(r).toEqual({ ok: true, index: 3, changes: [{ kind: 'service', id: 'svc1', op: 'create', version: 3 }] });
    expect(s.get('service', 'svc1')).toEqual({
      id: 'svc1',
      meta: { version: 3, createdAt: AT, updatedAt: AT },
      spec: service('s1', 'web').spec,
    });
    expect(s.appliedIndex).toBe(3);
    expect(s.count('service')).toBe(1);
  });

  test('meta sent by the proposer is ignored: the store owns it', () => {
    const s = new MemoryStore();
    const obj = { ...service('svc1', 'web'), meta: { version: 99, createdAt: 'x', updatedAt: 'y' } };
    expect(s.apply(1, tx({ op: 'create', kind: 'service', object: obj })).ok).toBe(true);
    expect(s.get('service', 'svc1')?.meta).toEqual({ version: 1, createdAt: AT, updatedAt: AT });
  });

  test('update replaces the object, keeps createdAt, moves version and updatedAt', () => {
    const s = new MemoryStore();
    s.apply(1, tx({ op: 'create', kind: 'service', object: service('svc1', 'web') }));
    const edited = thaw(s.get('service', 'svc1')!);
    edited.spec.labels = { tier: 'front' };
    const r = s.apply(5, txAt(LATER, { op: 'update', kind: 'service', object: edited, expectedVersion: 1 }));
    expect(r).toEqual({ ok: true, index: 5, changes: [{ kind: 'service', id: 'svc1', op: 'update', version: 5 }] });
    expect(s.get('service', 'svc1')).toEqual({
      id: 'svc1',
      meta: { version: 5, createdAt: AT, updatedAt: LATER },
      spec: { ...service('s1', 'web').spec, labels: { tier: 'front' } },
    });
  });

  test('delete removes the object, with or without an expected version', () => {
    const s = new MemoryStore();
    s.apply(1, tx(
      { op: 'create', kind: 'service', object: service('svc1', 'web') },
      { op: 'create', kind: 'service', object: service('svc2', 'db') },
    ));
    expect(s.apply(2, tx({ op: 'delete', kind: 'service', id: 'svc1' })).ok).toBe(true);
    expect(s.apply(3, tx({ op: 'delete', kind: 'service', id: 'svc2', expectedVersion: 1 })).ok).toBe(true);
    expect(s.list('service')).toEqual([]);
    expect(s.findByName('service', 'web')).toEqual([]);
  });

  test('list and find are sorted by id, whatever the insertion order', () => {
    const s = new MemoryStore();
    s.apply(1, tx(
      { op: 'create', kind: 'node', object: node('ccc', 'h3') },
      { op: 'create', kind: 'node', object: node('aaa', 'h1') },
      { op: 'create', kind: 'node', object: node('bbb', 'h2') },
    ));
    expect(s.list('node').map((n) => n.id)).toEqual(['aaa', 'bbb', 'ccc']);
    expect(s.find('node', (n) => n.description?.hostname !== 'h2').map((n) => n.id)).toEqual(['aaa', 'ccc']);
    expect(s.get('node', 'zzz')).toBeUndefined();
  });

  test('a cluster object round-trips', () => {
    const s = new MemoryStore();
    expect(s.apply(1, tx({ op: 'create', kind: 'cluster', object: cluster('c1') })).ok).toBe(true);
    expect(s.findByName('cluster', 'DEFAULT').map((c) => c.id)).toEqual(['c1']);
  });

  test('indexes follow creates, updates and deletes: tasks by service and node, nodes by role', () => {
    const s = new MemoryStore();
    s.apply(1, tx(
      { op: 'create', kind: 'node', object: node('n1', 'h1') },
      { op: 'create', kind: 'node', object: node('n2', 'h2', { role: 'manager' }) },
      { op: 'create', kind: 'service', object: service('s1', 'web') },
      { op: 'create', kind: 'task', object: task('t2', 's1', 'n1', 2) },
      { op: 'create', kind: 'task', object: task('t1', 's1', 'n1', 1) },
      { op: 'create', kind: 'task', object: task('t3', 's1') },
    ));
    expect(s.tasksByService('s1').map((t) => t.id)).toEqual(['t1', 't2', 't3']);
    expect(s.tasksByNode('n1').map((t) => t.id)).toEqual(['t1', 't2']);
    expect(s.nodesByRole('manager').map((n) => n.id)).toEqual(['n2']);
    expect(s.nodesByRole('worker').map((n) => n.id)).toEqual(['n1']);

    // t3 gets scheduled on n2, t1 is removed, n1 is promoted.
    s.apply(2, tx(
      { op: 'update', kind: 'task', object: task('t3', 's1', 'n2'), expectedVersion: 1 },
      { op: 'delete', kind: 'task', id: 't1' },
      { op: 'update', kind: 'node', object: node('n1', 'h1', { role: 'manager' }), expectedVersion: 1 },
    ));
    expect(s.tasksByService('s1').map((t) => t.id)).toEqual(['t2', 't3']);
    expect(s.tasksByNode('n1').map((t) => t.id)).toEqual(['t2']);
    expect(s.tasksByNode('n2').map((t) => t.id)).toEqual(['t3']);
    expect(s.nodesByRole('manager').map((n) => n.id)).toEqual(['n1', 'n2']);
    expect(s.nodesByRole('worker')).toEqual([]);
    expect(s.tasksByService('nope')).toEqual([]);
  });

  test('actions see the effects of earlier actions in the same transaction', () => {
    const s = new MemoryStore();
    const r = s.apply(7, tx(
      { op: 'create', kind: 'service', object: service('s1', 'web') },
      { op: 'update', kind: 'service', object: { ...service('s1', 'web'), spec: { ...service('s1', 'web').spec, labels: { a: 'b' } } }, expectedVersion: 7 },
      { op: 'create', kind: 'service', object: service('s2', 'tmp') },
      { op: 'delete', kind: 'service', id: 's2' },
    ));
    expect(r.ok).toBe(true);
    expect(s.list('service').map((x) => [x.id, x.spec.labels, x.meta.version])).toEqual([['s1', { a: 'b' }, 7]]);
  });

  test('finding by name or id prefix', () => {
    const s = new MemoryStore();
    s.apply(1, tx(
      { op: 'create', kind: 'service', object: service('abc1', 'Web') },
      { op: 'create', kind: 'service', object: service('abd2', 'db') },
    ));
    expect(s.findByName('service', 'web').map((x) => x.id)).toEqual(['abc1']);
    expect(s.findByIdPrefix('service', 'ab').map((x) => x.id)).toEqual(['abc1', 'abd2']);
    expect(s.findByIdPrefix('service', 'ABC').map((x) => x.id)).toEqual(['abc1']);
  });
});

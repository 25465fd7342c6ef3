import { MemoryStore } from '../../../lib/manager/store/memory-store';
import { node, service, task, tx } from './fixtures';

function store(): MemoryStore {
  const s = new MemoryStore();
  s.apply(1, tx(
    { op: 'create', kind: 'node', object: node('4fj2k9x0q1', 'alpha') },
    { op: 'create', kind: 'node', object: node('4fj7m2n0zz', 'beta') },
    { op: 'create', kind: 'node', object: node('9aa0000000', 'twin') },
    { op: 'create', kind: 'node', object: node('9bb0000000', 'twin') },
    { op: 'create', kind: 'node', object: node('c00', 'gamma', { spec: { name: 'db-box', labels: {}, desiredRole: 'worker', availability: 'active' } }) },
    { op: 'create', kind: 'service', object: service('7s1', 'web') },
    { op: 'create', kind: 'task', object: task('t123', '7s1') },
  ));
  return s;
}

describe('resolveNode: id, then hostname or name, then unique id prefix', () => {
  test('an exact id', () => {
    const r = store().resolveNode('4fj2k9x0q1');
    expect(r.ok && r.object.description?.hostname).toBe('alpha');
  });

  test('a hostname, case-insensitively, and spec.name', () => {
    const s = store();
    const r = s.resolveNode('BETA');
    expect(r.ok && r.object.id).toBe('4fj7m2n0zz');
    const byName = s.resolveNode('db-box');
    expect(byName.ok && byName.object.id).toBe('c00');
    const byHost = s.resolveNode('gamma');
    expect(byHost.ok && byHost.object.id).toBe('c00');
  });

  test('a unique prefix, typed in any case', () => {
    const r = store().resolveNode('4FJ2');
    expect(r.ok && r.object.id).toBe('4fj2k9x0q1');
  });

  test('an ambiguous prefix lists the candidates', () => {
    const r = store().resolveNode('4fj');
    expect(r).toEqual({
      ok: false,
      error: {
        code: 'Ambiguous',
        message: 'node id prefix "4fj" is ambiguous: it matches 2 nodes: 4fj2k9x0q1 (alpha), 4fj7m2n0zz (beta); use a longer prefix',
        candidates: ['4fj2k9x0q1', '4fj7m2n0zz'],
      },
    });
  });

  test('a hostname two nodes share is ambiguous', () => {
    const r = store().resolveNode('twin');
    expect(r.ok || r.error).toEqual({
      code: 'Ambiguous',
      message: 'node name "twin" is ambiguous: 2 nodes have it: 9aa0000000 (twin), 9bb0000000 (twin); use an id instead',
      candidates: ['9aa0000000', '9bb0000000'],
    });
  });

  test('nothing matches', () => {
    expect(store().resolveNode('zeta')).toEqual({
      ok: false,
      error: { code: 'NotFound', message: 'no node matches "zeta" (by id, name or id prefix)', candidates: [] },
    });
    expect(store().resolveNode('').ok).toBe(false);
  });

  test('a name wins over an id prefix, as in docker', () => {
    const s = store();
    s.apply(2, tx({ op: 'create', kind: 'node', object: node('beta00', 'other') }));
    // "beta" is a hostname and a prefix of beta00's id: the hostname wins.
    const r = s.resolveNode('beta');
    expect(r.ok && r.object.id).toBe('4fj7m2n0zz');
  });

  test('long candidate lists are cut in the message but complete in candidates', () => {
    const s = new MemoryStore();
    const actions = Array.from({ length: 12 }, (_, i) => ({ op: 'create' as const, kind: 'node' as const, object: node(`ab${i.toString().padStart(2, '0')}`, `h${i}`) }));
    s.apply(1, tx(...actions));
    const r = s.resolveNode('ab');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.candidates).toHaveLength(12);
    expect(r.error.message).toContain('ab09 (h9) and 2 more; use a longer prefix');
  });
});

describe('resolve for other kinds', () => {
  test('services by name or prefix; tasks by id or prefix only', () => {
    const s = store();
    const byName = s.resolve('service', 'web');
    expect(byName.ok && byName.object.id).toBe('7s1');
    const byPrefix = s.resolve('task', 't1');
    expect(byPrefix.ok && byPrefix.object.serviceId).toBe('7s1');
    const missing = s.resolve('task', 'web');
    expect(missing.ok || missing.error.message).toBe('no task matches "web" (by id or id prefix)');
  });
});

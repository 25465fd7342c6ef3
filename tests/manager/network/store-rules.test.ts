// What the store itself refuses about networks, on every manager alike.

import { MemoryStore } from '../../../lib/manager/store/memory-store';
import { tx } from '../store/fixtures';
import { network, serviceOn } from './fixtures';

function withNetworks(): MemoryStore {
  const s = new MemoryStore();
  s.apply(1, tx({ op: 'create', kind: 'network', object: network('n1', 'front', '10.1.0.0/24') }));
  return s;
}

describe('store rules for networks', () => {
  test('a network whose subnet overlaps another is refused with both named', () => {
    const s = withNetworks();
    const r = s.apply(2, tx({ op: 'create', kind: 'network', object: network('n2', 'back', '10.1.0.0/16') }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toBe('cannot create network n2: subnet 10.1.0.0/16 of network back overlaps 10.1.0.0/24 of network front');
    expect(s.list('network').map((n) => n.id)).toEqual(['n1']);
  });

  test('two overlapping networks in one transaction: the whole transaction is refused', () => {
    const s = new MemoryStore();
    const r = s.apply(1, tx(
      { op: 'create', kind: 'network', object: network('a', 'a', '10.2.0.0/24') },
      { op: 'create', kind: 'network', object: network('b', 'b', '10.2.0.128/25') },
    ));
    expect(r.ok).toBe(false);
    expect(s.list('network')).toEqual([]);
  });

  test('a network keeps its subnet, and names are unique', () => {
    const s = withNetworks();
    const moved = s.apply(2, tx({ op: 'update', kind: 'network', object: network('n1', 'front', '10.9.0.0/24'), expectedVersion: 1 }));
    expect(!moved.ok && moved.error.message).toBe("cannot update network n1: network front's subnet cannot change (it is 10.1.0.0/24)");
    const dup = s.apply(3, tx({ op: 'create', kind: 'network', object: network('n2', 'FRONT', '10.3.0.0/24') }));
    expect(!dup.ok && dup.error.code).toBe('NameConflict');
  });

  test('a service may only name networks that exist', () => {
    const s = withNetworks();
    expect(s.apply(2, tx({ op: 'create', kind: 'service', object: serviceOn('s1', 'web', ['n1']) })).ok).toBe(true);
    const r = s.apply(3, tx({ op: 'create', kind: 'service', object: serviceOn('s2', 'api', ['nope']) }));
    expect(!r.ok && r.error.message).toBe('cannot create service s2: service api is attached to network nope, which does not exist');
  });

  test('a network in use stays; removed together with its services it goes, in either order', () => {
    const s = withNetworks();
    s.apply(2, tx({ op: 'create', kind: 'service', object: serviceOn('s1', 'web', ['n1']) }));
    const alone = s.apply(3, tx({ op: 'delete', kind: 'network', id: 'n1' }));
    expect(!alone.ok && alone.error.message).toBe('cannot delete network n1: network front is in use by service web');
    const together = s.apply(4, tx({ op: 'delete', kind: 'network', id: 'n1' }, { op: 'delete', kind: 'service', id: 's1' }));
    expect(together.ok).toBe(true);
    expect(s.list('network')).toEqual([]);
  });

  test('a network and the services on it can be created in one transaction', () => {
    const s = new MemoryStore();
    const r = s.apply(1, tx(
      { op: 'create', kind: 'network', object: network('n1', 'stack_default', '10.4.0.0/24') },
      { op: 'create', kind: 'service', object: serviceOn('s1', 'stack_web', ['n1'], ['web']) },
    ));
    expect(r.ok).toBe(true);
  });
});

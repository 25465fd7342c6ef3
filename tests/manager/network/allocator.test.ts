import { Service, Task } from '../../../lib/api/service-types';
import { AddressBook, attachTask, planEndpoint, publishedPortsInUse } from '../../../lib/manager/network/allocator';
import { DeepReadonly } from '../../../lib/manager/store';
import { MemoryStore } from '../../../lib/manager/store/memory-store';
import { task, tx } from '../store/fixtures';
import { network, serviceOn } from './fixtures';

function store(): MemoryStore {
  const s = new MemoryStore();
  s.apply(1, tx(
    { op: 'create', kind: 'network', object: network('ing', 'ingress', '10.0.0.0/24', { ingress: true }) },
    { op: 'create', kind: 'network', object: network('n1', 'front', '10.1.0.0/29') },
    { op: 'create', kind: 'service', object: serviceOn('s1', 'web', ['n1']) },
  ));
  return s;
}

const book = (s: MemoryStore, cursors?: Map<string, number>) => new AddressBook(s.list('network'), s.list('service'), s.list('task'), cursors);
const taskOn = (id: string, networks: string[]) => {
  const t = task(id, 's1', 'node1');
  t.spec.networks = networks.map((target) => ({ target, aliases: [] }));
  return t as DeepReadonly<Task>;
};

describe('address allocation', () => {
  test('a VIP per network for vip mode, none for dnsrr; kept once given', () => {
    const s = store();
    const svc = s.get('service', 's1') as DeepReadonly<Service>;
    const e = planEndpoint(svc, book(s), new Set());
    // .0 network, .1 gateway: the first VIP is .2.
    expect(e).toEqual({ virtualIPs: [{ networkId: 'n1', addr: '10.1.0.2/29' }], ports: [] });
    s.apply(2, tx({ op: 'update', kind: 'service', object: { ...(svc as Service), endpoint: e }, expectedVersion: 1 }));
    expect(planEndpoint(s.get('service', 's1') as DeepReadonly<Service>, book(s), new Set())).toBeUndefined();
    const dnsrr = { ...(svc as Service), spec: { ...(svc as Service).spec, endpoint: { mode: 'dnsrr' as const, ports: [] } } };
    expect(planEndpoint(dnsrr, book(s), new Set())).toEqual({ virtualIPs: [], ports: [] });
  });

  test('task addresses skip the gateway, VIPs and live tasks, reuse finished ones only after the others, and run out with a reason', () => {
    const s = store();
    const svc = s.get('service', 's1') as DeepReadonly<Service>;
    s.apply(2, tx({ op: 'update', kind: 'service', object: { ...(svc as Service), endpoint: { virtualIPs: [{ networkId: 'n1', addr: '10.1.0.2/29' }], ports: [] } }, expectedVersion: 1 }));
    const cursors = new Map<string, number>();
    const got: string[] = [];
    for (const id of ['t1', 't2', 't3', 't4']) {
      const r = attachTask(taskOn(id, ['n1']), book(s, cursors));
      if (!r.ok) throw new Error(r.reason);
      got.push(r.networks[0].addresses[0]);
      const t = taskOn(id, ['n1']) as Task;
      s.apply(s.appliedIndex + 1, tx({ op: 'create', kind: 'task', object: { ...t, networks: r.networks, status: { ...t.status, state: 'running' } } }));
    }
    // A /29 has .0-.7: .0 network, .1 gateway, .2 the VIP, .7 broadcast.
    expect(got).toEqual(['10.1.0.3/29', '10.1.0.4/29', '10.1.0.5/29', '10.1.0.6/29']);
    const full = attachTask(taskOn('t5', ['n1']), book(s, cursors));
    expect(full).toEqual({ ok: false, reason: 'no free address on network front (subnet 10.1.0.0/29 is full)' });
    // t1 finishes: its address is free again.
    const t1 = s.get('task', 't1') as Task;
    s.apply(s.appliedIndex + 1, tx({ op: 'update', kind: 'task', object: { ...t1, status: { ...t1.status, state: 'failed' } }, expectedVersion: t1.meta.version }));
    const again = attachTask(taskOn('t6', ['n1']), book(s, cursors));
    expect(again.ok && again.networks[0].addresses[0]).toBe('10.1.0.3/29');
  });

  test('a network the task names but that is gone is skipped; ingress keeps its DNS address', () => {
    const s = store();
    const r = attachTask(taskOn('t1', ['gone', 'ing']), book(s));
    expect(r).toEqual({ ok: true, networks: [{ networkId: 'ing', addresses: ['10.0.0.3/24'] }] });
  });

  test('ingress ports published as 0 get a port from 30000 up, kept across passes; fixed ports are kept out', () => {
    const s = store();
    const svc = s.get('service', 's1') as Service;
    const spec = { ...svc.spec, endpoint: { mode: 'vip' as const, ports: [
      { protocol: 'tcp' as const, targetPort: 80, publishedPort: 0, publishMode: 'ingress' as const },
      { protocol: 'tcp' as const, targetPort: 81, publishedPort: 0, publishMode: 'host' as const },
    ] } };
    const other = { ...svc, id: 's2', spec: { ...svc.spec, name: 'other', endpoint: { mode: 'vip' as const, ports: [{ protocol: 'tcp' as const, targetPort: 1, publishedPort: 30000, publishMode: 'ingress' as const }] } } };
    const inUse = publishedPortsInUse([other]);
    const e = planEndpoint({ ...svc, spec }, book(s), inUse);
    expect(e?.ports.map((p) => p.publishedPort)).toEqual([30001, 0]);
    const kept = planEndpoint({ ...svc, spec, endpoint: e }, book(s), publishedPortsInUse([other]));
    expect(kept).toBeUndefined();
  });
});

import { Task } from '../../../lib/api/service-types';
import { viewFor } from '../../../lib/manager/network/net-table';
import { MemoryStore } from '../../../lib/manager/store/memory-store';
import { node, task, tx } from '../store/fixtures';
import { network, serviceOn } from './fixtures';

function placed(id: string, serviceId: string, nodeId: string, networks: { networkId: string; addr: string }[], state: Task['status']['state'] = 'running'): Task {
  const t = task(id, serviceId, nodeId) as Task;
  t.spec.networks = networks.map((n) => ({ target: n.networkId, aliases: [] }));
  t.networks = networks.map((n) => ({ networkId: n.networkId, addresses: [`${n.addr}/24`] }));
  t.status = { ...t.status, state, addr: '172.17.0.9' };
  return t;
}

function cluster(): MemoryStore {
  const s = new MemoryStore();
  const withPath = (id: string, host: string, hostKey: string) => {
    const n = node(id, host);
    n.description = { ...(n.description as NonNullable<typeof n.description>), dataPath: { addr: `127.0.0.1:${id === 'a' ? 1 : 2}`, hostKey } };
    return n;
  };
  s.apply(1, tx(
    { op: 'create', kind: 'node', object: withPath('a', 'ha', 'machine-1') },
    { op: 'create', kind: 'node', object: withPath('b', 'hb', 'machine-2') },
    { op: 'create', kind: 'network', object: network('ing', 'ingress', '10.0.0.0/24', { ingress: true }) },
    { op: 'create', kind: 'network', object: network('front', 'front', '10.1.0.0/24') },
    { op: 'create', kind: 'network', object: network('back', 'back', '10.2.0.0/24') },
    { op: 'create', kind: 'service', object: serviceOn('web', 'web', ['front'], ['w']) },
    { op: 'create', kind: 'service', object: serviceOn('db', 'db', ['back']) },
  ));
  s.apply(2, tx(
    { op: 'create', kind: 'task', object: placed('w1', 'web', 'a', [{ networkId: 'front', addr: '10.1.0.3' }]) },
    { op: 'create', kind: 'task', object: placed('d1', 'db', 'b', [{ networkId: 'back', addr: '10.2.0.3' }]) },
    { op: 'create', kind: 'task', object: placed('d0', 'db', 'b', [{ networkId: 'back', addr: '10.2.0.4' }], 'failed') },
  ));
  return s;
}

describe('the network table a machine gets', () => {
  test('only the networks its tasks use (and ingress), their services and live tasks, and every node', () => {
    const view = viewFor(cluster(), 'machine-1');
    expect([...view.keys()].sort()).toEqual(['network:front', 'network:ing', 'node:a', 'node:b', 'service:web', 'task:w1']);
    expect(view.get('task:w1')).toEqual({
      kind: 'task', id: 'w1', serviceId: 'web', nodeId: 'a', name: 'svc-web.1.w1', up: true,
      addrs: [{ networkId: 'front', addr: '10.1.0.3' }], containerAddr: '172.17.0.9', served: [],
    });
    expect(view.get('service:web')).toEqual({ kind: 'service', id: 'web', name: 'web', mode: 'vip', networks: [{ networkId: 'front', aliases: ['w'] }], ingress: [], ports: [] });
  });

  test('a service publishing ingress ports is in every view, with its tasks', () => {
    const s = cluster();
    const db = s.get('service', 'db');
    if (!db) throw new Error('no db');
    const spec = { ...db.spec, endpoint: { mode: 'vip' as const, ports: [{ protocol: 'tcp' as const, targetPort: 5432, publishedPort: 15432, publishMode: 'ingress' as const }] } };
    s.apply(3, tx({ op: 'update', kind: 'service', object: { id: 'db', spec } as never, expectedVersion: db.meta.version }));
    const view = viewFor(s, 'machine-1');
    expect(view.get('service:db')).toMatchObject({ ingress: [{ protocol: 'tcp', publishedPort: 15432, targetPort: 5432 }], ports: [{ protocol: 'tcp', port: 5432 }] });
    expect(view.has('task:d1')).toBe(true);
    // The failed task is nobody's business any more.
    expect(view.has('task:d0')).toBe(false);
  });
});

import type { NetTableTask } from '../../lib/api/net-table';
import { ServedMemory } from '../../lib/network/served-memory';
import { planListeners } from '../../lib/network/listen-plan';
import { OwnTasks } from '../../lib/network/local-tasks';
import { Peers } from '../../lib/network/peers';
import { sampleTable } from './fixtures';

describe('the listeners a table calls for', () => {
  const table = sampleTable();
  const peers = new Peers(table, new OwnTasks());
  const specs = planListeners(table.current, { publishAddr: '127.0.0.5', current: () => table.current, identify: (a) => peers.identify(a) });
  const byKey = new Map(specs.map((s) => [s.key, s]));

  test('a VIP listener per network and port the service or its tasks serve; none for dnsrr', () => {
    expect([...byKey.keys()].filter((k) => k.startsWith('vip|')).sort()).toEqual([
      'vip|10.1.0.2|80/tcp',
      'vip|10.1.0.3|8080/tcp',
      'vip|10.2.0.2|8080/tcp',
    ]);
  });

  test('task addresses listen on their own ports; ingress ports on the publish address with the target port', () => {
    expect(byKey.get('task|10.1.0.11|8080/tcp')?.address).toBe('10.1.0.11');
    expect(byKey.has('task|10.2.0.20|8080/tcp')).toBe(false);
    const ingress = byKey.get('ingress|127.0.0.5|8080/tcp');
    expect(ingress).toMatchObject({ address: '127.0.0.5', port: 8080, targetPort: 80 });
    expect(ingress?.allow).toBeUndefined();
  });

  test('backends are the up tasks; a task address has only its task, while up', () => {
    expect(byKey.get('vip|10.1.0.3|8080/tcp')?.backends()).toEqual([{ taskId: 'a1', nodeId: 'n2' }]);
    expect(byKey.get('task|10.1.0.12|8080/tcp')?.backends()).toEqual([]);
  });

  test('only tasks that share the network get in; the host always; strangers never', async () => {
    const apiOnBack = byKey.get('vip|10.2.0.2|8080/tcp');
    const apiOnFront = byKey.get('vip|10.1.0.3|8080/tcp');
    await expect(apiOnBack?.allow?.('172.17.0.2')).resolves.toBe(false); // web: front only
    await expect(apiOnFront?.allow?.('172.17.0.2')).resolves.toBe(true);
    await expect(apiOnBack?.allow?.('172.17.0.3')).resolves.toBe(true); // db: back
    await expect(apiOnBack?.allow?.('127.0.0.1')).resolves.toBe(true);
    await expect(apiOnBack?.allow?.('172.17.0.66')).resolves.toBe(false);
  });
});

describe('ports a service served before', () => {
  // a1 serves 8080; a2 was started a moment ago and has not reported its ports yet.
  const plan = (table: ReturnType<typeof sampleTable>, memory: ServedMemory) => {
    memory.update(table.current);
    const peers = new Peers(table, new OwnTasks());
    return planListeners(table.current, {
      publishAddr: '127.0.0.5',
      current: () => table.current,
      identify: (a) => peers.identify(a),
      servedBefore: (id) => memory.servedBy(id),
    }).map((s) => s.key);
  };

  test('the VIP port stays open when the only task known to serve it ends, and reaches the replica that serves it', () => {
    const table = sampleTable();
    const memory = new ServedMemory();
    expect(plan(table, memory)).toContain('vip|10.1.0.3|8080/tcp');
    table.apply({ reset: false, done: true, set: [{ ...(table.current.data.tasks.get('a2') as NetTableTask), up: true }], del: [{ kind: 'task', id: 'a1' }] });
    const keys = plan(table, memory);
    expect(keys).toContain('vip|10.1.0.3|8080/tcp');
    expect(keys).toContain('task|10.1.0.12|8080/tcp');
    // Without the memory the port would be gone: nothing in the table says 8080 any more.
    expect(plan(table, new ServedMemory())).not.toContain('vip|10.1.0.3|8080/tcp');
  });

  test('a service that leaves the table is forgotten', () => {
    const table = sampleTable();
    const memory = new ServedMemory();
    plan(table, memory);
    expect(memory.servedBy('api')).toEqual([{ protocol: 'tcp', port: 8080 }]);
    table.apply({ reset: false, done: true, set: [], del: [{ kind: 'service', id: 'api' }, { kind: 'task', id: 'a1' }, { kind: 'task', id: 'a2' }] });
    plan(table, memory);
    expect(memory.servedBy('api')).toEqual([]);
  });
});

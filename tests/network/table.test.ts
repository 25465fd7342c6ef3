import type { NetTableTask } from '../../lib/api/net-table';
import { NetIndex } from '../../lib/network/table';
import { HOST, sampleEntries, sampleTable } from './fixtures';

describe('the node network table', () => {
  test('a change in one message applies at once; one spread over messages only when the last arrives', () => {
    const t = sampleTable();
    const seen: NetIndex[] = [];
    t.onChange((i) => seen.push(i));
    t.apply({ reset: false, done: true, set: [], del: [{ kind: 'task', id: 'a1' }] });
    expect(t.current.upTasks('api')).toEqual([]);
    const a2 = sampleEntries().find((e): e is NetTableTask => e.kind === 'task' && e.id === 'a2');
    if (!a2) throw new Error('fixture lacks a2');
    t.apply({ reset: false, done: false, set: [{ ...a2, up: true }], del: [] });
    expect(t.current.upTasks('api')).toEqual([]);
    t.apply({ reset: false, done: true, set: [], del: [{ kind: 'service', id: 'db' }] });
    expect(t.current.upTasks('api').map((x) => x.id)).toEqual(['a2']);
    expect(t.current.data.services.has('db')).toBe(false);
    expect(seen).toHaveLength(2);
  });

  test('a reset replaces the table whole, and not before its last message', () => {
    const t = sampleTable();
    t.apply({ reset: true, done: false, set: [{ kind: 'network', id: 'only', name: 'only', subnet: '10.9.0.0/24', internal: false, ingress: false }], del: [] });
    expect(t.current.data.networks.has('front')).toBe(true);
    t.apply({ reset: false, done: true, set: [], del: [] });
    expect([...t.current.data.networks.keys()]).toEqual(['only']);
    expect(t.ready).toBe(true);
  });

  test('names index per network, peers only for containers of this machine', () => {
    const i = sampleTable().current;
    expect(i.hostKey).toBe(HOST);
    expect(i.servicesNamed('api', 'back').map((s) => s.id)).toEqual(['api']);
    expect(i.servicesNamed('web', 'back')).toEqual([]);
    expect(i.peerTask('172.17.0.3')?.id).toBe('d1');
    expect(i.peerTask('172.17.0.4')).toBeUndefined();
    expect(i.isClusterName('app_db')).toBe(true);
  });
});

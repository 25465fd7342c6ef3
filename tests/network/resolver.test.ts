import { Peers } from '../../lib/network/peers';
import { lookupName, lookupWithSearch, TASKS_TTL_SECONDS, VIP_TTL_SECONDS } from '../../lib/network/resolver';
import { OwnTasks } from '../../lib/network/local-tasks';
import { sampleTable } from './fixtures';

describe('what a name means to the peer asking', () => {
  const table = sampleTable();
  const peers = new Peers(table, new OwnTasks());
  const ask = (peerAddr: string, name: string) => lookupName(table.current, peers.identify(peerAddr), name);

  test('a task resolves services on its networks by name and alias to the VIP on the network they share', () => {
    // web (172.17.0.2) is on front only.
    expect(ask('172.17.0.2', 'app_api')).toEqual({ kind: 'records', addresses: ['10.1.0.3'], ttlSeconds: VIP_TTL_SECONDS });
    expect(ask('172.17.0.2', 'API.')).toEqual({ kind: 'records', addresses: ['10.1.0.3'], ttlSeconds: VIP_TTL_SECONDS });
    // db's task (172.17.0.3) is on back: api's VIP there.
    expect(ask('172.17.0.3', 'api')).toEqual({ kind: 'records', addresses: ['10.2.0.2'], ttlSeconds: VIP_TTL_SECONDS });
  });

  test('tasks.NAME and dnsrr give the up tasks; a task name gives its address', () => {
    expect(ask('172.17.0.2', 'tasks.api')).toEqual({ kind: 'records', addresses: ['10.1.0.11'], ttlSeconds: TASKS_TTL_SECONDS });
    expect(ask('172.17.0.3', 'db')).toEqual({ kind: 'records', addresses: ['10.2.0.20', '10.2.0.21'], ttlSeconds: TASKS_TTL_SECONDS });
    expect(ask('172.17.0.2', 'api.1.a1')).toEqual({ kind: 'records', addresses: ['10.1.0.11'], ttlSeconds: TASKS_TTL_SECONDS });
  });

  test('a name on a network the task is not on is NXDOMAIN, not forwarded', () => {
    expect(ask('172.17.0.2', 'db')).toEqual({ kind: 'nxdomain' });
    expect(ask('172.17.0.2', 'tasks.db')).toEqual({ kind: 'nxdomain' });
    expect(ask('172.17.0.3', 'web')).toEqual({ kind: 'nxdomain' });
  });

  test('outside names are forwarded, except for a task whose networks are all internal', () => {
    expect(ask('172.17.0.2', 'example.com')).toEqual({ kind: 'forward' });
    expect(ask('172.17.0.3', 'example.com')).toEqual({ kind: 'refused' });
  });

  test('the host sees every network; a stranger sees none (and a container address of another machine is a stranger)', () => {
    expect(ask('127.0.0.1', 'db')).toEqual({ kind: 'records', addresses: ['10.2.0.20', '10.2.0.21'], ttlSeconds: TASKS_TTL_SECONDS });
    expect(ask('10.1.0.3', 'web')).toEqual({ kind: 'records', addresses: ['10.1.0.2'], ttlSeconds: VIP_TTL_SECONDS });
    expect(ask('172.17.0.4', 'db')).toEqual({ kind: 'nxdomain' });
    expect(ask('172.17.0.99', 'example.com')).toEqual({ kind: 'forward' });
  });
});

describe('peers', () => {
  test("this node's own task is known from its assignment and status, before the table has it", async () => {
    const table = sampleTable();
    const own = new OwnTasks();
    const peers = new Peers(table, own);
    own.assign([{ id: 'new1', networks: [{ networkId: 'front', addresses: ['10.1.0.50/24'] }], status: { state: 'starting' } } as never]);
    const waiting = peers.identifyWait('172.17.0.50', 2000);
    own.status('new1', { state: 'running', timestamp: '', message: '', addr: '172.17.0.50' });
    await expect(waiting).resolves.toEqual({ kind: 'task', taskId: 'new1', networks: ['front'] });
    // Stopped: the engine may give the address to another container.
    own.status('new1', { state: 'shutdown', timestamp: '', message: '' });
    expect(peers.identify('172.17.0.50')).toEqual({ kind: 'unknown' });
  });

  test('a stranger stays a stranger once the wait is over', async () => {
    const peers = new Peers(sampleTable(), new OwnTasks());
    const t0 = Date.now();
    await expect(peers.identifyWait('172.17.0.77', 100)).resolves.toEqual({ kind: 'unknown' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(90);
  });
});

describe('search domains', () => {
  const table = sampleTable();
  const peers = new Peers(table, new OwnTasks());
  test('NAME.DOMAIN means NAME when NAME is the cluster\'s, for the peer allowed to see it', () => {
    const web = peers.identify('172.17.0.2');
    expect(lookupWithSearch(table.current, web, 'api.corp.example', ['corp.example'])).toEqual({ kind: 'records', addresses: ['10.1.0.3'], ttlSeconds: VIP_TTL_SECONDS });
    expect(lookupWithSearch(table.current, web, 'db.corp.example', ['corp.example'])).toEqual({ kind: 'nxdomain' });
    expect(lookupWithSearch(table.current, web, 'www.corp.example', ['corp.example'])).toEqual({ kind: 'forward' });
    expect(lookupWithSearch(table.current, web, 'api.other.example', ['corp.example'])).toEqual({ kind: 'forward' });
  });
});

// The network table over a real dispatcher session: whole at registration,
// then only what changed, and only what the node's machine needs.

import type { NetEntry, NetUpdate } from '../../lib/api/net-table';
import type { Network } from '../../lib/api/network-types';
import { defaultServiceSpec } from '../../lib/api/service-defaults';
import type { Service, Task } from '../../lib/api/service-types';
import type { Manager } from '../../lib/manager/manager';
import type { Draft } from '../../lib/manager/store/transaction';
import { NetTable } from '../../lib/network/table';
import { description, TestSwarm, until } from './harness';

let swarm: TestSwarm;
beforeAll(async () => {
  swarm = await TestSwarm.start(1, 150);
});
afterAll(() => swarm.close());

const net = (id: string, name: string, subnet: string): Draft<Network> => ({
  id,
  spec: { name, labels: {}, driver: 'overlay', attachable: false, internal: false, ingress: false },
  subnet,
});

function service(id: string, name: string, networks: string[]): Draft<Service> {
  const spec = defaultServiceSpec(name, 'busybox');
  spec.task.networks = networks.map((target) => ({ target, aliases: [] }));
  return { id, spec };
}

function task(id: string, serviceId: string, nodeId: string, networkId: string, addr: string): Draft<Task> {
  const spec = defaultServiceSpec('x', 'busybox').task;
  spec.networks = [{ target: networkId, aliases: [] }];
  return {
    id,
    serviceId,
    serviceName: serviceId,
    slot: 1,
    nodeId,
    spec,
    ports: [],
    specVersion: 1,
    desiredState: 'running',
    networks: [{ networkId, addresses: [`${addr}/24`] }],
    status: { state: 'running', timestamp: '2026-01-01T00:00:00Z', message: 'started', addr: '172.17.0.5' },
  };
}

describe('the network table over the dispatcher', () => {
  it('a node gets its machine view whole, then changes only, and loses what it no longer needs', async () => {
    const leader = await swarm.leader();
    const m: Manager = leader.manager;
    const w = await swarm.worker('w-net');
    const updates: NetUpdate[] = [];
    const table = new NetTable('k-w');
    const agent = swarm.agent(w, 'w-net', {
      describe: async () => ({ ...description('w-net'), dataPath: { addr: '127.0.0.1:1', hostKey: 'k-w' } }),
    });
    agent.on('message', (msg) => {
      if (msg.type !== 'netUpdate') return;
      updates.push(msg);
      table.apply(msg);
    });
    await agent.waitRegistered(5000);
    await until(() => updates.length > 0, 'the first table');
    expect(updates[0].reset).toBe(true);
    expect(table.current.data.services.size).toBe(0);

    // A network with a service whose task runs on this node: all three arrive, as changes.
    await m.write([
      { op: 'create', kind: 'network', object: net('n1', 'front', '10.31.1.0/24') },
      { op: 'create', kind: 'network', object: net('n2', 'elsewhere', '10.31.2.0/24') },
      { op: 'create', kind: 'service', object: service('s1', 'api', ['n1']) },
      { op: 'create', kind: 'service', object: service('s2', 'other', ['n2']) },
    ]);
    await m.write([{ op: 'create', kind: 'task', object: task('t1', 's1', w.nodeId, 'n1', '10.31.1.5') }]);
    await until(() => table.current.data.tasks.has('t1'), 'the task in the table');
    const sinceReset = updates.slice(1);
    expect(sinceReset.every((u) => !u.reset)).toBe(true);
    expect([...table.current.data.services.keys()]).toEqual(['s1']);
    expect(table.current.data.networks.has('n2')).toBe(false);
    expect(table.current.servicesNamed('api', 'n1').map((s) => s.id)).toEqual(['s1']);
    // Changes only: no message re-sent the service once it was there.
    const mentions = (id: string) => updates.flatMap((u) => u.set).filter((e: NetEntry) => e.id === id).length;
    expect(mentions('s1')).toBe(1);

    // The task goes: so do the network and its service, as deletions.
    await m.write([{ op: 'delete', kind: 'task', id: 't1' }]);
    await until(() => !table.current.data.tasks.has('t1') && !table.current.data.services.has('s1'), 'the entries gone');
    expect(table.current.data.networks.has('n1')).toBe(false);
    expect(updates[updates.length - 1].del.map((r) => `${r.kind}:${r.id}`).sort()).toEqual(['network:n1', 'service:s1', 'task:t1']);
    await agent.stop();
  });
});


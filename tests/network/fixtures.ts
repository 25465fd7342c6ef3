import type { NetEntry, NetTableService, NetTableTask } from '../../lib/api/net-table';
import { NetTable } from '../../lib/network/table';

export const HOST = 'machine-1';

/** A table of two networks (front, back internal) and three services, as a node receives it. */
export function sampleEntries(): NetEntry[] {
  const svc = (id: string, name: string, networks: NetTableService['networks'], over: Partial<NetTableService> = {}): NetTableService => ({
    kind: 'service', id, name, mode: 'vip', networks, ingress: [], ports: [], ...over,
  });
  const task = (id: string, serviceId: string, nodeId: string, addrs: NetTableTask['addrs'], over: Partial<NetTableTask> = {}): NetTableTask => ({
    kind: 'task', id, serviceId, nodeId, name: `${serviceId}.1.${id}`, up: true, addrs, served: [], ...over,
  });
  return [
    { kind: 'network', id: 'ing', name: 'ingress', subnet: '10.0.0.0/24', internal: false, ingress: true },
    { kind: 'network', id: 'front', name: 'app_front', subnet: '10.1.0.0/24', internal: false, ingress: false },
    { kind: 'network', id: 'back', name: 'app_back', subnet: '10.2.0.0/24', internal: true, ingress: false },
    { kind: 'node', id: 'n1', addr: '127.0.0.1:4001', hostKey: HOST },
    { kind: 'node', id: 'n2', addr: '127.0.0.2:4002', hostKey: 'machine-2' },
    svc('web', 'app_web', [{ networkId: 'front', vip: '10.1.0.2', aliases: ['web'] }], { ingress: [{ protocol: 'tcp', publishedPort: 8080, targetPort: 80 }], ports: [{ protocol: 'tcp', port: 80 }] }),
    svc('api', 'app_api', [{ networkId: 'front', vip: '10.1.0.3', aliases: ['api'] }, { networkId: 'back', vip: '10.2.0.2', aliases: ['api'] }]),
    svc('db', 'app_db', [{ networkId: 'back', aliases: ['db'] }], { mode: 'dnsrr' }),
    task('w1', 'web', 'n1', [{ networkId: 'front', addr: '10.1.0.10' }], { containerAddr: '172.17.0.2' }),
    task('a1', 'api', 'n2', [{ networkId: 'front', addr: '10.1.0.11' }, { networkId: 'back', addr: '10.2.0.11' }], { served: [{ protocol: 'tcp', port: 8080 }] }),
    task('a2', 'api', 'n2', [{ networkId: 'front', addr: '10.1.0.12' }, { networkId: 'back', addr: '10.2.0.12' }], { up: false }),
    task('d1', 'db', 'n1', [{ networkId: 'back', addr: '10.2.0.20' }], { containerAddr: '172.17.0.3' }),
    // A container address of another machine: the same number means nothing here.
    task('d2', 'db', 'n2', [{ networkId: 'back', addr: '10.2.0.21' }], { containerAddr: '172.17.0.4' }),
  ];
}

export function sampleTable(): NetTable {
  const t = new NetTable(HOST);
  t.apply({ reset: true, done: true, set: sampleEntries(), del: [] });
  return t;
}

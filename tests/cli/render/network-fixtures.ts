import type { NetworkView } from '../../../lib/api/network-api';
import type { Network, NetworkSpec } from '../../../lib/api/network-types';

/** A stored overlay network: plain unless `spec` says otherwise. */
export function network(id: string, name: string, subnet: string, spec: Partial<NetworkSpec> = {}, createdAt = '2024-05-01T10:00:00.123456789Z'): Network {
  return {
    id,
    meta: { version: 3, createdAt, updatedAt: createdAt },
    spec: { name, labels: {}, driver: 'overlay', attachable: false, internal: false, ingress: false, ...spec },
    subnet,
  };
}

export const INGRESS = network('i1ngress0000000000000000a', 'ingress', '100.64.0.0/20', { ingress: true }, '2024-05-01T09:00:00Z');
export const BACK = network('b4ck0000000000000000000zz', 'app_back', '100.64.16.0/20', {
  labels: { 'com.docker.stack.namespace': 'app', tier: 'db' },
  internal: true,
});
export const FRONT = network('f1r0nt00000000000000000zz', 'front', '10.10.0.0/24', { attachable: true });

export function view(n: Network, services: NetworkView['services'] = []): NetworkView {
  return { stale: false, network: n, services };
}

import { Network, NetworkSpec } from '../../../lib/api/network-types';
import { Service } from '../../../lib/api/types';
import { Draft } from '../../../lib/manager/store/transaction';
import { service } from '../store/fixtures';

export function network(id: string, name: string, subnet: string, over: Partial<NetworkSpec> = {}): Draft<Network> {
  return { id, spec: { name, labels: {}, driver: 'overlay', attachable: false, internal: false, ingress: false, ...over }, subnet };
}

/** A service attached to these networks (by id), endpoint mode vip. */
export function serviceOn(id: string, name: string, networkIds: string[], aliases: string[] = []): Draft<Service> {
  const s = service(id, name);
  s.spec.task.networks = networkIds.map((target) => ({ target, aliases: [...aliases] }));
  return s;
}

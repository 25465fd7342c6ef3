// A service's networks as the user named them (name, id or id prefix) turned
// into network ids, with the rules docker applies: the ingress network is
// the mesh's own, a network is named once, and an internal network publishes
// nothing.

import { NetworkAttachmentConfig, NetworkSpec } from '../../api/network-types';
import { ServiceSpec } from '../../api/service-types';
import { ManagerError } from '../errors';
import { DeepReadonly } from '../store';

/** A network as far as a service's attachment cares: stored, or about to be created in the same transaction. */
export interface NetworkRef {
  readonly id: string;
  readonly spec: DeepReadonly<NetworkSpec>;
}

/** Finds a network by what the user typed; throws a ManagerError when there is none or it is ambiguous. */
export type NetworkLookup = (ref: string) => NetworkRef;

export function resolveServiceNetworks(spec: ServiceSpec, lookup: NetworkLookup): ServiceSpec {
  const given = spec.task.networks ?? [];
  if (given.length === 0) return spec;
  const seen = new Set<string>();
  const attached: NetworkRef[] = [];
  const networks: NetworkAttachmentConfig[] = given.map((a) => {
    const n = lookup(a.target);
    if (n.spec.ingress) {
      throw new ManagerError('Invalid', `service ${spec.name}: a service cannot be attached to the ingress network (${n.spec.name}); publish a port instead`);
    }
    if (seen.has(n.id)) throw new ManagerError('Invalid', `service ${spec.name}: network ${n.spec.name} is named twice`);
    seen.add(n.id);
    attached.push(n);
    return { target: n.id, aliases: [...a.aliases] };
  });
  const publishes = spec.endpoint.ports.length > 0;
  if (publishes && attached.every((n) => n.spec.internal)) {
    const names = attached.map((n) => n.spec.name).join(', ');
    throw new ManagerError('Invalid', `service ${spec.name} publishes ports, but its network${attached.length > 1 ? 's are' : ' is'} internal (${names}): an internal network publishes nothing`);
  }
  return { ...spec, task: { ...spec.task, networks } };
}

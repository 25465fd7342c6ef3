// What the store itself guarantees about networks, checked when an entry is
// applied so every manager decides alike: two networks never share addresses
// (two managers creating networks at once may pick the same free subnet; the
// second entry is refused and its creator picks again), and a network keeps
// its subnet for life (its VIPs and task addresses were carved from it);
// services name only networks that exist, and a network in use stays.

import { Network, Service } from '../../api/types';
import { cidrsOverlap, parseCidr } from '../../util/ipv4';
import { DeepReadonly } from './deep-freeze';

/** Why the network cannot be written next to the others, or undefined when it can. */
export function networkConflict(
  next: DeepReadonly<Network>,
  old: DeepReadonly<Network> | undefined,
  others: Iterable<DeepReadonly<Network>>,
): string | undefined {
  if (old && old.subnet !== next.subnet) return `network ${next.spec.name}'s subnet cannot change (it is ${old.subnet})`;
  let mine;
  try {
    mine = parseCidr(next.subnet);
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  for (const o of others) {
    if (o.id === next.id) continue;
    if (cidrsOverlap(mine, parseCidr(o.subnet))) {
      return `subnet ${next.subnet} of network ${next.spec.name} overlaps ${o.subnet} of network ${o.spec.name}`;
    }
  }
  return undefined;
}

/** A service may only name networks that exist (a concurrent `network rm` loses, not the service). */
export function missingNetwork(service: DeepReadonly<Service>, exists: (networkId: string) => boolean): string | undefined {
  for (const a of service.spec.task.networks ?? []) {
    if (!exists(a.target)) return `service ${service.spec.name} is attached to network ${a.target}, which does not exist`;
  }
  return undefined;
}

/** A network may only go once no service names it. */
export function networkInUse(network: DeepReadonly<Network>, services: Iterable<DeepReadonly<Service>>): string | undefined {
  const users: string[] = [];
  for (const s of services) if (s.spec.task.networks?.some((a) => a.target === network.id)) users.push(s.spec.name);
  if (users.length === 0) return undefined;
  users.sort();
  return `network ${network.spec.name} is in use by service${users.length > 1 ? 's' : ''} ${users.join(', ')}`;
}

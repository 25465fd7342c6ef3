// What a name means for the peer asking, from the node's table: the rules of
// docker's embedded DNS. A task sees the services on its networks by name and
// alias (the VIP there, or for dnsrr the addresses of the up tasks),
// `tasks.NAME` (those addresses), and task names; the host sees every network.
// A cluster name the peer may not see is NXDOMAIN, never forwarded; other
// names go to the host's resolvers, except for tasks whose networks are all
// internal.

import type { DnsLookupResult } from './dns/types';
import type { Peer } from './peers';
import type { NetIndex } from './table';

/** VIPs are stable for a service's life; task addresses change with every task. */
export const VIP_TTL_SECONDS = 10;
export const TASKS_TTL_SECONDS = 0;

const TASKS_PREFIX = 'tasks.';

/**
 * As lookupName, but a cluster name with one of the host's search domains
 * appended (what a container's resolver asks for a bare NAME first, and all
 * that busybox's nslookup asks) means the cluster name.
 */
export function lookupWithSearch(index: NetIndex, peer: Peer, rawName: string, searchDomains: readonly string[]): DnsLookupResult {
  const r = lookupName(index, peer, rawName);
  if (r.kind !== 'forward' && r.kind !== 'refused') return r;
  const name = rawName.toLowerCase().replace(/\.$/, '');
  for (const d of searchDomains) {
    if (!name.endsWith(`.${d}`)) continue;
    const bare = lookupName(index, peer, name.slice(0, -(d.length + 1)));
    if (bare.kind === 'records' || bare.kind === 'nxdomain') return bare;
  }
  return r;
}

export function lookupName(index: NetIndex, peer: Peer, rawName: string): DnsLookupResult {
  const name = rawName.toLowerCase().replace(/\.$/, '');
  const wantsTasks = name.startsWith(TASKS_PREFIX);
  const base = wantsTasks ? name.slice(TASKS_PREFIX.length) : name;
  const networks = peerNetworks(index, peer);
  for (const net of networks) {
    const service = index.servicesNamed(base, net)[0];
    if (service) {
      if (!wantsTasks && service.mode === 'vip') {
        const vip = service.networks.find((a) => a.networkId === net)?.vip;
        return { kind: 'records', addresses: vip ? [vip] : [], ttlSeconds: VIP_TTL_SECONDS };
      }
      return { kind: 'records', addresses: taskAddrs(index, service.id, net), ttlSeconds: TASKS_TTL_SECONDS };
    }
  }
  if (!wantsTasks) {
    const t = index.taskNamed(name);
    const shared = t?.addrs.find((a) => networks.includes(a.networkId));
    if (shared) return { kind: 'records', addresses: [shared.addr], ttlSeconds: TASKS_TTL_SECONDS };
  }
  if (index.isClusterName(base)) return { kind: 'nxdomain' };
  if (peer.kind === 'task' && peer.networks.length > 0 && peer.networks.every((n) => index.data.networks.get(n)?.internal === true)) {
    return { kind: 'refused' };
  }
  return { kind: 'forward' };
}

function peerNetworks(index: NetIndex, peer: Peer): readonly string[] {
  if (peer.kind === 'task') return peer.networks;
  if (peer.kind === 'host') return [...index.data.networks.keys()];
  return [];
}

function taskAddrs(index: NetIndex, serviceId: string, networkId: string): string[] {
  const out: string[] = [];
  for (const t of index.upTasks(serviceId)) {
    const a = t.addrs.find((x) => x.networkId === networkId);
    if (a) out.push(a.addr);
  }
  return out;
}

// The networking flags of `swarm init` and `swarm join`: the address pool
// networks get their subnets from (docker's --default-addr-pool and
// --default-addr-pool-mask-length) and the address this node opens
// routing-mesh ports on (--publish-addr). Checked here, before a daemon is
// started, so a bad value is one line and nothing else happens.

import { DEFAULT_ADDRESS_POOL, type AddressPoolSpec } from '../api/network-types';
import { cidrsOverlap, parseCidr, parseIpv4 } from '../util/ipv4';
import { flagError } from './service-flags/errors';

/**
 * The largest prefix a pool's subnets may have: each subnet holds its gateway
 * and, for the ingress network, the cluster's DNS address, besides the
 * virtual IPs and tasks, so /29 (8 addresses) is the least that is useful.
 */
export const MAX_SUBNET_SIZE = 29;

/** --default-addr-pool (repeatable; none given: the default pool) and --default-addr-pool-mask-length. */
export function parseAddressPool(pools: readonly string[], maskLength: string | undefined): AddressPoolSpec {
  const texts = pools.length > 0 ? pools : DEFAULT_ADDRESS_POOL.pools;
  const cidrs = texts.map((p) => {
    try {
      return { text: p, cidr: parseCidr(p) };
    } catch (e) {
      throw flagError('default-addr-pool', p, (e as Error).message);
    }
  });
  cidrs.forEach((a, i) => {
    const b = cidrs.slice(0, i).find((o) => cidrsOverlap(o.cidr, a.cidr));
    if (b) throw flagError('default-addr-pool', a.text, `it overlaps the pool ${b.text}`);
  });
  let subnetSize = DEFAULT_ADDRESS_POOL.subnetSize;
  if (maskLength !== undefined) {
    if (!/^\d{1,2}$/.test(maskLength)) throw flagError('default-addr-pool-mask-length', maskLength, 'must be a prefix length such as 24');
    subnetSize = Number(maskLength);
  }
  const flag = maskLength !== undefined ? 'default-addr-pool-mask-length' : 'default-addr-pool';
  if (subnetSize < 1 || subnetSize > MAX_SUBNET_SIZE) {
    throw flagError(flag, String(maskLength ?? subnetSize), `the mask length must be from 1 to ${MAX_SUBNET_SIZE} (a subnet needs room for its gateway, the DNS address, virtual IPs and tasks)`);
  }
  for (const { text, cidr } of cidrs) {
    if (cidr.bits > subnetSize) {
      const value = maskLength ?? text;
      throw flagError(flag, value, `the pool ${text} is smaller than one /${subnetSize} subnet (use a mask length of at least ${cidr.bits}, or a larger pool)`);
    }
  }
  return { pools: cidrs.map((c) => c.text), subnetSize };
}

/** --publish-addr: an IPv4 address of this machine (0.0.0.0: all of them). */
export function parsePublishAddr(value: string): string {
  if (parseIpv4(value) === undefined) {
    throw flagError('publish-addr', value, 'must be an IPv4 address, such as 0.0.0.0 (every address of this machine) or 127.0.0.2');
  }
  return value;
}

// Subnets for networks created without --subnet: the first block of the
// pool's size that overlaps no existing network, as docker's default address
// pools hand them out. Pure, so two managers given the same state pick the
// same block (and the store refuses the second writer of an overlap anyway).

import { AddressPoolSpec, DEFAULT_ADDRESS_POOL } from '../../api/network-types';
import { Cidr, cidrsOverlap, cidrSize, formatCidr, parseCidr } from '../../util/ipv4';

/** Checks a pool spec: valid CIDRs, each at least one subnet big. */
export function checkAddressPool(pool: AddressPoolSpec): void {
  if (pool.pools.length === 0) throw new Error('the address pool needs at least one CIDR');
  if (!Number.isInteger(pool.subnetSize) || pool.subnetSize < 1 || pool.subnetSize > 29) {
    throw new Error(`invalid subnet size /${pool.subnetSize}: use a prefix length from 1 to 29`);
  }
  for (const p of pool.pools) {
    const c = parseCidr(p);
    if (c.bits > pool.subnetSize) throw new Error(`address pool ${p} is smaller than one /${pool.subnetSize} subnet`);
  }
}

export function freeSubnet(pool: Readonly<{ pools: readonly string[]; subnetSize: number }> | undefined, taken: readonly string[]): string | undefined {
  const p = pool ?? DEFAULT_ADDRESS_POOL;
  const used: Cidr[] = taken.map(parseCidr).sort((a, b) => a.base - b.base);
  const step = 2 ** (32 - p.subnetSize);
  for (const text of p.pools) {
    const block = parseCidr(text);
    const end = block.base + cidrSize(block);
    for (let base = block.base; base < end; base += step) {
      const candidate = { base, bits: p.subnetSize };
      const clash = used.find((u) => cidrsOverlap(u, candidate));
      // Jump past the block in the way instead of walking it a subnet at a time.
      if (clash) {
        const past = clash.base + cidrSize(clash);
        base = Math.max(base, Math.ceil(past / step) * step - step);
        continue;
      }
      return formatCidr(candidate);
    }
  }
  return undefined;
}

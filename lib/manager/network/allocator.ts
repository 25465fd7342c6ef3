// The leader's address allocation, as pure functions over the store's
// objects: a VIP per (service, network) for endpoint mode vip, an address per
// (task, network) when the task is scheduled, and a port from the dynamic
// range for an ingress port published as 0. What is in use is derived from
// the store on every pass (VIPs of existing services, addresses of tasks that
// are not terminal), so nothing is ever freed by hand: a removed service or a
// finished task simply stops counting.

import { DYNAMIC_PORT_RANGE, Network, NetworkAttachment, ServiceEndpoint } from '../../api/network-types';
import { isTerminal, PortConfig, Service, Task } from '../../api/service-types';
import { addressAt, Cidr, cidrSize, formatIpv4, parseCidr, parseIpv4 } from '../../util/ipv4';
import { canonicalJson } from '../store/canonical-json';
import { DeepReadonly } from '../store';

interface Pool {
  network: DeepReadonly<Network>;
  cidr: Cidr;
  used: Set<number>;
}

/** Addresses in use per network, and where each network's next search starts (so a freed address is not reused at once). */
export class AddressBook {
  private readonly pools = new Map<string, Pool>();

  constructor(
    networks: Iterable<DeepReadonly<Network>>,
    services: Iterable<DeepReadonly<Service>>,
    tasks: Iterable<DeepReadonly<Task>>,
    private readonly cursors: Map<string, number> = new Map(),
  ) {
    for (const n of networks) {
      const cidr = parseCidr(n.subnet);
      const size = cidrSize(cidr);
      // The network and broadcast addresses, the gateway; on ingress the DNS address too.
      const used = new Set<number>([cidr.base, cidr.base + size - 1, cidr.base + 1]);
      if (n.spec.ingress) used.add(cidr.base + 2);
      this.pools.set(n.id, { network: n, cidr, used });
    }
    for (const s of services) for (const v of s.endpoint?.virtualIPs ?? []) this.mark(v.networkId, v.addr);
    for (const t of tasks) {
      if (isTerminal(t.status.state)) continue;
      for (const a of t.networks ?? []) for (const addr of a.addresses) this.mark(a.networkId, addr);
    }
  }

  has(networkId: string): boolean {
    return this.pools.has(networkId);
  }

  network(networkId: string): DeepReadonly<Network> | undefined {
    return this.pools.get(networkId)?.network;
  }

  private mark(networkId: string, addrWithPrefix: string): void {
    const n = parseIpv4(addrWithPrefix.split('/')[0]);
    if (n !== undefined) this.pools.get(networkId)?.used.add(n);
  }

  /** Whether the address lies in the network's subnet (a VIP kept across passes must). */
  inSubnet(networkId: string, addrWithPrefix: string): boolean {
    const pool = this.pools.get(networkId);
    const n = parseIpv4(addrWithPrefix.split('/')[0]);
    return pool !== undefined && n !== undefined && n >= pool.cidr.base && n < pool.cidr.base + cidrSize(pool.cidr);
  }

  /** A free address of the network as "a.b.c.d/bits", or undefined when the subnet is full. */
  take(networkId: string): string | undefined {
    const pool = this.pools.get(networkId);
    if (!pool) return undefined;
    const size = cidrSize(pool.cidr);
    const start = this.cursors.get(networkId) ?? 0;
    for (let k = 0; k < size; k++) {
      const i = (start + k) % size;
      const addr = addressAt(pool.cidr, i);
      if (pool.used.has(addr)) continue;
      pool.used.add(addr);
      this.cursors.set(networkId, (i + 1) % size);
      return `${formatIpv4(addr)}/${pool.cidr.bits}`;
    }
    return undefined;
  }
}

/** Published ports held by services (allocated, or fixed in their specs): "8080/tcp". */
export function publishedPortsInUse(services: Iterable<DeepReadonly<Service>>): Set<string> {
  const inUse = new Set<string>();
  for (const s of services) {
    for (const p of s.endpoint?.ports ?? []) if (p.publishedPort > 0) inUse.add(`${p.publishedPort}/${p.protocol}`);
    for (const p of s.spec.endpoint.ports) if (p.publishedPort > 0) inUse.add(`${p.publishedPort}/${p.protocol}`);
  }
  return inUse;
}

/**
 * What the service's endpoint should be: its VIPs (kept for networks it stays
 * on, new ones taken from the book) and its ports (an ingress port published
 * as 0 keeps the port it was given). Undefined when nothing changes. A VIP
 * that cannot be had (subnet full) is left out; the next pass tries again.
 */
export function planEndpoint(service: DeepReadonly<Service>, book: AddressBook, portsInUse: Set<string>): ServiceEndpoint | undefined {
  const current = service.endpoint;
  const virtualIPs: ServiceEndpoint['virtualIPs'] = [];
  if (service.spec.endpoint.mode === 'vip') {
    for (const a of service.spec.task.networks ?? []) {
      if (!book.has(a.target)) continue;
      const kept = current?.virtualIPs.find((v) => v.networkId === a.target && book.inSubnet(a.target, v.addr));
      const addr = kept?.addr ?? book.take(a.target);
      if (addr !== undefined) virtualIPs.push({ networkId: a.target, addr });
    }
  }
  const reusable = [...(current?.ports ?? [])];
  const ports: PortConfig[] = service.spec.endpoint.ports.map((p) => {
    if (p.publishMode !== 'ingress' || p.publishedPort !== 0) return { ...p };
    const i = reusable.findIndex((q) => q.publishMode === 'ingress' && q.targetPort === p.targetPort && q.protocol === p.protocol && q.publishedPort > 0);
    if (i >= 0) return { ...p, publishedPort: reusable.splice(i, 1)[0].publishedPort };
    for (let port = DYNAMIC_PORT_RANGE.start; port <= DYNAMIC_PORT_RANGE.end; port++) {
      const key = `${port}/${p.protocol}`;
      if (portsInUse.has(key)) continue;
      portsInUse.add(key);
      return { ...p, publishedPort: port };
    }
    return { ...p };
  });
  const next: ServiceEndpoint = { virtualIPs, ports };
  return current !== undefined && canonicalJson(current) === canonicalJson(next) ? undefined : next;
}

/** Addresses for a task being scheduled, one per network it joins; or the network whose subnet is full. */
export function attachTask(task: DeepReadonly<Task>, book: AddressBook): { ok: true; networks: NetworkAttachment[] } | { ok: false; reason: string } {
  const networks: NetworkAttachment[] = [];
  for (const a of task.spec.networks ?? []) {
    // A network removed since the task was made (its service left it): nothing to join.
    if (!book.has(a.target)) continue;
    const addr = book.take(a.target);
    if (addr === undefined) {
      const n = book.network(a.target);
      return { ok: false, reason: `no free address on network ${n?.spec.name ?? a.target} (subnet ${n?.subnet ?? '?'} is full)` };
    }
    networks.push({ networkId: a.target, addresses: [addr] });
  }
  return { ok: true, networks };
}

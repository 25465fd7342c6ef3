// What `swarm network …` does on a manager: create (with a subnet from the
// cluster's pool unless one is given), list, inspect and remove networks.
// The store refuses overlapping subnets and removing a network a service
// uses, on every manager alike; these checks say why first, in words.

import { newObjectId } from '../../api/ids';
import { NetworkServiceView, NetworkView } from '../../api/network-api';
import { DEFAULT_ADDRESS_POOL, INGRESS_NETWORK, Network, NetworkSpec } from '../../api/network-types';
import { isTerminal, taskName } from '../../api/service-types';
import { cidrsOverlap, parseCidr } from '../../util/ipv4';
import { ManagerError } from '../errors';
import { Manager } from '../manager';
import { DeepReadonly } from '../store';
import { Draft } from '../store/transaction';
import { freeSubnet } from './subnets';

/** docker's rule for network names. */
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const WRITE_RETRIES = 5;

export function resolveNetwork(m: Manager, ref: string): DeepReadonly<Network> {
  const r = m.store.resolve('network', ref);
  if (!r.ok) throw new ManagerError(r.error.code === 'Ambiguous' ? 'Invalid' : 'NotFound', r.error.code === 'NotFound' ? `network ${ref} not found` : r.error.message);
  return r.object;
}

export function validateNetworkSpec(spec: NetworkSpec): void {
  if (typeof spec?.name !== 'string' || !NAME.test(spec.name) || spec.name.length > 255) {
    throw new ManagerError('Invalid', `invalid network name "${spec?.name}": use letters, digits, '_', '.' and '-', starting with a letter or digit`);
  }
  if (spec.driver !== 'overlay') throw new ManagerError('Invalid', `network ${spec.name}: only the overlay driver is supported on a swarm (got ${JSON.stringify(spec.driver)})`);
  if (spec.ingress) throw new ManagerError('Invalid', `network ${spec.name}: the cluster has one ingress network, made by swarm init`);
  if (spec.subnet !== undefined) {
    let c;
    try {
      c = parseCidr(spec.subnet);
    } catch (e) {
      throw new ManagerError('Invalid', e instanceof Error ? e.message : String(e));
    }
    if (c.bits > 29) throw new ManagerError('Invalid', `subnet ${spec.subnet} is too small: a network needs at least a /29`);
  }
}

/** The network draft for `swarm init`: the routing mesh's network, first subnet of the pool. */
export function ingressDraft(pool: Readonly<{ pools: readonly string[]; subnetSize: number }> = DEFAULT_ADDRESS_POOL): Draft<Network> {
  const subnet = freeSubnet(pool, []) as string;
  return {
    id: newObjectId(),
    spec: { name: INGRESS_NETWORK, labels: {}, driver: 'overlay', attachable: false, internal: false, ingress: true },
    subnet,
  };
}

export async function createNetwork(m: Manager, spec: NetworkSpec): Promise<DeepReadonly<Network>> {
  validateNetworkSpec(spec);
  for (let attempt = 1; ; attempt++) {
    await m.syncRead();
    if (m.store.findByName('network', spec.name).length > 0) throw new ManagerError('Conflict', `network with name ${spec.name} already exists`);
    const taken = m.store.list('network').map((n) => ({ name: n.spec.name, subnet: n.subnet }));
    let subnet = spec.subnet;
    if (subnet !== undefined) {
      const mine = parseCidr(subnet);
      const clash = taken.find((t) => cidrsOverlap(mine, parseCidr(t.subnet)));
      if (clash) throw new ManagerError('Conflict', `subnet ${subnet} overlaps ${clash.subnet} of network ${clash.name}`);
    } else {
      const cluster = m.store.list('cluster')[0];
      subnet = freeSubnet(cluster?.spec.addressPool, taken.map((t) => t.subnet));
      if (subnet === undefined) {
        throw new ManagerError('Refused', "no free subnet left in the cluster's address pool: remove a network, or give one with --subnet");
      }
    }
    const id = newObjectId();
    try {
      await m.write([{ op: 'create', kind: 'network', object: { id, spec, subnet } }]);
      return m.store.get('network', id) as DeepReadonly<Network>;
    } catch (e) {
      // Another manager took the same free subnet first: pick again.
      if (spec.subnet === undefined && e instanceof ManagerError && e.code === 'Invalid' && /overlaps/.test(e.message) && attempt < WRITE_RETRIES) continue;
      throw e;
    }
  }
}

export async function removeNetwork(m: Manager, ref: string): Promise<string> {
  await m.syncRead();
  const n = resolveNetwork(m, ref);
  if (n.spec.ingress) throw new ManagerError('Refused', `network ${n.spec.name} is the routing mesh's network and cannot be removed`);
  const users = m.store.list('service').filter((s) => s.spec.task.networks?.some((a) => a.target === n.id)).map((s) => s.spec.name).sort();
  if (users.length > 0) throw new ManagerError('Refused', `network ${n.spec.name} is in use by service${users.length > 1 ? 's' : ''} ${users.join(', ')}`);
  await m.write([{ op: 'delete', kind: 'network', id: n.id, expectedVersion: n.meta.version }]);
  return n.id;
}

/** The network with its services and their tasks' addresses (`network inspect --verbose`). */
export function networkView(m: Manager, ref: string, stale: boolean): NetworkView {
  const n = resolveNetwork(m, ref);
  const nodeNames = new Map(m.store.list('node').map((x) => [x.id, x.description?.hostname ?? x.id]));
  const services: NetworkServiceView[] = [];
  for (const s of m.store.list('service')) {
    const attachment = s.spec.task.networks?.find((a) => a.target === n.id);
    if (!attachment) continue;
    const vip = s.endpoint?.virtualIPs.find((v) => v.networkId === n.id)?.addr.split('/')[0];
    const tasks = m.store
      .tasksByService(s.id)
      .filter((t) => !isTerminal(t.status.state) && t.nodeId !== undefined)
      .map((t) => {
        const addr = t.networks?.find((a) => a.networkId === n.id)?.addresses[0]?.split('/')[0];
        const view: NetworkServiceView['tasks'][number] = {
          id: t.id,
          name: taskName(t),
          nodeId: t.nodeId as string,
          nodeName: nodeNames.get(t.nodeId as string) ?? (t.nodeId as string),
          state: t.status.state,
        };
        if (addr !== undefined) view.addr = addr;
        return view;
      });
    const view: NetworkServiceView = { id: s.id, name: s.spec.name, aliases: [...attachment.aliases], tasks };
    if (vip !== undefined) view.vip = vip;
    services.push(view);
  }
  services.sort((a, b) => a.name.localeCompare(b.name));
  return { stale, network: n as Network, services };
}

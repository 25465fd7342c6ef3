// Checks a netUpdate from the manager before the node acts on it: the manager
// is authenticated, but an entry that is not what it claims (a port out of
// range, an address that is not one) would open a listener it should not.

import type { NetEntry, NetRef, NetUpdate } from './net-table';

/** Entries per message: a table larger than this spans several messages. */
export const NET_UPDATE_MAX_ENTRIES = 5_000;
const MAX_LIST = 1_024;

class Bad extends Error {}

type O = Record<string, unknown>;

function isObj(x: unknown): x is O {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function obj(x: unknown, what: string, keys: readonly string[]): O {
  if (!isObj(x)) throw new Bad(`${what} must be an object`);
  for (const k of Object.keys(x)) if (!keys.includes(k)) throw new Bad(`${what}: unexpected field ${JSON.stringify(k)}`);
  return x;
}

function str(x: unknown, what: string): string {
  if (typeof x !== 'string' || x === '' || x.length > 1024) throw new Bad(`${what} must be a non-empty string`);
  return x;
}

function bool(x: unknown, what: string): boolean {
  if (typeof x !== 'boolean') throw new Bad(`${what} must be true or false`);
  return x;
}

function list<T>(x: unknown, what: string, item: (v: unknown, w: string) => T, max = MAX_LIST): T[] {
  if (!Array.isArray(x) || x.length > max) throw new Bad(`${what} must be an array of at most ${max}`);
  return x.map((v, i) => item(v, `${what}[${i}]`));
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function isIpv4(x: string): boolean {
  const m = IPV4.exec(x);
  return m !== null && m.slice(1).every((o) => Number(o) <= 255);
}

function ip(x: unknown, what: string): string {
  if (typeof x !== 'string' || !isIpv4(x)) throw new Bad(`${what} must be an IPv4 address`);
  return x;
}

function cidr(x: unknown, what: string): string {
  const s = str(x, what);
  const [addr, bits] = s.split('/');
  if (!isIpv4(addr) || !/^\d{1,2}$/.test(bits ?? '') || Number(bits) > 32) throw new Bad(`${what} must be a CIDR`);
  return s;
}

function port(x: unknown, what: string): number {
  if (!Number.isInteger(x) || (x as number) < 1 || (x as number) > 65535) throw new Bad(`${what} must be a port 1-65535`);
  return x as number;
}

function proto(x: unknown, what: string): 'tcp' | 'udp' {
  if (x !== 'tcp' && x !== 'udp') throw new Bad(`${what} must be tcp or udp`);
  return x;
}

function served(x: unknown, what: string): { protocol: 'tcp' | 'udp'; port: number } {
  const o = obj(x, what, ['protocol', 'port']);
  return { protocol: proto(o.protocol, `${what}.protocol`), port: port(o.port, `${what}.port`) };
}

function entry(x: unknown, what: string): NetEntry {
  if (!isObj(x)) throw new Bad(`${what} must be an object`);
  switch (x.kind) {
    case 'network': {
      const o = obj(x, what, ['kind', 'id', 'name', 'subnet', 'internal', 'ingress']);
      return {
        kind: 'network',
        id: str(o.id, `${what}.id`),
        name: str(o.name, `${what}.name`),
        subnet: cidr(o.subnet, `${what}.subnet`),
        internal: bool(o.internal, `${what}.internal`),
        ingress: bool(o.ingress, `${what}.ingress`),
      };
    }
    case 'service': {
      const o = obj(x, what, ['kind', 'id', 'name', 'mode', 'networks', 'ingress', 'ports']);
      if (o.mode !== 'vip' && o.mode !== 'dnsrr') throw new Bad(`${what}.mode must be vip or dnsrr`);
      return {
        kind: 'service',
        id: str(o.id, `${what}.id`),
        name: str(o.name, `${what}.name`),
        mode: o.mode,
        networks: list(o.networks, `${what}.networks`, (v, w) => {
          const n = obj(v, w, ['networkId', 'vip', 'aliases']);
          const out: { networkId: string; vip?: string; aliases: string[] } = {
            networkId: str(n.networkId, `${w}.networkId`),
            aliases: list(n.aliases, `${w}.aliases`, str),
          };
          if (n.vip !== undefined) out.vip = ip(n.vip, `${w}.vip`);
          return out;
        }),
        ingress: list(o.ingress, `${what}.ingress`, (v, w) => {
          const p = obj(v, w, ['protocol', 'publishedPort', 'targetPort']);
          return {
            protocol: proto(p.protocol, `${w}.protocol`),
            publishedPort: port(p.publishedPort, `${w}.publishedPort`),
            targetPort: port(p.targetPort, `${w}.targetPort`),
          };
        }),
        ports: list(o.ports, `${what}.ports`, served),
      };
    }
    case 'task': {
      const o = obj(x, what, ['kind', 'id', 'serviceId', 'nodeId', 'name', 'up', 'addrs', 'containerAddr', 'served']);
      const t: NetEntry = {
        kind: 'task',
        id: str(o.id, `${what}.id`),
        serviceId: str(o.serviceId, `${what}.serviceId`),
        nodeId: str(o.nodeId, `${what}.nodeId`),
        name: str(o.name, `${what}.name`),
        up: bool(o.up, `${what}.up`),
        addrs: list(o.addrs, `${what}.addrs`, (v, w) => {
          const a = obj(v, w, ['networkId', 'addr']);
          return { networkId: str(a.networkId, `${w}.networkId`), addr: ip(a.addr, `${w}.addr`) };
        }),
        served: list(o.served, `${what}.served`, served),
      };
      if (o.containerAddr !== undefined) t.containerAddr = ip(o.containerAddr, `${what}.containerAddr`);
      return t;
    }
    case 'node': {
      const o = obj(x, what, ['kind', 'id', 'addr', 'hostKey']);
      return { kind: 'node', id: str(o.id, `${what}.id`), addr: str(o.addr, `${what}.addr`), hostKey: str(o.hostKey, `${what}.hostKey`) };
    }
    default:
      throw new Bad(`${what}.kind must be network, service, task or node`);
  }
}

function ref(x: unknown, what: string): NetRef {
  const o = obj(x, what, ['kind', 'id']);
  if (o.kind !== 'network' && o.kind !== 'service' && o.kind !== 'task' && o.kind !== 'node') throw new Bad(`${what}.kind is not an entry kind`);
  return { kind: o.kind, id: str(o.id, `${what}.id`) };
}

/** The update, or why it is malformed. */
export function parseNetUpdate(o: Record<string, unknown>): NetUpdate | string {
  try {
    return {
      reset: bool(o.reset, 'reset'),
      done: bool(o.done, 'done'),
      set: list(o.set, 'set', entry, NET_UPDATE_MAX_ENTRIES),
      del: list(o.del, 'del', ref, NET_UPDATE_MAX_ENTRIES),
    };
  } catch (e) {
    if (e instanceof Bad) return e.message;
    throw e;
  }
}

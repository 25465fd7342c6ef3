// The network table a node receives (lib/api/net-table.ts), derived from the
// store by pure functions: one entry per network, service, live task and node,
// and the part of it one machine needs (`viewFor`, the definition). The
// dispatcher does not call viewFor per change: net-view-index.ts keeps the same
// views from store events, and tests hold it to viewFor.

import type { NetEntry, NetTableNetwork, NetTableNode, NetTableService, NetTableTask } from '../../api/net-table';
import { ServedPort } from '../../api/network-types';
import { isTerminal, Service, Task, taskName } from '../../api/service-types';
import { Network, Node } from '../../api/types';
import { DeepReadonly } from '../store';
import type { MemoryStore } from '../store';

const bare = (cidrAddr: string): string => cidrAddr.split('/')[0];

export function networkEntry(n: DeepReadonly<Network>): NetTableNetwork {
  return { kind: 'network', id: n.id, name: n.spec.name, subnet: n.subnet, internal: n.spec.internal, ingress: n.spec.ingress };
}

export function serviceEntry(s: DeepReadonly<Service>): NetTableService {
  const vips = new Map((s.endpoint?.virtualIPs ?? []).map((v) => [v.networkId, bare(v.addr)]));
  const published = s.endpoint?.ports ?? s.spec.endpoint.ports;
  const targets = new Map<string, ServedPort>();
  for (const p of s.spec.endpoint.ports) targets.set(`${p.protocol}/${p.targetPort}`, { protocol: p.protocol, port: p.targetPort });
  return {
    kind: 'service',
    id: s.id,
    name: s.spec.name,
    mode: s.spec.endpoint.mode,
    networks: (s.spec.task.networks ?? []).map((a) => {
      const vip = s.spec.endpoint.mode === 'vip' ? vips.get(a.target) : undefined;
      return vip === undefined ? { networkId: a.target, aliases: [...a.aliases] } : { networkId: a.target, vip, aliases: [...a.aliases] };
    }),
    ingress: published
      .filter((p) => p.publishMode === 'ingress' && p.publishedPort > 0)
      .map((p) => ({ protocol: p.protocol, publishedPort: p.publishedPort, targetPort: p.targetPort })),
    ports: [...targets.values()],
  };
}

/** Tasks placed on a node and not finished: the ones a node may need to route to or recognize. */
export function taskEntry(t: DeepReadonly<Task>): NetTableTask | undefined {
  if (t.nodeId === undefined || isTerminal(t.status.state)) return undefined;
  const e: NetTableTask = {
    kind: 'task',
    id: t.id,
    serviceId: t.serviceId,
    nodeId: t.nodeId,
    name: taskName(t),
    up: t.status.state === 'running' && t.desiredState === 'running',
    addrs: (t.networks ?? []).flatMap((a) => (a.addresses[0] !== undefined ? [{ networkId: a.networkId, addr: bare(a.addresses[0]) }] : [])),
    served: (t.status.served ?? []).map((p) => ({ ...p })),
  };
  if (t.status.addr !== undefined) e.containerAddr = t.status.addr;
  return e;
}

export function nodeEntry(n: DeepReadonly<Node>): NetTableNode | undefined {
  const dp = n.description?.dataPath;
  return dp ? { kind: 'node', id: n.id, addr: dp.addr, hostKey: dp.hostKey } : undefined;
}

/** Nodes that share one network stack: the same reported hostKey (a node that reported none stands alone). */
export function hostKeyOf(n: DeepReadonly<Node> | undefined, nodeId: string): string {
  return n?.description?.dataPath?.hostKey ?? `node:${nodeId}`;
}

export const entryKey = (e: { kind: string; id: string }): string => `${e.kind}:${e.id}`;

/**
 * What the nodes with this hostKey need: the networks their live tasks are on
 * (and ingress), the services on those networks and every service publishing
 * ingress ports, the live tasks of those services, and every node that can
 * serve as a tunnel end.
 */
export function viewFor(store: MemoryStore, hostKey: string): Map<string, NetEntry> {
  const out = new Map<string, NetEntry>();
  const add = (e: NetEntry | undefined) => {
    if (e) out.set(entryKey(e), e);
  };
  const interest = new Set<string>();
  const nodes = store.list('node');
  for (const n of nodes) {
    add(nodeEntry(n));
    if (hostKeyOf(n, n.id) !== hostKey) continue;
    for (const t of store.tasksByNode(n.id)) {
      if (isTerminal(t.status.state)) continue;
      for (const a of t.spec.networks ?? []) interest.add(a.target);
    }
  }
  for (const n of store.list('network')) if (n.spec.ingress || interest.has(n.id)) add(networkEntry(n));
  for (const s of store.list('service')) {
    const e = serviceEntry(s);
    if (e.ingress.length === 0 && !e.networks.some((a) => interest.has(a.networkId))) continue;
    add(e);
    for (const t of store.tasksByService(s.id)) add(taskEntry(t));
  }
  return out;
}

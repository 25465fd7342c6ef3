// The listeners a node's table calls for, as specs for the proxy: per VIP and
// port and per task address and port on the networks its machine uses (only
// tasks that share the network get through), and per ingress port on the
// node's publish address (anyone gets through). Which ports: what the service
// declares and what its tasks serve or served. Backends and access are read at each
// connection from the table as it is then, not as it was when planned.

import type { ServedPort } from '../api/network-types';
import type { Peer } from './peers';
import type { Backend, ListenerSpec } from './proxy/types';
import type { NetIndex } from './table';

export interface ListenPlanContext {
  /** Where this node opens ingress ports (--publish-addr). */
  publishAddr: string;
  /** The table as it is now. */
  current(): NetIndex;
  /** Who the peer is, waiting a moment for one not known yet. */
  identify(addr: string): Peer | Promise<Peer>;
  /** Ports the service's tasks were seen serving before (lib/network/served-memory.ts); default: none. */
  servedBefore?(serviceId: string): readonly ServedPort[];
}

export const portKey = (p: ServedPort): string => `${p.port}/${p.protocol}`;

function union(...lists: readonly (readonly ServedPort[])[]): ServedPort[] {
  const out = new Map<string, ServedPort>();
  for (const l of lists) for (const p of l) out.set(portKey(p), p);
  return [...out.values()].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
}

export function planListeners(index: NetIndex, ctx: ListenPlanContext): ListenerSpec[] {
  const specs: ListenerSpec[] = [];
  const mayUse = (networkId: string) => async (addr: string): Promise<boolean> => {
    const peer = await ctx.identify(addr);
    return peer.kind === 'host' || (peer.kind === 'task' && peer.networks.includes(networkId));
  };
  const upBackends = (serviceId: string) => (): Backend[] => ctx.current().upTasks(serviceId).map((t) => ({ taskId: t.id, nodeId: t.nodeId }));

  for (const s of index.data.services.values()) {
    const tasks = index.tasksByService.get(s.id) ?? [];
    const servicePorts = union(s.ports, ctx.servedBefore?.(s.id) ?? [], ...tasks.map((t) => t.served));
    for (const a of s.networks) {
      if (a.vip === undefined || !index.data.networks.has(a.networkId)) continue;
      for (const p of servicePorts) {
        specs.push({
          key: `vip|${a.vip}|${portKey(p)}`,
          address: a.vip,
          port: p.port,
          protocol: p.protocol,
          targetPort: p.port,
          backends: upBackends(s.id),
          allow: mayUse(a.networkId),
        });
      }
    }
    // Every task of the service listens on what any of them serves: replicas run the same thing.
    for (const t of tasks) {
      for (const a of t.addrs) {
        if (!index.data.networks.has(a.networkId)) continue;
        for (const p of servicePorts) {
          specs.push({
            key: `task|${a.addr}|${portKey(p)}`,
            address: a.addr,
            port: p.port,
            protocol: p.protocol,
            targetPort: p.port,
            backends: () => {
              const now = ctx.current().data.tasks.get(t.id);
              return now?.up ? [{ taskId: now.id, nodeId: now.nodeId }] : [];
            },
            allow: mayUse(a.networkId),
          });
        }
      }
    }
    for (const p of s.ingress) {
      specs.push({
        key: `ingress|${ctx.publishAddr}|${p.publishedPort}/${p.protocol}`,
        address: ctx.publishAddr,
        port: p.publishedPort,
        protocol: p.protocol,
        targetPort: p.targetPort,
        backends: upBackends(s.id),
      });
    }
  }
  return specs;
}

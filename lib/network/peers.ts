// Who is asking: the DNS server and the listeners see only a source address.
// A container of this machine is known by its engine address (from the table,
// or at once from this node's own tasks); the host itself (an operator, a
// process-runtime task) uses one of the machine's own addresses, or a service
// address in one of our subnets, which the kernel picks as the source when a
// host process dials it. Anything else is a stranger.

import { networkInterfaces } from 'os';
import { cidrContains, parseIpv4 } from '../util/ipv4';
import type { NetIndex, NetTable } from './table';

export type Peer =
  | { kind: 'task'; taskId: string; networks: readonly string[] }
  | { kind: 'host' }
  | { kind: 'unknown' };

/** This node's own running tasks, known before the table says so: container address → task. */
export interface LocalTasks {
  byContainerAddr(addr: string): { taskId: string; networks: readonly string[] } | undefined;
  /** Called whenever a local task gets or loses its address. */
  onChange(fn: () => void): () => void;
}

const HOST_ADDRS_REFRESH_MS = 10_000;

export class Peers {
  private hostAddrs = new Set<string>();
  private hostAddrsAt = 0;

  constructor(
    private readonly table: NetTable,
    private readonly local: LocalTasks,
  ) {}

  identify(addr: string, index: NetIndex = this.table.current): Peer {
    const a = addr.startsWith('::ffff:') ? addr.slice(7) : addr;
    const own = this.local.byContainerAddr(a);
    if (own) return { kind: 'task', taskId: own.taskId, networks: own.networks };
    const t = index.peerTask(a);
    if (t) return { kind: 'task', taskId: t.id, networks: index.networksOf(t) };
    if (this.isHost(a, index)) return { kind: 'host' };
    return { kind: 'unknown' };
  }

  /**
   * As identify(), but a stranger is given up to `waitMs` to appear: a task
   * that has just started may ask before the table (or its own node) learned
   * its address.
   */
  identifyWait(addr: string, waitMs: number): Peer | Promise<Peer> {
    const now = this.identify(addr);
    if (now.kind !== 'unknown' || waitMs <= 0) return now;
    return new Promise((resolve) => {
      const done = (p: Peer) => {
        clearTimeout(timer);
        offTable();
        offLocal();
        resolve(p);
      };
      const recheck = () => {
        const p = this.identify(addr);
        if (p.kind !== 'unknown') done(p);
      };
      const timer = setTimeout(() => done(this.identify(addr)), waitMs);
      const offTable = this.table.onChange(recheck);
      const offLocal = this.local.onChange(recheck);
    });
  }

  private isHost(addr: string, index: NetIndex): boolean {
    if (addr.startsWith('127.') || addr === '::1') return true;
    if (Date.now() - this.hostAddrsAt > HOST_ADDRS_REFRESH_MS) {
      this.hostAddrs = new Set(Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address)));
      this.hostAddrsAt = Date.now();
    }
    if (this.hostAddrs.has(addr)) return true;
    const n = parseIpv4(addr);
    if (n === undefined) return false;
    return index.subnets.some((c) => cidrContains(c, n));
  }
}

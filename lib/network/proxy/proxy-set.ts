// The node's listeners, kept equal to the specs it derives from its network
// table. A spec whose key stays and whose address, port and protocol are the
// same keeps its socket and only swaps the spec object, so backends() and
// allow() are read fresh on each connection without rebinding anything.
//
// A listener that goes away (its key removed, or its address, port or protocol
// changed) stops accepting at once; its TCP connections already open are left
// to finish, as a client mid-request would expect, and counted as draining
// until they do. UDP flows end with their listener's socket. close() ends
// everything.

import { describe, Listener, ListenerDeps, ListenerStats } from './listener';
import { TcpListener } from './tcp-listener';
import type { Dialer, ListenerSpec, ProxyLogger } from './types';
import { UdpListener, UdpListenerOptions } from './udp-listener';

export interface ProxySetOptions {
  dialer: Dialer;
  logger?: ProxyLogger;
  /** Interval between bind attempts of a listener that could not bind. Default 2000 ms. */
  retryBindMs?: number;
  /** A UDP flow idle this long is closed. Default 30 s. */
  udpFlowIdleMs?: number;
  /** UDP flows per listener. Default 4096. */
  maxUdpFlows?: number;
}

export interface ProxySetStats {
  listeners: ListenerStats[];
  /** TCP connections still open on listeners that were removed. */
  draining: number;
}

interface Held {
  spec: ListenerSpec;
  listener: Listener;
}

export class ProxySet {
  private readonly held = new Map<string, Held>();
  private readonly draining = new Set<Listener>();
  private readonly deps: ListenerDeps;
  private readonly udp: UdpListenerOptions;
  private closing = false;

  constructor(o: ProxySetOptions) {
    this.deps = { dialer: o.dialer, logger: o.logger, retryBindMs: o.retryBindMs ?? 2000 };
    this.udp = { flowIdleMs: o.udpFlowIdleMs ?? 30_000, maxFlows: o.maxUdpFlows ?? 4096 };
  }

  /** Opens, keeps, reopens or closes listeners so there is one per spec (the last one for a repeated key). */
  reconcile(specs: readonly ListenerSpec[]): void {
    if (this.closing) return;
    const wanted = new Map<string, ListenerSpec>();
    for (const s of specs) wanted.set(s.key, s);
    // Removals first: a new listener may want an address a removed one releases.
    for (const [key, h] of this.held) {
      const next = wanted.get(key);
      if (next && sameSocket(h.spec, next)) continue;
      this.retire(h.listener);
      this.held.delete(key);
    }
    for (const [key, spec] of wanted) {
      const h = this.held.get(key);
      if (h) {
        h.spec = spec;
        h.listener.update(spec);
        continue;
      }
      const listener = spec.protocol === 'udp' ? new UdpListener(spec, this.deps, this.udp) : new TcpListener(spec, this.deps);
      this.held.set(key, { spec, listener });
      listener.start();
      this.deps.logger?.info?.(`proxy ${describe(spec)}: opening`);
    }
  }

  stats(): ProxySetStats {
    let draining = 0;
    for (const l of this.draining) {
      const n = l.active();
      if (n === 0) this.draining.delete(l);
      draining += n;
    }
    return { listeners: [...this.held.values()].map((h) => h.listener.stats()), draining };
  }

  /** Closes every listener and ends every connection and flow. */
  async close(): Promise<void> {
    this.closing = true;
    const all = [...[...this.held.values()].map((h) => h.listener), ...this.draining];
    this.held.clear();
    this.draining.clear();
    for (const l of all) l.destroy();
    await Promise.all(all.map((l) => l.stop()));
  }

  private retire(l: Listener): void {
    void l.stop();
    if (l.active() > 0) this.draining.add(l);
  }
}

function sameSocket(a: ListenerSpec, b: ListenerSpec): boolean {
  return a.address === b.address && a.port === b.port && a.protocol === b.protocol;
}

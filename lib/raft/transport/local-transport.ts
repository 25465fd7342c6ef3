// Many raft nodes in one process: the driver's unit tests and the in-process
// benchmark. Delivery is asynchronous (as over a socket, a send never
// re-enters the receiver), ordered per link, and links can be cut and healed.

import { isLocalMessage, Message, MessageType, NodeId, NONE } from '../core/types';
import { emptyPeerStats, isValidNodeId, PeerStats, Transport, TransportHandlers, TransportStats } from './transport';

export interface LocalNetworkOptions {
  /**
   * 'immediate' (default) delivers on setImmediate, after pending I/O like a
   * socket would; 'microtask' delivers before the current task yields, which
   * is faster but starves timers while nodes keep talking.
   */
  delivery?: 'immediate' | 'microtask';
  /** Deliver deep copies (default) so nodes never share mutable entries, as with real encoding. */
  clone?: boolean;
}

export interface LocalTransportOptions extends TransportHandlers {
  id: NodeId;
}

interface InFlight {
  from: LocalTransport;
  m: Message;
}

export class LocalNetwork {
  private readonly nodes = new Map<NodeId, LocalTransport>();
  /** Directed links that are down, as "from>to". */
  private readonly cuts = new Set<string>();
  private readonly isolated = new Set<NodeId>();
  private filter?: (m: Message) => boolean;
  private queue: InFlight[] = [];
  private scheduled = false;
  private readonly delivery: 'immediate' | 'microtask';
  private readonly clone: boolean;

  constructor(options: LocalNetworkOptions = {}) {
    this.delivery = options.delivery ?? 'immediate';
    this.clone = options.clone ?? true;
  }

  /** Creates the transport of node `id` on this network. */
  transport(options: LocalTransportOptions): LocalTransport {
    return new LocalTransport(this, options);
  }

  /** Takes down the link between a and b (both directions unless oneWay: then only a -> b). */
  cut(a: NodeId, b: NodeId, oneWay = false): void {
    this.cuts.add(`${a}>${b}`);
    if (!oneWay) this.cuts.add(`${b}>${a}`);
  }

  heal(a: NodeId, b: NodeId, oneWay = false): void {
    this.cuts.delete(`${a}>${b}`);
    if (!oneWay) this.cuts.delete(`${b}>${a}`);
  }

  /** Cuts every link of `id`, including to nodes created later. */
  isolate(id: NodeId): void {
    this.isolated.add(id);
  }

  healAll(): void {
    this.cuts.clear();
    this.isolated.clear();
  }

  /** Drops, silently, every message for which `keep` returns false (undefined removes the filter). */
  setFilter(keep?: (m: Message) => boolean): void {
    this.filter = keep;
  }

  linked(from: NodeId, to: NodeId): boolean {
    return !this.isolated.has(from) && !this.isolated.has(to) && !this.cuts.has(`${from}>${to}`);
  }

  /** @internal */
  register(t: LocalTransport): void {
    // A restarted node (same id, new transport) replaces its stopped predecessor.
    const prev = this.nodes.get(t.id);
    if (prev && prev.running) throw new Error(`local network: node ${t.id} already exists`);
    this.nodes.set(t.id, t);
  }

  /** @internal Whether `from` can reach `to` right now: both up, one knows the other, link intact. */
  reachable(from: LocalTransport, to: NodeId): boolean {
    const target = this.nodes.get(to);
    return (
      target !== undefined &&
      from.running &&
      target.running &&
      (from.knows(to) || target.knows(from.id)) &&
      this.linked(from.id, to)
    );
  }

  /** @internal Returns false when the filter ate the message. */
  post(from: LocalTransport, m: Message): boolean {
    if (this.filter && !this.filter(m)) return false;
    this.queue.push({ from, m: this.clone ? structuredClone(m) : m });
    if (!this.scheduled) {
      this.scheduled = true;
      if (this.delivery === 'microtask') queueMicrotask(() => this.drain());
      else setImmediate(() => this.drain());
    }
    return true;
  }

  private drain(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    for (const { from, m } of batch) {
      const target = this.nodes.get(m.to);
      // Checked again: a link cut or a node stopped while the message was in flight loses it.
      if (target && this.reachable(from, m.to)) {
        from.delivered(m);
        target.receive(m);
      } else {
        from.lost(m);
      }
    }
  }
}

export class LocalTransport implements Transport {
  readonly id: NodeId;
  /** @internal */
  running = false;
  private readonly peers = new Map<NodeId, PeerStats>();
  private readonly handlers: TransportHandlers;
  private droppedUnknown = 0;

  constructor(
    private readonly network: LocalNetwork,
    options: LocalTransportOptions,
  ) {
    if (!isValidNodeId(options.id)) throw new TypeError(`local transport: invalid node id ${String(options.id)}`);
    this.id = options.id;
    this.handlers = options;
    network.register(this);
  }

  async start(): Promise<void> {
    this.running = true;
  }

  async stop(): Promise<void> {
    this.running = false;
  }

  /** The url is only kept for stats: nodes are found by id. */
  addPeer(id: NodeId, url: string): void {
    if (!isValidNodeId(id) || id === this.id) throw new TypeError(`local transport: invalid peer id ${String(id)}`);
    const p = this.peers.get(id);
    if (p) p.url = url;
    else this.peers.set(id, emptyPeerStats(id, url));
  }

  removePeer(id: NodeId): void {
    this.peers.delete(id);
  }

  /** @internal */
  knows(id: NodeId): boolean {
    return this.peers.get(id)?.url !== undefined;
  }

  /**
   * Unreachable is reported at most once per peer per send() call: the
   * simulator needs determinism, so there is no clock-based rate limit here.
   */
  send(messages: Message[]): void {
    const unreachable = new Set<NodeId>();
    for (const m of messages) {
      if (isLocalMessage(m.type) || m.to === this.id || m.to === NONE) {
        this.droppedUnknown++;
        continue;
      }
      if (!this.network.reachable(this, m.to)) {
        this.lost(m);
        unreachable.add(m.to);
        continue;
      }
      if (!this.network.post(this, m)) this.counters(m.to).dropped++;
    }
    for (const id of unreachable) {
      queueMicrotask(() => this.call(() => this.handlers.onUnreachable(id)));
    }
  }

  /** @internal */
  delivered(m: Message): void {
    this.counters(m.to).sent++;
    if (m.type === MessageType.Snap) this.snapshotStatus(m.to, true);
  }

  /** @internal */
  lost(m: Message): void {
    this.counters(m.to).dropped++;
    if (m.type === MessageType.Snap) this.snapshotStatus(m.to, false);
  }

  /** @internal */
  receive(m: Message): void {
    this.counters(m.from).received++;
    this.call(() => this.handlers.onMessage(m));
  }

  stats(): TransportStats {
    const peers: Record<NodeId, PeerStats> = {};
    for (const [id, p] of this.peers) {
      const connected = this.network.reachable(this, id);
      peers[id] = { ...p, connected, sockets: connected ? 1 : 0 };
    }
    return { id: this.id, droppedUnknown: this.droppedUnknown, refused: 0, peers };
  }

  private counters(id: NodeId): PeerStats {
    let p = this.peers.get(id);
    if (!p) {
      // A peer that knows us but we do not know (yet): keep its counters anyway.
      p = emptyPeerStats(id);
      this.peers.set(id, p);
    }
    return p;
  }

  private snapshotStatus(id: NodeId, ok: boolean): void {
    const cb = this.handlers.onSnapshotStatus;
    if (cb) queueMicrotask(() => this.call(() => cb(id, ok)));
  }

  /** A throwing handler must not break delivery to the other nodes. */
  private call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      console.warn(`[local transport ${this.id}] handler threw`, err);
    }
  }
}

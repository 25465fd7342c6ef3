import { RaftError } from '../../../lib/raft/core/errors';
import { Raft } from '../../../lib/raft/core/raft';
import { Entry, Message, MessageType, NodeId, StateType } from '../../../lib/raft/core/types';
import { applyCommitted, newRaft, persist, takeMessages, TestNodeOptions } from './factory';
import { seededRandom } from './random';

/** A member slot that swallows every message sent to it: a crashed or absent node. */
export const BLACKHOLE = 'blackhole' as const;

/** Returns the message to deliver (possibly rewritten) or undefined to drop it. */
export type MessageFilter = (m: Message) => Message | undefined;

export interface NetworkOptions {
  /** Per-node options for the nodes the network creates itself. */
  node?: Omit<TestNodeOptions, 'id' | 'peers'>;
  /** Seed of the generator behind drop(): every lossy run replays. */
  seed?: number;
  /**
   * Apply committed entries after every step, as a driver would (conf
   * changes take effect then). Default true.
   */
  autoApply?: boolean;
  /** Deliveries after which send() gives up: a message storm is a bug too. */
  maxDeliveries?: number;
}

function cloneMessage(m: Message): Message {
  return { ...m, entries: m.entries.map((e) => ({ ...e })) };
}

/**
 * A deterministic, in-process cluster in the spirit of etcd's test network:
 * send() delivers messages one by one (FIFO) to the addressed node, collects
 * what it answers and goes on until nothing is left in flight. Nodes are
 * persisted (and by default applied) after every step, like a driver.
 */
export class Network {
  readonly nodes = new Map<NodeId, Raft>();
  private readonly blackholes = new Set<NodeId>();
  private readonly dropRates = new Map<string, number>();
  private readonly ignored = new Set<MessageType>();
  private readonly filters: MessageFilter[] = [];
  private readonly rand: () => number;
  private readonly autoApply: boolean;
  private readonly maxDeliveries: number;
  /** Every message handed to a live node, in delivery order. */
  readonly delivered: Message[] = [];
  /** Errors the nodes threw from step() (dropped proposals and the like). */
  readonly errors: RaftError[] = [];
  /** Per node, the entries it applied by index: what its state machine saw. */
  readonly applied = new Map<NodeId, Map<number, Entry>>();
  /**
   * Every entry some node applied, with the highest term any node had when
   * that was first seen: the entry was committed in that term or earlier.
   */
  private readonly knownCommitted = new Map<number, { entry: Entry; byTerm: number }>();

  /**
   * `peers[i]` is node i+1: a Raft built by the test, BLACKHOLE, or undefined
   * for a fresh node whose voters are all the slots.
   */
  constructor(peers: Array<Raft | typeof BLACKHOLE | undefined>, opts: NetworkOptions = {}) {
    this.rand = seededRandom(opts.seed ?? 42);
    this.autoApply = opts.autoApply ?? true;
    this.maxDeliveries = opts.maxDeliveries ?? 100_000;
    const ids = peers.map((p, i) => (p instanceof Raft ? p.id : i + 1));
    peers.forEach((p, i) => {
      const id = ids[i];
      if (p === BLACKHOLE) {
        this.blackholes.add(id);
      } else {
        const r = p ?? newRaft({ ...opts.node, id, peers: ids });
        this.nodes.set(id, r);
        this.applied.set(id, new Map());
      }
    });
  }

  /** A network of `n` fresh nodes 1..n that are all voters. */
  static ofSize(n: number, opts: NetworkOptions = {}): Network {
    return new Network(new Array<undefined>(n).fill(undefined), opts);
  }

  peer(id: NodeId): Raft {
    const r = this.nodes.get(id);
    if (!r) throw new Error(`no live node ${id} in the network`);
    return r;
  }

  /** Adds (or replaces, e.g. after a restart) a node. */
  setPeer(r: Raft): void {
    this.blackholes.delete(r.id);
    this.nodes.set(r.id, r);
    if (!this.applied.has(r.id)) this.applied.set(r.id, new Map());
  }

  // -------------------------------------------------------------- faults

  /** Drops a fraction `rate` of the messages from `from` to `to`. */
  drop(from: NodeId, to: NodeId, rate: number): void {
    this.dropRates.set(`${from}->${to}`, rate);
  }

  /** Severs the link between a and b in both directions. */
  cut(a: NodeId, b: NodeId): void {
    this.drop(a, b, 1);
    this.drop(b, a, 1);
  }

  /** Cuts `id` off from every other node. */
  isolate(id: NodeId): void {
    for (const other of this.allIds()) if (other !== id) this.cut(id, other);
  }

  /** Drops every message of this type. */
  ignore(t: MessageType): void {
    this.ignored.add(t);
  }

  /** Runs every message through `f`, which may rewrite or drop it. */
  filter(f: MessageFilter): void {
    this.filters.push(f);
  }

  /** Heals all links and removes every ignore rule and filter. */
  recover(): void {
    this.dropRates.clear();
    this.ignored.clear();
    this.filters.length = 0;
  }

  private allIds(): NodeId[] {
    return [...this.nodes.keys(), ...this.blackholes].sort((a, b) => a - b);
  }

  private pass(m: Message): Message | undefined {
    // A node talking to itself (Hup, local proposals) is never on the wire.
    if (m.from !== m.to) {
      if (this.ignored.has(m.type)) return undefined;
      const rate = this.dropRates.get(`${m.from}->${m.to}`) ?? 0;
      if (rate > 0 && this.rand() < rate) return undefined;
    }
    let out: Message | undefined = m;
    for (const f of this.filters) {
      out = f(out);
      if (!out) return undefined;
    }
    return out;
  }

  // -------------------------------------------------------------- running

  /**
   * Delivers `msgs` and everything they cause, until the network is quiet.
   * The messages given here are the test's own inputs to a node (as the
   * application's calls, or a peer's message arriving): faults apply only to
   * what the nodes send each other afterwards.
   */
  send(...msgs: Message[]): void {
    const queue = msgs.map(cloneMessage);
    let n = 0;
    while (queue.length > 0) {
      const m = queue.shift() as Message;
      const r = this.nodes.get(m.to);
      if (!r) continue;
      if (++n > this.maxDeliveries) throw new Error(`network did not go quiet after ${this.maxDeliveries} deliveries`);
      this.delivered.push(m);
      this.stepQuietly(r, m);
      for (const out of this.settle(r)) {
        const ok = this.pass(out);
        if (ok) queue.push(ok);
      }
    }
  }

  private stepQuietly(r: Raft, m: Message): void {
    try {
      r.step(m);
    } catch (e) {
      // Refusals are part of the protocol; anything else (an invariant) must fail the test.
      if (!(e instanceof RaftError)) throw e;
      this.errors.push(e);
    }
  }

  /** Persists and applies a node's new state and returns the messages it wants sent. */
  private settle(r: Raft): Message[] {
    persist(r);
    if (this.autoApply) {
      const seen = this.applied.get(r.id) as Map<number, Entry>;
      const maxTerm = Math.max(...[...this.nodes.values()].map((n) => n.term));
      for (const e of applyCommitted(r)) {
        seen.set(e.index, e);
        if (!this.knownCommitted.has(e.index)) this.knownCommitted.set(e.index, { entry: e, byTerm: maxTerm });
      }
    }
    return takeMessages(r).map(cloneMessage);
  }

  /** Ticks node `id` `n` times, delivering what each tick causes. */
  tick(id: NodeId, n = 1): void {
    const r = this.peer(id);
    for (let i = 0; i < n; i++) {
      r.tick();
      this.send(...this.settle(r));
    }
  }

  /** Ticks every live node once per round, in id order, delivering as it goes. */
  tickAll(rounds = 1): void {
    for (let i = 0; i < rounds; i++) {
      for (const id of [...this.nodes.keys()].sort((a, b) => a - b)) this.tick(id);
    }
  }

  /** Delivers whatever a node produced outside send() (a direct step or campaign in a test). */
  flush(id: NodeId): void {
    this.send(...this.settle(this.peer(id)));
  }

  // -------------------------------------------------------------- observing

  leaders(): NodeId[] {
    return [...this.nodes.values()].filter((r) => r.state === StateType.Leader).map((r) => r.id);
  }

  /** Entries committed by every live node agree index by index (the log matching property). */
  committedPrefixesAgree(): boolean {
    const rafts = [...this.nodes.values()];
    for (const a of rafts) {
      for (const b of rafts) {
        const upto = Math.min(a.raftLog.committed, b.raftLog.committed);
        const from = Math.max(a.raftLog.firstIndex(), b.raftLog.firstIndex());
        for (let i = from; i <= upto; i++) {
          if (a.raftLog.zeroTermOnErr(i) !== b.raftLog.zeroTermOnErr(i)) return false;
        }
      }
    }
    return true;
  }

  /**
   * Leader completeness: a leader of a term later than the one in which an
   * entry was committed holds that entry (unless compacted into a snapshot).
   */
  leaderCompletenessHolds(): boolean {
    for (const r of this.nodes.values()) {
      if (r.state !== StateType.Leader) continue;
      for (const [i, { entry, byTerm }] of this.knownCommitted) {
        if (r.term <= byTerm || i < r.raftLog.firstIndex()) continue;
        if (r.raftLog.zeroTermOnErr(i) !== entry.term) return false;
      }
    }
    return true;
  }

  /** No two nodes applied different entries at the same index (state machine safety). */
  appliedAgree(): boolean {
    const byIndex = new Map<number, Entry>();
    for (const seen of this.applied.values()) {
      for (const [i, e] of seen) {
        const other = byIndex.get(i);
        if (!other) byIndex.set(i, e);
        else if (other.term !== e.term || Buffer.compare(Buffer.from(other.data), Buffer.from(e.data)) !== 0) return false;
      }
    }
    return true;
  }
}

// The simulated network: per-message latency, loss, duplication and long
// delays (which reorder), plus link cuts. Cuts are directed, so a partition
// is a set of cut (from, to) pairs and a one-way link is a single pair.

import { NodeId } from '../core/types';
import { NetworkRates } from './profile';
import { Prng } from './prng';

export interface Route {
  /** The link is cut: the sender's transport sees the failure. */
  cut: boolean;
  /** One delay per copy that will arrive; empty when the message is lost. */
  delays: number[];
}

export class Network {
  private partitions = new Map<number, Set<string>>();
  private cut = new Set<string>();
  private nextPartition = 1;
  /** Per directed link, when its latest in-order message arrives. */
  private readonly lastArrival = new Map<string, number>();
  /** Off in the heal phase: no loss, duplication or long delays. */
  faulty = true;

  constructor(
    private readonly rates: NetworkRates,
    private readonly rng: Prng,
  ) {}

  get activePartitions(): number {
    return this.partitions.size;
  }

  isCut(from: NodeId, to: NodeId): boolean {
    return this.cut.has(linkKey(from, to));
  }

  /** Cuts the given directed links until removePartition(id) or healAll(). */
  addPartition(links: Array<[NodeId, NodeId]>): number {
    const id = this.nextPartition++;
    this.partitions.set(id, new Set(links.map(([a, b]) => linkKey(a, b))));
    this.rebuild();
    return id;
  }

  removePartition(id: number): boolean {
    const had = this.partitions.delete(id);
    if (had) this.rebuild();
    return had;
  }

  healAll(): void {
    this.partitions.clear();
    this.cut.clear();
  }

  /** Delays of the copies of a message sent now (`now` keeps links FIFO). */
  route(from: NodeId, to: NodeId, now: number): Route {
    if (this.isCut(from, to)) return { cut: true, delays: [] };
    const r = this.rates;
    if (this.faulty && this.rng.chance(r.drop)) return { cut: false, delays: [] };
    const delays = [this.delay(from, to, now)];
    if (this.faulty && this.rng.chance(r.duplicate)) delays.push(this.delay(from, to, now));
    return { cut: false, delays };
  }

  /**
   * A link is FIFO like a TCP stream (a message never overtakes an earlier
   * one) unless a fault says otherwise: a reordered message takes its own
   * random latency, a long-delayed one is held back while later ones pass.
   */
  private delay(from: NodeId, to: NodeId, now: number): number {
    const r = this.rates;
    if (this.faulty && this.rng.chance(r.longDelay)) return this.rng.int(r.maxLatency, r.maxLongDelay);
    const latency = this.rng.int(r.minLatency, r.maxLatency);
    if (this.faulty && this.rng.chance(r.reorder)) return latency;
    const key = linkKey(from, to);
    const at = Math.max(now + latency, this.lastArrival.get(key) ?? 0);
    this.lastArrival.set(key, at);
    return at - now;
  }

  private rebuild(): void {
    this.cut = new Set();
    for (const links of this.partitions.values()) for (const k of links) this.cut.add(k);
  }
}

function linkKey(from: NodeId, to: NodeId): string {
  return `${from}>${to}`;
}

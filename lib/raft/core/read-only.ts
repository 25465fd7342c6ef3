import { Message, NodeId } from './types';
import { ctxKey } from './util';

export interface ReadIndexStatus {
  req: Message;
  index: number;
  acks: Set<NodeId>;
  /**
   * Set for a lease round of the leader's own (nobody waits for its answer):
   * the leader's tick count when it began, from which a quorum's acks prove
   * leadership, and the lease epoch it belongs to.
   */
  lease?: LeaseRound;
}

export interface LeaseRound {
  startTick: number;
  epoch: number;
}

/**
 * Pending ReadIndex requests on the leader. A request is answered once a
 * quorum acknowledged a heartbeat carrying its context, which proves the
 * leader was still the leader when the read began (§6.4 of the thesis).
 */
export class ReadOnly {
  private pending = new Map<string, ReadIndexStatus>();
  private queue: string[] = [];

  addRequest(index: number, m: Message, lease?: LeaseRound): void {
    const key = ctxKey(m.entries[0].data);
    if (this.pending.has(key)) return;
    this.pending.set(key, { req: m, index, acks: new Set(), lease });
    this.queue.push(key);
  }

  get size(): number {
    return this.queue.length;
  }

  get(ctx: Uint8Array): ReadIndexStatus | undefined {
    return this.pending.get(ctxKey(ctx));
  }

  recvAck(id: NodeId, ctx: Uint8Array): Set<NodeId> | undefined {
    const rs = this.pending.get(ctxKey(ctx));
    if (!rs) return undefined;
    rs.acks.add(id);
    return rs.acks;
  }

  /** Releases the request with this context and every one queued before it. */
  advance(ctx: Uint8Array): ReadIndexStatus[] {
    const key = ctxKey(ctx);
    const idx = this.queue.indexOf(key);
    if (idx < 0) return [];
    const released = this.queue.splice(0, idx + 1);
    const out: ReadIndexStatus[] = [];
    for (const k of released) {
      const rs = this.pending.get(k);
      if (rs) out.push(rs);
      this.pending.delete(k);
    }
    return out;
  }

  lastPendingRequestCtx(): Uint8Array | undefined {
    if (this.queue.length === 0) return undefined;
    return this.pending.get(this.queue[this.queue.length - 1])?.req.entries[0].data;
  }
}

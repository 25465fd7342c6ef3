/**
 * The append messages a leader has in flight to one follower, as a ring of
 * (last index, bytes). Flow control: a follower in Replicate state gets no new
 * append while `full()`.
 */
export class Inflights {
  private start = 0;
  private count = 0;
  private bytes = 0;
  private readonly indexes: number[];
  private readonly sizes: number[];

  constructor(
    private readonly size: number,
    private readonly maxBytes: number,
  ) {
    this.indexes = new Array<number>(size).fill(0);
    this.sizes = new Array<number>(size).fill(0);
  }

  add(index: number, bytes: number): void {
    if (this.full()) throw new Error('raft invariant violated: cannot add into a full inflights');
    const next = (this.start + this.count) % this.size;
    this.indexes[next] = index;
    this.sizes[next] = bytes;
    this.count++;
    this.bytes += bytes;
  }

  /** Frees every message whose last index is <= `to` (acknowledged). */
  freeLE(to: number): void {
    if (this.count === 0 || to < this.indexes[this.start]) return;
    let i = 0;
    let idx = this.start;
    let freed = 0;
    for (; i < this.count; i++) {
      if (to < this.indexes[idx]) break;
      freed += this.sizes[idx];
      idx = (idx + 1) % this.size;
    }
    this.count -= i;
    this.bytes -= freed;
    this.start = this.count === 0 ? 0 : idx;
  }

  /** Frees the oldest message in flight (it may have been lost; see the heartbeat response handler). */
  freeFirstOne(): void {
    if (this.count > 0) this.freeLE(this.indexes[this.start]);
  }

  full(): boolean {
    return this.count === this.size || (this.maxBytes > 0 && this.bytes >= this.maxBytes);
  }

  inflightCount(): number {
    return this.count;
  }

  reset(): void {
    this.start = 0;
    this.count = 0;
    this.bytes = 0;
  }
}

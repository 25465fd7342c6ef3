// A per-connection FIFO of encoded messages with a hard bound on count and
// bytes. When full the newest message is refused: raft retransmits whatever
// is lost, but memory spent on a peer that cannot keep up is never returned.

export interface QueuedMessage {
  bytes: Uint8Array;
  /** A Snap message: its fate is reported through onSnapshotStatus. */
  snapshot: boolean;
}

export class SendQueue {
  private items: QueuedMessage[] = [];
  private head = 0;
  private size = 0;

  constructor(
    private readonly maxMessages: number,
    private readonly maxBytes: number,
  ) {}

  get length(): number {
    return this.items.length - this.head;
  }

  get byteLength(): number {
    return this.size;
  }

  /**
   * Returns false when the message does not fit. A message larger than the
   * byte cap is still taken when the queue is empty, so a big snapshot can
   * get through an idle link.
   */
  push(item: QueuedMessage): boolean {
    if (this.length >= this.maxMessages) return false;
    if (this.length > 0 && this.size + item.bytes.length > this.maxBytes) return false;
    this.items.push(item);
    this.size += item.bytes.length;
    return true;
  }

  /** Removes messages from the front up to about `maxBytes` (always at least one). */
  take(maxBytes: number): QueuedMessage[] {
    const out: QueuedMessage[] = [];
    let bytes = 0;
    while (this.head < this.items.length) {
      const next = this.items[this.head];
      if (out.length > 0 && bytes + next.bytes.length > maxBytes) break;
      out.push(next);
      bytes += next.bytes.length;
      this.head++;
    }
    this.size -= bytes;
    this.compact();
    return out;
  }

  /** Empties the queue and returns what was in it. */
  clear(): QueuedMessage[] {
    const out = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    this.size = 0;
    return out;
  }

  private compact(): void {
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}

// One WebSocket to one peer: its handshake state, its bounded send queue, and
// the flush loop that batches queued messages into frames while the socket's
// own buffer stays under the high-water mark.

import type { PeerCertificate } from 'tls';
import WebSocket from 'ws';
import { NodeId } from '../core/types';
import { encodeBatch } from './frames';
import { QueuedMessage, SendQueue } from './send-queue';
import { OutgoingSnapshot, SnapshotAssembly } from './snapshot-chunks';
import { PeerStats } from './transport';

export type Direction = 'inbound' | 'outbound';
export type ConnectionState = 'handshaking' | 'open' | 'closing' | 'closed';

export interface ConnectionLimits {
  maxQueueMessages: number;
  maxQueueBytes: number;
  /** A frame is filled up to about this many bytes (a single larger message still goes alone). */
  maxFrameBytes: number;
  /** Stop handing frames to the socket while it buffers this much. */
  highWaterMarkBytes: number;
  /** Largest snapshot accepted in chunks. */
  maxSnapshotBytes: number;
}

export class Connection {
  state: ConnectionState = 'handshaking';
  /** Set by any frame or pong; the ping sweep terminates sockets that stay silent a whole interval. */
  alive = true;
  everOpen = false;
  /** The transport has already accounted for this connection going away. */
  detached = false;
  /** The handshake deadline, then the deadline for a requested close to complete. */
  timer?: NodeJS.Timeout;
  remoteAddress?: string;
  certificate?: PeerCertificate;
  /** Bytes the socket has taken from us, and the count at the last liveness sweep. */
  writtenBytes = 0;
  writtenAtSweep = 0;
  /** What went wrong, for the log line when a dial fails. */
  problem?: string;
  readonly queue: SendQueue;
  readonly closed: Promise<void>;
  /** The snapshot being received in chunks on this socket (gone with it if the socket closes mid-way). */
  readonly incoming: SnapshotAssembly;
  /** The snapshot being sent in chunks, between batches. */
  private outgoing?: OutgoingSnapshot;
  private transfers = 0;
  private flushHandle?: NodeJS.Immediate;

  constructor(
    readonly ws: WebSocket,
    readonly direction: Direction,
    /** The remote raft id: expected for outbound, learned from the Hello for inbound (0 until then). */
    public peerId: NodeId,
    /** The peer's counters; this connection adds to them. */
    public counters: PeerStats,
    private readonly limits: ConnectionLimits,
    private readonly onSnapshotSent: (id: NodeId, ok: boolean) => void,
  ) {
    this.queue = new SendQueue(limits.maxQueueMessages, limits.maxQueueBytes);
    this.incoming = new SnapshotAssembly(limits.maxSnapshotBytes);
    this.closed = new Promise((resolve) => ws.once('close', () => resolve()));
  }

  /** Queues one encoded message; false when the queue is full. */
  enqueue(item: QueuedMessage): boolean {
    if (!this.queue.push(item)) return false;
    this.scheduleFlush();
    return true;
  }

  /**
   * Sends an encoded Snap message as chunks of `chunkBytes`, between batches.
   * One at a time: a newer snapshot replaces one not fully sent, which is
   * reported as failed.
   */
  enqueueSnapshot(bytes: Uint8Array, chunkBytes: number): void {
    if (this.outgoing) this.abandonSnapshot();
    this.transfers = (this.transfers + 1) >>> 0;
    this.outgoing = new OutgoingSnapshot(this.transfers, bytes, chunkBytes);
    this.scheduleFlush();
  }

  /** Takes over what another connection to the same peer had not sent yet. */
  adopt(other: Connection): void {
    for (const item of other.queue.clear()) {
      if (!this.enqueue(item)) this.dropped([item]);
    }
    // A transfer cannot move to another socket half-way: the receiver's assembly is per socket.
    other.abandonSnapshot();
  }

  /** Drops everything still queued (the connection is going away). */
  dropQueued(): void {
    this.dropped(this.queue.clear());
    this.abandonSnapshot();
    this.incoming.reset();
  }

  private abandonSnapshot(): void {
    if (!this.outgoing) return;
    this.outgoing = undefined;
    this.counters.dropped++;
    this.onSnapshotSent(this.peerId, false);
  }

  dispose(): void {
    if (this.flushHandle) clearImmediate(this.flushHandle);
    this.flushHandle = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private scheduleFlush(): void {
    // One flush per turn of the event loop batches everything the driver sent in between.
    if (this.flushHandle === undefined && this.state === 'open') {
      this.flushHandle = setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushHandle = undefined;
    while (this.state === 'open' && this.queue.length > 0 && this.ws.bufferedAmount < this.limits.highWaterMarkBytes) {
      const batch = this.queue.take(this.limits.maxFrameBytes);
      const frame = encodeBatch(batch.map((q) => q.bytes));
      try {
        this.ws.send(frame, { binary: true }, (err) => this.written(batch, frame.length, err));
      } catch (err) {
        this.written(batch, frame.length, err instanceof Error ? err : new Error(String(err)));
      }
    }
    // Batches first: a snapshot of many chunks must not hold up heartbeats.
    while (this.state === 'open' && this.outgoing && !this.outgoing.done && this.ws.bufferedAmount < this.limits.highWaterMarkBytes) {
      const out = this.outgoing;
      const { frame, last } = out.next();
      const done = (err: Error | undefined) => this.chunkWritten(out, last, frame.length, err);
      try {
        this.ws.send(frame, { binary: true }, done);
      } catch (err) {
        done(err instanceof Error ? err : new Error(String(err)));
      }
    }
  }

  private chunkWritten(out: OutgoingSnapshot, last: boolean, bytes: number, err: Error | undefined): void {
    if (this.outgoing !== out) return; // abandoned or replaced: already reported
    if (err) {
      this.abandonSnapshot();
      return;
    }
    this.writtenBytes += bytes;
    if (last) {
      this.outgoing = undefined;
      this.counters.sent++;
      this.onSnapshotSent(this.peerId, true);
    } else {
      this.scheduleFlush();
    }
  }

  /** The socket took the frame (or failed to). The callback is also the wake-up after backpressure. */
  private written(batch: QueuedMessage[], bytes: number, err: Error | undefined): void {
    if (err) {
      this.dropped(batch);
    } else {
      this.writtenBytes += bytes;
      this.counters.sent += batch.length;
      for (const q of batch) if (q.snapshot) this.onSnapshotSent(this.peerId, true);
    }
    if (this.queue.length > 0) this.scheduleFlush();
  }

  private dropped(items: QueuedMessage[]): void {
    this.counters.dropped += items.length;
    for (const q of items) if (q.snapshot) this.onSnapshotSent(this.peerId, false);
  }
}

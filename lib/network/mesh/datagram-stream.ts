// UDP datagrams over a byte stream (a mesh stream), each prefixed with its
// length in two bytes, big-endian. Used on both ends of a /mesh/udp stream.

import type { Duplex } from 'stream';
import type { DatagramChannel } from '../proxy/types';
import { MAX_DATAGRAM } from './protocol';

/**
 * Bytes a channel may have queued for the stream before it drops datagrams:
 * UDP may lose them, and an unbounded queue behind a slow stream would grow
 * the heap instead.
 */
const MAX_QUEUED_BYTES = 1024 * 1024;

export class StreamDatagramChannel implements DatagramChannel {
  private partial: Buffer | undefined;
  private handler?: (payload: Buffer) => void;
  private ended = false;
  /** Datagrams dropped: too large, or the stream's queue full. */
  dropped = 0;

  constructor(private readonly stream: Duplex) {
    stream.on('error', () => undefined);
    stream.once('close', () => (this.ended = true));
  }

  /** True once the stream is gone: nothing sent arrives any more. */
  get closed(): boolean {
    return this.ended || this.stream.destroyed;
  }

  send(payload: Buffer): void {
    if (this.closed || payload.length > MAX_DATAGRAM || this.stream.writableLength > MAX_QUEUED_BYTES) {
      this.dropped++;
      return;
    }
    const frame = Buffer.allocUnsafe(2 + payload.length);
    frame.writeUInt16BE(payload.length, 0);
    payload.copy(frame, 2);
    this.stream.write(frame);
  }

  /** Starts reading: until a handler is set the stream stays paused, so nothing is lost. */
  onMessage(fn: (payload: Buffer) => void): void {
    const first = this.handler === undefined;
    this.handler = fn;
    if (first) this.stream.on('data', (chunk: Buffer) => this.receive(chunk));
  }

  close(): void {
    this.ended = true;
    this.stream.destroy();
  }

  private receive(chunk: Buffer): void {
    let buf = this.partial ? Buffer.concat([this.partial, chunk]) : chunk;
    while (buf.length >= 2) {
      const len = buf.readUInt16BE(0);
      if (buf.length < 2 + len) break;
      this.handler?.(buf.subarray(2, 2 + len));
      buf = buf.subarray(2 + len);
    }
    this.partial = buf.length > 0 ? buf : undefined;
  }
}

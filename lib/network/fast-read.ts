// The reading side of a TCP connection to a task's container on this node,
// tuned for the bulk direction of a proxied connection (container -> client):
// reads land in a buffer the connection keeps and reuses (net's `onread`),
// grown up to 256 KiB while reads fill it, and each read is written on to the
// client's socket from there, no stream machinery in between.
//
// Why: with pipe() every read is a fresh 64 KiB buffer pushed through the
// Readable and Writable machinery. Profiled on the 2-core machine (npm run
// bench:mesh, and the same path alone), the VIP path cost about 140 ms of CPU
// per 100 MB against docker-proxy's 90 (Go's splice(2), no copy at all) and
// moved a third of its MB/s; reading up to 256 KiB at a time into a reused
// buffer halves the system calls and leaves nothing for the GC: about 75 ms
// per 100 MB.
//
// The buffer is reused only once what a read put there is gone: a write to an
// idle socket usually completes at once, all of it in the kernel; when the
// kernel took only part, the socket writes the rest from our buffer later, so
// reading stops until that write is done (which is the backpressure too). A
// destination that is not a plain idle socket gets a copy, as pipe() would.
// Memory: a connection holds its read buffer while it is open: 16 KiB, and up
// to 256 KiB once it moved bulk data (back to 16 KiB after a small read).

import { connect, NetConnectOpts, Socket } from 'net';
import type { Writable } from 'stream';
import { TLSSocket } from 'tls';

const MIN_READ = 16 * 1024;
const MAX_READ = 256 * 1024;

const readers = new WeakMap<Socket, FastReader>();

/** A TCP connection (net.connect's options) read the way above once forwardFastRead() joins it to its peer; a plain socket until then. */
export function connectFastRead(opts: NetConnectOpts): Socket {
  const reader = new FastReader();
  const socket = connect({ ...opts, onread: { buffer: () => reader.buf, callback: (n, buf) => reader.onRead(n, buf as Buffer) } });
  reader.socket = socket;
  readers.set(socket, reader);
  return socket;
}

/** Whether `s` came from connectFastRead: once forwardFastRead() joined it, its data no longer comes as 'data' events. */
export function isFastRead(s: unknown): s is Socket {
  return s instanceof Socket && readers.has(s);
}

/** Writes what `src` (from connectFastRead) reads to `dst`, and its end as dst.end(). */
export function forwardFastRead(src: Socket, dst: Writable): void {
  const reader = readers.get(src);
  if (!reader) throw new Error('forwardFastRead: not a socket from connectFastRead');
  reader.attach(dst);
}

class FastReader {
  socket!: Socket;
  /** Where the next read goes. */
  buf = Buffer.allocUnsafe(MIN_READ);
  private dst?: Writable;
  private paused = false;
  private drainWait = false;
  /** A plain TCP socket: a write from our buffer completes at once, or later from the same memory. */
  private direct = false;
  private readonly resume = (): void => {
    if (!this.paused) return;
    this.paused = false;
    if (!this.socket.destroyed) this.socket.resume();
  };

  attach(dst: Writable): void {
    this.dst = dst;
    this.direct = dst instanceof Socket && !(dst instanceof TLSSocket);
    this.socket.once('end', () => dst.end());
    // What came before, as a plain socket holds it.
    for (let b = this.socket.read() as Buffer | null; b !== null; b = this.socket.read() as Buffer | null) dst.write(b);
    // Flowing, so that the socket's EOF comes out as 'end' (data never comes as events);
    // this also restarts reading if it stopped for want of a destination.
    this.paused = false;
    this.socket.resume();
  }

  /** net's onread callback; returning false stops reading until socket.resume(). */
  onRead(n: number, buf: Buffer): boolean {
    const keepReading = this.forward(buf.subarray(0, n));
    // A new buffer for the next read leaves the old one to a write still using it, if any.
    if (n === buf.length && buf.length < MAX_READ) this.buf = Buffer.allocUnsafe(Math.min(MAX_READ, buf.length * 4));
    else if (n < MIN_READ / 4 && buf.length > MIN_READ) this.buf = Buffer.allocUnsafe(MIN_READ);
    return keepReading;
  }

  private forward(chunk: Buffer): boolean {
    const dst = this.dst;
    if (!dst) {
      // Not joined (yet): a plain socket to its reader, 'data' events and all (a server that speaks first, or
      // a caller of the dialer that reads the socket itself); push() says when to stop reading.
      return this.socket.push(Buffer.from(chunk));
    }
    if (dst.destroyed) return false;
    if (this.direct && dst.writableLength === 0 && !dst.writableCorked) {
      dst.write(chunk, this.resume);
      if (dst.writableLength === 0) return true;
      // The kernel took part: the rest goes out from our buffer later. Reading goes on once it did (the write's callback).
    } else {
      // Queued behind earlier bytes: a copy waits, our buffer does not.
      if (dst.write(Buffer.from(chunk))) return true;
      // Past the destination's high-water mark: reading goes on once it drained.
      if (!this.drainWait) {
        this.drainWait = true;
        dst.once('drain', () => {
          this.drainWait = false;
          this.resume();
        });
      }
    }
    this.paused = true;
    return false;
  }
}

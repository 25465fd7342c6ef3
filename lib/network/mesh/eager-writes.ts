// Node's HTTP/2 session stops reading its socket while one of its own writes
// is in progress (a bound on its memory). Two nodes pushing bulk data at each
// other (an echo, a sync both ways) can then both stop reading with both TCP
// buffers full: every stream between them hangs for good. The dialing side's
// session writes through this wrapper, whose writes complete at once (the TLS
// socket queues them), so that side never stops reading and the far side's
// writes always drain. What can queue up is bounded by the far side's HTTP/2
// flow-control windows, which only open as it reads.

import { Duplex } from 'stream';
import type { TLSSocket } from 'tls';

export class EagerWrites extends Duplex {
  constructor(private readonly socket: TLSSocket) {
    super();
    socket.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) socket.pause();
    });
    socket.once('end', () => this.push(null));
    socket.once('error', (err) => this.destroy(err));
    socket.once('close', () => this.destroy());
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    this.socket.write(chunk);
    callback();
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (err?: Error | null) => void): void {
    this.socket.cork();
    for (const c of chunks) this.socket.write(c.chunk);
    this.socket.uncork();
    callback();
  }

  override _final(callback: (err?: Error | null) => void): void {
    this.socket.end();
    callback();
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    this.socket.destroy(err ?? undefined);
    callback(err);
  }
}

// DNS over TCP connections (RFC 7766): several queries per connection, answered
// as they complete, an idle timeout, and reading paused while answers are owed,
// so a client that floods queries or never reads its answers holds bounded memory.
import type net from 'node:net';
import { FrameReader, frame } from './tcp-frames';

export interface TcpConnectionOptions {
  idleTimeoutMs: number;
  maxQueriesPerConnection: number;
  /** The answer, or undefined when the message is not a query: the connection is then closed. */
  answer(message: Buffer, peer: string): Promise<Buffer | undefined>;
  onQuery(): void;
}

class Connection {
  private readonly reader = new FrameReader();
  private readonly queue: Buffer[] = [];
  private inFlight = 0;
  private peerEnded = false;
  private writeBlocked = false;

  constructor(
    private readonly socket: net.Socket,
    private readonly peer: string,
    private readonly o: TcpConnectionOptions,
  ) {
    socket.setTimeout(o.idleTimeoutMs);
    // A slow upstream is not idleness: the timer starts again with the answer's write.
    socket.on('timeout', () => {
      if (this.inFlight === 0) socket.destroy();
    });
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    socket.on('end', () => {
      this.peerEnded = true;
      this.pump();
    });
    socket.on('drain', () => {
      this.writeBlocked = false;
      this.pump();
    });
  }

  private received(chunk: Buffer): void {
    let messages: Buffer[];
    try {
      messages = this.reader.push(chunk);
    } catch {
      this.socket.destroy();
      return;
    }
    this.queue.push(...messages);
    this.pump();
  }

  private pump(): void {
    const max = this.o.maxQueriesPerConnection;
    while (this.queue.length > 0 && this.inFlight < max && !this.writeBlocked && !this.socket.destroyed) {
      const message = this.queue.shift() as Buffer;
      this.inFlight++;
      this.o.onQuery();
      this.o.answer(message, this.peer).then(
        (reply) => this.replied(reply),
        () => this.replied(undefined),
      );
    }
    if (this.socket.destroyed) return;
    if (this.queue.length > 0 || this.inFlight >= max || this.writeBlocked) this.socket.pause();
    else this.socket.resume();
    // The client said it is done (half-close): end our side once every answer is out.
    if (this.peerEnded && this.inFlight === 0 && this.queue.length === 0) {
      if (this.reader.partialBytes > 0) this.socket.destroy();
      else this.socket.end();
    }
  }

  private replied(reply: Buffer | undefined): void {
    this.inFlight--;
    if (this.socket.destroyed) return;
    if (reply === undefined) {
      this.socket.destroy();
      return;
    }
    if (!this.socket.write(frame(reply))) this.writeBlocked = true;
    this.pump();
  }
}

export class TcpConnections {
  private readonly open = new Set<net.Socket>();

  constructor(private readonly o: TcpConnectionOptions) {}

  get count(): number {
    return this.open.size;
  }

  accept(socket: net.Socket, peer: string): void {
    this.open.add(socket);
    socket.on('close', () => this.open.delete(socket));
    // A reset or a broken pipe is the client's business; 'close' follows.
    socket.on('error', () => socket.destroy());
    new Connection(socket, peer, this.o);
  }

  destroyAll(): void {
    for (const socket of this.open) socket.destroy();
  }
}

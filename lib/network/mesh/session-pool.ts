// One HTTP/2 session per far node, opened on first use and shared by every
// stream to that node. A session that fails or is told to go away leaves the
// pool, so the next stream opens a fresh one (that is the reconnect); one idle
// for a while is closed; one with open streams is pinged so a far node that
// vanished without a FIN or RST is noticed.

import * as http2 from 'http2';
import * as tls from 'tls';
import { HTTP2_SETTINGS, MAX_SESSION_MEMORY_MB, SESSION_WINDOW } from '../../net/http2-tuning';
import { dialError } from '../dial-error';
import { EagerWrites } from './eager-writes';

export interface SessionPoolOptions {
  /** TLS options for a new connection: the node's credentials and the server check. */
  tls: () => tls.ConnectionOptions;
  /** How long a new session may take to connect and complete TLS. */
  connectTimeoutMs: number;
  /** A session with no stream for this long is closed. */
  idleMs: number;
  /** How often a busy session is pinged; two intervals without an answer kill it. */
  pingMs: number;
  onFailure?: (nodeAddr: string, err: Error) => void;
}

export interface PooledSession {
  readonly session: http2.ClientHttp2Session;
  /** False for a session that served streams before: a failure on it may just mean it went stale. */
  readonly fresh: boolean;
}

interface Entry {
  addr: string;
  session: http2.ClientHttp2Session;
  ready: Promise<void>;
  streams: number;
  used: boolean;
  idleTimer?: NodeJS.Timeout;
  pingTimer?: NodeJS.Timeout;
  pingOutstanding: boolean;
}

export class SessionPool {
  private readonly entries = new Map<string, Entry>();
  private readonly bySession = new WeakMap<http2.ClientHttp2Session, Entry>();
  private closed = false;
  /** Sessions opened, over the pool's life. */
  opened = 0;

  constructor(private readonly o: SessionPoolOptions) {}

  /** A connected session to the node at `addr` ("host:port"); rejects with code EHOSTUNREACH or ETIMEDOUT. */
  async get(addr: string): Promise<PooledSession> {
    if (this.closed) throw dialError('EHOSTUNREACH', 'mesh client closed');
    let e = this.entries.get(addr);
    if (!e || e.session.closed || e.session.destroyed) e = this.open(addr);
    const fresh = !e.used;
    await e.ready;
    return { session: e.session, fresh };
  }

  /** Counts a stream on the session, for idle and ping handling, until it closes. */
  track(session: http2.ClientHttp2Session, stream: http2.ClientHttp2Stream): void {
    const e = this.entryOf(session);
    if (!e) return;
    e.used = true;
    e.streams++;
    if (e.idleTimer) {
      clearTimeout(e.idleTimer);
      e.idleTimer = undefined;
    }
    stream.once('close', () => {
      e.streams--;
      if (e.streams === 0 && this.entries.get(e.addr) === e) this.armIdle(e);
    });
  }

  /** Drops a session that failed a stream in a way that says the session is dead. */
  discard(session: http2.ClientHttp2Session): void {
    const e = this.entryOf(session);
    if (e) this.remove(e);
    session.destroy(dialError('EHOSTUNREACH', `mesh: session with node ${e?.addr ?? '?'} discarded`));
  }

  size(): number {
    return this.entries.size;
  }

  close(): void {
    this.closed = true;
    for (const e of [...this.entries.values()]) {
      this.remove(e);
      e.session.destroy(dialError('EHOSTUNREACH', 'mesh client closed'));
    }
  }

  private entryOf(session: http2.ClientHttp2Session): Entry | undefined {
    return this.bySession.get(session);
  }

  private open(addr: string): Entry {
    this.opened++;
    let socket!: tls.TLSSocket;
    const session = http2.connect(`https://${addr}`, {
      settings: HTTP2_SETTINGS,
      maxSessionMemory: MAX_SESSION_MEMORY_MB,
      // Our own TLS socket: for setNoDelay, which the session hides (a
      // proxied request must not wait on Nagle), and to write through
      // EagerWrites (see there why).
      createConnection: (authority: URL) => {
        socket = tls.connect({
          ...this.o.tls(),
          host: authority.hostname.replace(/^\[|\]$/g, ''),
          port: Number(authority.port),
          ALPNProtocols: ['h2'],
        });
        socket.setNoDelay(true);
        return new EagerWrites(socket);
      },
    });
    const e: Entry = { addr, session, ready: Promise.resolve(), streams: 0, used: false, pingOutstanding: false };
    e.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const err = dialError('ETIMEDOUT', `mesh: node ${addr} did not complete TLS within ${this.o.connectTimeoutMs} ms`);
        this.o.onFailure?.(addr, err);
        session.destroy(err);
        reject(err);
      }, this.o.connectTimeoutMs);
      // Not the session's 'connect': over a wrapper it comes at once, before the server is verified.
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        session.setLocalWindowSize(SESSION_WINDOW);
        resolve();
      });
      session.once('close', () => {
        clearTimeout(timer);
        reject(dialError('EHOSTUNREACH', `mesh: no session with node ${addr}`));
      });
      session.once('error', (err: Error) => {
        clearTimeout(timer);
        const failure = dialError('EHOSTUNREACH', `mesh: cannot reach node ${addr}: ${err.message}`, err);
        this.o.onFailure?.(addr, failure);
        reject(failure);
      });
    });
    // Awaited by get(); a rejection nobody awaits (the session died later) is not an error.
    e.ready.catch(() => undefined);
    session.on('error', () => undefined);
    session.once('close', () => this.remove(e));
    // The far node is closing (shutting down): streams open now finish, new ones go to a new session.
    session.once('goaway', () => this.remove(e));
    e.pingTimer = setInterval(() => this.ping(e), this.o.pingMs);
    e.pingTimer.unref();
    this.entries.set(addr, e);
    this.bySession.set(session, e);
    this.armIdle(e);
    return e;
  }

  private armIdle(e: Entry): void {
    e.idleTimer = setTimeout(() => {
      this.remove(e);
      e.session.close();
    }, this.o.idleMs);
    e.idleTimer.unref();
  }

  private ping(e: Entry): void {
    if (e.streams === 0 || e.session.destroyed || !e.session.socket) return;
    if (e.pingOutstanding) {
      const err = dialError('ETIMEDOUT', `mesh: node ${e.addr} stopped answering pings`);
      this.o.onFailure?.(e.addr, err);
      this.remove(e);
      // With an error, open streams are reset rather than ended: their clients must not take a cut-off answer for a whole one.
      e.session.destroy(err);
      return;
    }
    e.pingOutstanding = true;
    e.session.ping((err) => {
      if (!err) e.pingOutstanding = false;
    });
  }

  private remove(e: Entry): void {
    if (this.entries.get(e.addr) === e) this.entries.delete(e.addr);
    clearTimeout(e.idleTimer);
    clearInterval(e.pingTimer);
  }
}

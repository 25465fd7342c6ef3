// One TCP listener: accept, check the peer, hand the connection to a backend,
// then join the two. This is the path benchmarked against docker-proxy, so a
// connection costs a handful of closures and no extra buffering: the client
// socket stays paused (its early bytes wait in its own buffer) until the
// backend is connected and pipe() takes over.

import { createServer, Server, Socket } from 'net';
import type { Duplex } from 'stream';
import { abort, splice } from '../splice';
import { BackendPicker } from './backend-picker';
import { BindLoop } from './bind-loop';
import { describe, emptyStats, Listener, ListenerDeps, ListenerStats, MAX_ATTEMPTS } from './listener';
import type { Backend, ListenerSpec } from './types';

export class TcpListener implements Listener {
  private server?: Server;
  private readonly bind: BindLoop;
  private readonly picker = new BackendPicker();
  private readonly clients = new Set<Socket>();
  private readonly counters: ListenerStats;
  private stopped = false;
  private closed?: Promise<void>;

  constructor(
    private spec: ListenerSpec,
    private readonly deps: ListenerDeps,
  ) {
    this.counters = emptyStats(spec);
    this.bind = new BindLoop({ what: describe(spec), retryMs: deps.retryBindMs, logger: deps.logger, attempt: () => this.listen() });
  }

  start(): void {
    this.bind.start();
  }

  update(spec: ListenerSpec): void {
    this.spec = spec;
    this.counters.key = spec.key;
  }

  stop(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      this.bind.stop();
      const server = this.server;
      this.server = undefined;
      // The callback waits for open connections too: destroy() them for it to come soon.
      this.closed = server ? new Promise((resolve) => server.close(() => resolve())) : Promise.resolve();
    }
    return this.closed ?? Promise.resolve();
  }

  destroy(): void {
    for (const c of this.clients) abort(c);
  }

  active(): number {
    return this.clients.size;
  }

  stats(): ListenerStats {
    return { ...this.counters, active: this.clients.size, listening: this.server !== undefined, bindFailures: this.bind.failures };
  }

  private listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      // allowHalfOpen: a client's FIN is passed on, and the backend's reply still comes back.
      const server = createServer({ allowHalfOpen: true, noDelay: true }, (s) => this.onConnection(s));
      server.once('error', reject);
      server.listen({ host: this.spec.address, port: this.spec.port }, () => {
        server.off('error', reject);
        // Accept errors (EMFILE) are transient; the server keeps listening.
        server.on('error', (err) => this.deps.logger?.warn(`proxy ${describe(this.spec)}: ${err.message}`));
        if (this.stopped) server.close();
        else this.server = server;
        resolve();
      });
    });
  }

  private onConnection(client: Socket): void {
    this.counters.accepted++;
    this.clients.add(client);
    client.on('error', ignore);
    client.once('close', () => this.clients.delete(client));
    const spec = this.spec;
    if (!spec.allow) return this.serve(client, spec);
    let verdict: boolean | Promise<boolean>;
    try {
      verdict = spec.allow(client.remoteAddress ?? '');
    } catch {
      verdict = false;
    }
    if (verdict === true) this.serve(client, spec);
    else if (verdict === false) this.deny(client);
    else
      verdict.then(
        (ok) => (ok ? this.serve(client, spec) : this.deny(client)),
        () => this.deny(client),
      );
  }

  private serve(client: Socket, spec: ListenerSpec): void {
    if (client.destroyed) return;
    let backends: readonly Backend[];
    try {
      backends = spec.backends();
    } catch {
      backends = [];
    }
    const order = this.picker.order(backends, MAX_ATTEMPTS);
    if (order.length === 0) return this.unserved(client);
    this.dial(client, spec.targetPort, order, 0);
  }

  /** Tries order[i], then the next on failure; the client waits, paused, meanwhile. */
  private dial(client: Socket, port: number, order: Backend[], i: number): void {
    const b = order[i];
    let dialing: Promise<Duplex>;
    try {
      dialing = this.deps.dialer.connect(b, port);
    } catch (err) {
      // A dialer that throws instead of rejecting fails this backend, not the process.
      dialing = Promise.reject(err);
    }
    dialing.then(
      (upstream: Duplex) => {
        this.picker.succeeded(b);
        if (client.destroyed) return abort(upstream);
        splice(client, upstream);
      },
      () => {
        this.picker.failed(b);
        this.counters.dialFailures++;
        if (client.destroyed) return;
        if (i + 1 < order.length) this.dial(client, port, order, i + 1);
        else this.unserved(client);
      },
    );
  }

  private deny(client: Socket): void {
    this.counters.denied++;
    abort(client);
  }

  private unserved(client: Socket): void {
    this.counters.unserved++;
    abort(client);
  }
}

function ignore(): void {}

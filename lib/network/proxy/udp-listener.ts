// One UDP listener: each peer address and port is a flow, given a backend when
// its first datagram arrives and kept on it while it is in use; replies go
// back to the peer from the listener's own socket, so the peer sees them come
// from the address it sent to.

import * as dgram from 'dgram';
import { isIPv6 } from 'net';
import { BackendPicker } from './backend-picker';
import { BindLoop } from './bind-loop';
import { describe, emptyStats, Listener, ListenerDeps, ListenerStats, MAX_ATTEMPTS } from './listener';
import type { Backend, DatagramChannel, ListenerSpec } from './types';

export interface UdpListenerOptions {
  /** A flow with no datagram either way for this long is closed. */
  flowIdleMs: number;
  /** Flows per listener; datagrams that would start another are dropped. */
  maxFlows: number;
}

/** The dialer's channels say when they are gone (the mesh stream or socket closed); the interface does not require it. */
type Channel = DatagramChannel & { readonly closed?: boolean };

interface Flow {
  address: string;
  port: number;
  channel?: Channel;
  /** Datagrams that came while the flow was opening. */
  queue: Buffer[];
  queuedBytes: number;
  lastSeen: number;
  gone: boolean;
}

/** Bound on what waits for a flow's backend: a few datagrams, not a flood. */
const MAX_QUEUED = 64;
const MAX_QUEUED_BYTES = 256 * 1024;

export class UdpListener implements Listener {
  private socket?: dgram.Socket;
  private readonly bind: BindLoop;
  private readonly picker = new BackendPicker();
  private readonly flows = new Map<string, Flow>();
  private readonly counters: ListenerStats;
  private sweeper?: NodeJS.Timeout;
  private stopped = false;
  private closed?: Promise<void>;

  constructor(
    private spec: ListenerSpec,
    private readonly deps: ListenerDeps,
    private readonly o: UdpListenerOptions,
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

  /** UDP flows cannot outlive the socket their replies leave from: they end with it. */
  stop(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      this.bind.stop();
      clearInterval(this.sweeper);
      this.destroy();
      const socket = this.socket;
      this.socket = undefined;
      this.closed = socket ? new Promise((resolve) => socket.close(() => resolve())) : Promise.resolve();
    }
    return this.closed ?? Promise.resolve();
  }

  destroy(): void {
    for (const f of this.flows.values()) this.drop(f);
    this.flows.clear();
  }

  active(): number {
    return this.flows.size;
  }

  stats(): ListenerStats {
    return { ...this.counters, active: this.flows.size, listening: this.socket !== undefined, bindFailures: this.bind.failures };
  }

  private listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = dgram.createSocket(isIPv6(this.spec.address) ? 'udp6' : 'udp4');
      socket.once('error', reject);
      socket.bind({ address: this.spec.address, port: this.spec.port, exclusive: true }, () => {
        socket.off('error', reject);
        // Send errors (a peer gone) concern one datagram; the socket goes on.
        socket.on('error', () => undefined);
        if (this.stopped) {
          socket.close();
          return resolve();
        }
        socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
        this.socket = socket;
        this.sweeper = setInterval(() => this.sweep(), Math.max(50, Math.min(this.o.flowIdleMs / 2, 5000)));
        this.sweeper.unref();
        resolve();
      });
    });
  }

  private onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const key = `${rinfo.address}:${rinfo.port}`;
    let f = this.flows.get(key);
    if (f?.channel?.closed) {
      // Its backend's channel went away: the next datagram starts over with a fresh pick.
      this.drop(f);
      this.flows.delete(key);
      f = undefined;
    }
    if (f) {
      f.lastSeen = Date.now();
      if (f.channel) f.channel.send(msg);
      else this.enqueue(f, msg);
      return;
    }
    if (this.flows.size >= this.o.maxFlows) {
      this.counters.droppedDatagrams++;
      return;
    }
    f = { address: rinfo.address, port: rinfo.port, queue: [], queuedBytes: 0, lastSeen: Date.now(), gone: false };
    this.flows.set(key, f);
    this.counters.accepted++;
    this.enqueue(f, msg);
    void this.open(key, f, this.spec);
  }

  private enqueue(f: Flow, msg: Buffer): void {
    if (f.queue.length >= MAX_QUEUED || f.queuedBytes + msg.length > MAX_QUEUED_BYTES) {
      this.counters.droppedDatagrams++;
      return;
    }
    f.queue.push(msg);
    f.queuedBytes += msg.length;
  }

  private async open(key: string, f: Flow, spec: ListenerSpec): Promise<void> {
    let allowed: boolean;
    try {
      allowed = spec.allow ? await spec.allow(f.address) : true;
    } catch {
      allowed = false;
    }
    if (!allowed) {
      this.counters.denied++;
      return this.forget(key, f);
    }
    let backends: readonly Backend[];
    try {
      backends = spec.backends();
    } catch {
      backends = [];
    }
    let channel: Channel | undefined;
    for (const b of this.picker.order(backends, MAX_ATTEMPTS)) {
      if (f.gone) return;
      try {
        channel = await this.deps.dialer.datagrams(b, spec.targetPort);
        this.picker.succeeded(b);
        break;
      } catch {
        this.picker.failed(b);
        this.counters.dialFailures++;
      }
    }
    if (!channel) {
      this.counters.unserved++;
      return this.forget(key, f);
    }
    if (f.gone) return channel.close();
    f.channel = channel;
    channel.onMessage((payload) => {
      f.lastSeen = Date.now();
      this.socket?.send(payload, f.port, f.address);
    });
    for (const msg of f.queue) channel.send(msg);
    f.queue = [];
    f.queuedBytes = 0;
  }

  private forget(key: string, f: Flow): void {
    f.gone = true;
    if (this.flows.get(key) === f) this.flows.delete(key);
  }

  private sweep(): void {
    const idleSince = Date.now() - this.o.flowIdleMs;
    for (const [key, f] of this.flows) {
      if (f.lastSeen < idleSince) {
        this.drop(f);
        this.flows.delete(key);
      }
    }
  }

  private drop(f: Flow): void {
    f.gone = true;
    f.channel?.close();
  }
}

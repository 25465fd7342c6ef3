// The node's DNS server: UDP and TCP on the cluster's DNS address, answering
// cluster names from the node's lookup and relaying the rest to the host's
// resolvers. See docs/networking.md.
import type dgram from 'node:dgram';
import type net from 'node:net';
import { Answerer } from './answerer';
import { bindUdpAndTcp } from './bind';
import { Forwarder } from './forwarder';
import { DEFAULT_DNS_LIMITS, type DnsServerLimits } from './limits';
import { emptyCounters, type DnsCounter, type DnsServerStats } from './stats';
import { TcpConnections } from './tcp-connections';
import type { DnsServerLogger, DnsServerOptions } from './types';
import { parseUpstream, upstreamsFromResolvConf, type Upstream } from './upstreams';

export { DnsBindError } from './bind';
export type { DnsServerLimits } from './limits';
export type { DnsServerStats } from './stats';

const DEFAULT_PORT = 53;
const DEFAULT_UPSTREAM_TIMEOUT_MS = 2000;

// Sockets accepted on an IPv6 listener name IPv4 peers as ::ffff:a.b.c.d; the
// lookup matches peers against the table's plain IPv4 addresses.
function plainPeer(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

const consoleLogger: DnsServerLogger = { warn: (msg) => console.warn(msg) };

export class DnsServer {
  private closing: Promise<void> | undefined;

  private constructor(
    readonly address: string,
    readonly port: number,
    private readonly udp: dgram.Socket,
    private readonly tcp: net.Server,
    private readonly answerer: Answerer,
    private readonly forwarder: Forwarder,
    private readonly connections: TcpConnections,
    private readonly logger: DnsServerLogger,
    private readonly counters: Record<DnsCounter, number>,
  ) {
    udp.on('message', (message, rinfo) => this.udpQuery(message, rinfo));
    // After a successful bind a UDP socket errors only on odd kernel conditions;
    // answering goes on.
    udp.on('error', (err) => logger.warn(`dns server ${address}:${port}/udp: ${err.message}`));
    tcp.on('error', (err) => logger.warn(`dns server ${address}:${port}/tcp: ${err.message}`));
    tcp.on('connection', (socket) => {
      if (socket.remoteAddress === undefined) socket.destroy();
      else connections.accept(socket, plainPeer(socket.remoteAddress));
    });
  }

  /**
   * Serves on `o.address`, UDP and TCP, until close(). Rejects with a DnsBindError
   * whose `code` is EADDRINUSE when another process (or node) serves there already,
   * and EADDRNOTAVAIL when the address is not on this machine; nothing stays bound.
   * `limits` are for tests and tuning; the defaults suit a node.
   */
  static async start(o: DnsServerOptions, limits: Partial<DnsServerLimits> = {}): Promise<DnsServer> {
    const l: DnsServerLimits = { ...DEFAULT_DNS_LIMITS, ...limits };
    const logger = o.logger ?? consoleLogger;
    // Read before binding: a bad upstream fails start without touching a socket,
    // and no await separates the bind from the listeners the constructor attaches.
    const explicit = o.upstreams?.map(parseUpstream);
    const fromResolvConf = explicit === undefined ? await upstreamsFromResolvConf(o.address) : [];
    const bound = await bindUdpAndTcp(o.address, o.port ?? DEFAULT_PORT);
    // Asking ourselves would loop until the timeout.
    const upstreams: Upstream[] =
      explicit?.filter((u) => !(u.address === o.address && u.port === bound.port)) ?? fromResolvConf;
    bound.tcp.maxConnections = l.maxTcpConnections;
    const forwarder = new Forwarder(
      upstreams,
      o.upstreamTimeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS,
      l.maxForwardsInFlight,
    );
    const counters = emptyCounters();
    const count = (counter: DnsCounter): void => {
      counters[counter]++;
    };
    const answerer = new Answerer({ lookup: o.lookup, forwarder, limits: l, count, warn: (m) => logger.warn(m) });
    const connections = new TcpConnections({
      idleTimeoutMs: l.tcpIdleTimeoutMs,
      maxQueriesPerConnection: l.maxTcpQueriesPerConnection,
      answer: (message, peer) => answerer.answer(message, peer, 'tcp'),
      onQuery: () => count('tcpQueries'),
    });
    return new DnsServer(o.address, bound.port, bound.udp, bound.tcp, answerer, forwarder, connections, logger, counters);
  }

  stats(): DnsServerStats {
    return {
      ...this.counters,
      forwardsInFlight: this.forwarder.inFlight,
      tcpConnections: this.connections.count,
    };
  }

  /** Stops serving and frees the address and port; queries still in flight get no answer. */
  close(): Promise<void> {
    this.closing ??= this.closeNow();
    return this.closing;
  }

  private async closeNow(): Promise<void> {
    this.forwarder.close();
    const tcpClosed = new Promise<void>((resolve) => this.tcp.close(() => resolve()));
    this.connections.destroyAll();
    await new Promise<void>((resolve) => this.udp.close(() => resolve()));
    await tcpClosed;
  }

  private udpQuery(message: Buffer, rinfo: dgram.RemoteInfo): void {
    this.counters.udpQueries++;
    const client = `${rinfo.address}:${rinfo.port}`;
    this.answerer
      .answer(message, plainPeer(rinfo.address), 'udp')
      .then((reply) => {
        // A lookup that finishes after close() has no socket to answer on.
        if (reply === undefined || this.closing !== undefined) return;
        this.udp.send(reply, rinfo.port, rinfo.address, (err) => {
          if (err) {
            this.counters.sendErrors++;
            this.logger.warn(`dns answer to ${client} not sent: ${err.message}`);
          }
        });
      })
      .catch((err: unknown) => {
        this.logger.warn(`dns query from ${client} failed: ${err instanceof Error ? err.message : String(err)}`);
      });
  }
}

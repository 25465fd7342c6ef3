// Raft messages between manager processes over WebSocket (optionally mutual
// TLS). One socket per pair of nodes carries traffic both ways. Either side
// may dial — a node must be able to reach a peer that does not know it yet,
// e.g. a new leader catching up a follower that has not applied its conf
// change — and when both did, the socket dialed by the lower id wins. The
// higher id dials only after a grace delay, so normally there is no duplicate.

import type * as http from 'http';
import type { Duplex } from 'stream';
import type { TLSSocket } from 'tls';
import WebSocket, { WebSocketServer } from 'ws';
import { decodeMessage, encodeMessage } from '../codec';
import { isLocalMessage, Message, MessageType, NodeId } from '../core/types';
import { backoffDelay } from '../../util/backoff';
import { Connection, ConnectionLimits, Direction } from './connection';
import {
  CloseCode,
  decodeBatch,
  encodeHandshake,
  FrameKind,
  PROTOCOL,
  PROTOCOL_VERSION,
  readHandshake,
} from './frames';
import { Listener } from './listener';
import { AssemblyResult, decodeSnapChunk } from './snapshot-chunks';
import { clientTlsOptions, TransportTlsOptions } from './tls-options';
import { emptyPeerStats, isValidNodeId, PeerStats, Transport, TransportHandlers, TransportStats } from './transport';
import { PeerIdentity, resolveOptions, ResolvedOptions, WsTransportOptions } from './ws-options';

/** How long a requested close may take before the socket is destroyed. */
const CLOSE_TIMEOUT_MS = 1000;

interface Peer {
  id: NodeId;
  /** Where to dial; undefined when the peer is only known because it dialed us. */
  url?: string;
  /** Every socket to this peer that finished the Hello, plus our own dial in progress. */
  conns: Set<Connection>;
  active?: Connection;
  dialing?: Connection;
  failures: number;
  dialTimer?: NodeJS.Timeout;
  counters: PeerStats;
  /** Last problem logged, so a peer that stays down is logged once, not every retry. */
  lastProblem?: string;
}

type State = 'stopped' | 'starting' | 'running' | 'stopping';

export class WsTransport implements Transport {
  readonly id: NodeId;
  private readonly o: ResolvedOptions;
  private readonly tls?: TransportTlsOptions;
  private readonly handlers: TransportHandlers;
  private readonly authorize?: (peer: PeerIdentity) => true | string;
  private readonly limits: ConnectionLimits;

  private state: State = 'stopped';
  private starting?: Promise<void>;
  private stopping?: Promise<void>;
  private listener?: Listener;
  /** External mode (listen: false): turns the upgrades the owner hands in into WebSockets. */
  private upgrader?: WebSocketServer;
  private port: number;
  private pingTimer?: NodeJS.Timeout;

  private readonly peers = new Map<NodeId, Peer>();
  /** Inbound sockets that have not sent a valid Hello yet. */
  private readonly pending = new Set<Connection>();
  private readonly all = new Set<Connection>();
  /** Members removed from the cluster; their connections are refused until addPeer again. */
  private readonly removed = new Set<NodeId>();
  private readonly lastUnreachable = new Map<NodeId, number>();
  private droppedUnknown = 0;
  private refused = 0;

  constructor(options: WsTransportOptions) {
    if (!isValidNodeId(options.id)) throw new TypeError(`raft transport: invalid node id ${String(options.id)}`);
    this.o = resolveOptions(options);
    this.id = options.id;
    this.tls = options.tls;
    this.authorize = options.authorizePeer;
    this.handlers = {
      onMessage: options.onMessage,
      onUnreachable: options.onUnreachable,
      onSnapshotStatus: options.onSnapshotStatus,
    };
    this.port = this.o.port;
    this.limits = {
      maxQueueMessages: this.o.maxQueueMessages,
      maxQueueBytes: this.o.maxQueueBytes,
      maxFrameBytes: this.o.maxFrameBytes,
      highWaterMarkBytes: this.o.highWaterMarkBytes,
      maxSnapshotBytes: this.o.maxSnapshotBytes,
    };
  }

  // ---- lifecycle ------------------------------------------------------------

  async start(): Promise<void> {
    if (this.stopping) await this.stopping;
    if (this.state === 'running') return;
    if (this.starting) return this.starting;
    this.starting = this.listen().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async listen(): Promise<void> {
    this.state = 'starting';
    if (!this.o.listen) {
      this.upgrader ??= new WebSocketServer({
        noServer: true,
        clientTracking: false,
        perMessageDeflate: false,
        maxPayload: this.o.maxMessageBytes + 64,
      });
      this.running();
      return;
    }
    try {
      this.listener = await Listener.open({
        host: this.o.host,
        port: this.port,
        path: this.o.path,
        tls: this.tls,
        maxPayload: this.o.maxMessageBytes + 64,
        onSocket: (ws, req) => this.accept(ws, req),
        onRefused: (why) => {
          this.refused++;
          this.o.logger.debug?.('refused a connection', { why });
        },
      });
    } catch (err) {
      this.state = 'stopped';
      throw err;
    }
    // Peers keep this address in their address books, so a restart must come back on it.
    this.port = this.listener.address().port;
    this.running();
  }

  private running(): void {
    this.state = 'running';
    if (this.o.pingIntervalMs > 0) this.pingTimer = setInterval(() => this.sweep(), this.o.pingIntervalMs);
    for (const peer of this.peers.values()) this.scheduleDial(peer);
  }

  async stop(): Promise<void> {
    if (this.starting) await this.starting.catch(() => undefined);
    if (this.stopping) return this.stopping;
    if (this.state !== 'running') return;
    this.stopping = this.shutdown().finally(() => (this.stopping = undefined));
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    this.state = 'stopping';
    clearInterval(this.pingTimer);
    this.pingTimer = undefined;
    for (const peer of this.peers.values()) {
      clearTimeout(peer.dialTimer);
      peer.dialTimer = undefined;
    }
    const conns = [...this.all];
    for (const c of conns) this.closeConn(c, CloseCode.GoingAway, 'node shutting down');
    await Promise.all(conns.map((c) => c.closed));
    const listener = this.listener;
    this.listener = undefined;
    await listener?.close();
    this.state = 'stopped';
  }

  /**
   * WebSocket upgrades for raft from the owner's server (external mode, listen:
   * false). The owner has authenticated the client; the Hello, the cluster
   * check and authorizePeer follow exactly as for the transport's own listener.
   */
  handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.o.listen) throw new Error('raft transport: handleUpgrade is for external mode (listen: false); this transport has its own listener');
    socket.on('error', () => undefined);
    if (this.state !== 'running' || !this.upgrader) {
      this.refused++;
      this.o.logger.debug?.('refused a connection', { why: 'not running' });
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.upgrader.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req));
  }

  /** The bound address; only valid while started, and only in listening mode. */
  address(): { host: string; port: number; url: string } {
    if (!this.o.listen) throw new Error('raft transport has no listener of its own (listen: false): its address is its owner\'s');
    if (!this.listener) throw new Error('raft transport is not listening');
    const a = this.listener.address();
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    return { host: a.address, port: a.port, url: `${this.tls ? 'wss' : 'ws'}://${host}:${a.port}` };
  }

  // ---- membership -----------------------------------------------------------

  addPeer(id: NodeId, url: string): void {
    if (!isValidNodeId(id) || id === this.id) throw new TypeError(`raft transport: invalid peer id ${String(id)}`);
    this.checkUrl(id, url);
    this.removed.delete(id);
    let peer = this.peers.get(id);
    if (!peer) {
      peer = this.newPeer(id, url);
    } else if (peer.url !== url) {
      peer.url = url;
      peer.counters.url = url;
      if (peer.dialing) this.closeConn(peer.dialing, CloseCode.Normal, 'peer address changed');
      clearTimeout(peer.dialTimer);
      peer.dialTimer = undefined;
      peer.failures = 0;
    }
    this.scheduleDial(peer);
  }

  removePeer(id: NodeId): void {
    this.removed.add(id);
    this.lastUnreachable.delete(id);
    const peer = this.peers.get(id);
    if (!peer) return;
    this.peers.delete(id);
    clearTimeout(peer.dialTimer);
    peer.dialTimer = undefined;
    for (const c of [...peer.conns]) this.closeConn(c, CloseCode.Refused, `node ${id} was removed from the cluster`);
  }

  private checkUrl(id: NodeId, url: string): void {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new TypeError(`raft transport: peer ${id} has an invalid url ${JSON.stringify(url)}`);
    }
    if (u.protocol !== 'ws:' && u.protocol !== 'wss:') {
      throw new TypeError(`raft transport: peer ${id} url ${url} must be ws:// or wss://`);
    }
    if (this.tls && u.protocol === 'ws:') {
      throw new TypeError(`raft transport: peer ${id} url ${url} is plain ws:// but this node uses TLS`);
    }
    if (!this.tls && u.protocol === 'wss:') {
      throw new TypeError(`raft transport: peer ${id} url ${url} is wss:// but this node has no TLS options`);
    }
  }

  private newPeer(id: NodeId, url: string | undefined): Peer {
    const peer: Peer = { id, url, conns: new Set(), failures: 0, counters: emptyPeerStats(id, url) };
    this.peers.set(id, peer);
    return peer;
  }

  // ---- sending --------------------------------------------------------------

  send(messages: Message[]): void {
    for (const m of messages) {
      try {
        this.sendOne(m);
      } catch (err) {
        // A throwing send would take the raft loop down with it; losing one message is harmless.
        this.o.logger.warn('dropping a message that could not be sent', { to: m.to, error: errorText(err) });
      }
    }
  }

  private sendOne(m: Message): void {
    const peer = this.peers.get(m.to);
    const conn = peer?.active;
    if (!peer || isLocalMessage(m.type) || this.state !== 'running' || !conn || conn.state !== 'open') {
      if (peer) peer.counters.dropped++;
      else this.droppedUnknown++;
      if (this.state === 'running' && !isLocalMessage(m.type) && isValidNodeId(m.to) && m.to !== this.id) {
        this.reportUnreachable(m.to);
      }
      if (m.type === MessageType.Snap) this.snapshotStatus(m.to, false);
      return;
    }
    const bytes = encodeMessage(m);
    if (m.type === MessageType.Snap) {
      if (bytes.length > this.o.maxSnapshotBytes) {
        peer.counters.dropped++;
        this.o.logger.warn(
          `dropping a snapshot of ${bytes.length} bytes for node ${m.to}: above maxSnapshotBytes (${this.o.maxSnapshotBytes}); ` +
            'that node cannot catch up until the state is smaller',
          { to: m.to, bytes: bytes.length, limit: this.o.maxSnapshotBytes },
        );
        this.snapshotStatus(m.to, false);
        return;
      }
      if (bytes.length > this.o.maxFrameBytes) {
        conn.enqueueSnapshot(bytes, this.o.maxFrameBytes);
        return;
      }
    } else if (bytes.length > this.o.maxMessageBytes) {
      peer.counters.dropped++;
      this.o.logger.warn('dropping a message larger than maxMessageBytes', { to: m.to, bytes: bytes.length, limit: this.o.maxMessageBytes });
      return;
    }
    if (!conn.enqueue({ bytes, snapshot: m.type === MessageType.Snap })) {
      peer.counters.dropped++;
      // As etcd does: a full queue means the peer cannot keep up, so the
      // leader should stop pipelining to it until it answers again.
      this.reportUnreachable(m.to);
      if (m.type === MessageType.Snap) this.snapshotStatus(m.to, false);
    }
  }

  private reportUnreachable(id: NodeId): void {
    const now = this.o.now();
    const last = this.lastUnreachable.get(id);
    if (last !== undefined && now - last < this.o.unreachableIntervalMs) return;
    this.lastUnreachable.set(id, now);
    // Deferred so that the raft node is never re-entered from inside its own send().
    queueMicrotask(() => {
      if (this.state === 'running') this.callHandler('onUnreachable', () => this.handlers.onUnreachable(id));
    });
  }

  private snapshotStatus(id: NodeId, ok: boolean): void {
    const cb = this.handlers.onSnapshotStatus;
    if (cb) queueMicrotask(() => this.callHandler('onSnapshotStatus', () => cb(id, ok)));
  }

  private callHandler(name: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.o.logger.warn(`${name} handler threw`, { error: errorText(err) });
    }
  }

  // ---- dialing --------------------------------------------------------------

  private scheduleDial(peer: Peer): void {
    if (this.state !== 'running' || !peer.url || peer.active || peer.dialing || peer.dialTimer) return;
    if (this.peers.get(peer.id) !== peer) return;
    let delay = backoffDelay(peer.failures, this.o.backoff, this.o.random);
    if (peer.id < this.id) delay += this.o.fallbackDialDelayMs;
    peer.dialTimer = setTimeout(() => {
      peer.dialTimer = undefined;
      this.dial(peer);
    }, delay);
  }

  private dial(peer: Peer): void {
    if (this.state !== 'running' || !peer.url || peer.active || peer.dialing || this.peers.get(peer.id) !== peer) return;
    const url = new URL(peer.url);
    if (url.pathname === '/' || url.pathname === '') url.pathname = this.o.path;
    const options: WebSocket.ClientOptions = {
      perMessageDeflate: false,
      maxPayload: this.o.maxMessageBytes + 64,
      handshakeTimeout: this.o.handshakeTimeoutMs,
      // An all-zero mask makes ws skip masking on both ends. Masking guards
      // browser-facing proxies against script-crafted bytes; between two
      // managers it only costs a fifth of the transport's CPU.
      generateMask: () => undefined,
    };
    // Object.assign rather than a literal: @types/ws mistypes checkServerIdentity,
    // and ws hands these options to tls.connect unchanged.
    if (this.tls) Object.assign(options, clientTlsOptions(this.tls));
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, options);
    } catch (err) {
      // A synchronous failure (bad TLS material, say) is retried like a refused dial; the log says why.
      peer.failures++;
      this.noteProblem(peer, `cannot dial ${peer.url}: ${errorText(err)}`);
      this.scheduleDial(peer);
      return;
    }
    const conn = this.newConn(ws, 'outbound', peer.id, peer.counters);
    peer.dialing = conn;
    peer.conns.add(conn);
    ws.on('upgrade', (res: http.IncomingMessage) => {
      if (this.tls) conn.certificate = (res.socket as TLSSocket).getPeerCertificate();
    });
    ws.on('open', () => {
      if (conn.state !== 'handshaking') return;
      const hello = { proto: PROTOCOL, version: PROTOCOL_VERSION, id: this.id, to: peer.id, cluster: this.o.clusterId };
      ws.send(encodeHandshake(FrameKind.Hello, hello));
    });
  }

  // ---- accepting ------------------------------------------------------------

  private accept(ws: WebSocket, req: http.IncomingMessage): void {
    if (this.state !== 'running') {
      ws.terminate();
      return;
    }
    const conn = this.newConn(ws, 'inbound', 0, emptyPeerStats(0));
    conn.remoteAddress = req.socket.remoteAddress;
    if (this.tls) conn.certificate = (req.socket as TLSSocket).getPeerCertificate();
    this.pending.add(conn);
  }

  private newConn(ws: WebSocket, direction: Direction, peerId: NodeId, counters: PeerStats): Connection {
    const conn = new Connection(ws, direction, peerId, counters, this.limits, (id, ok) => this.snapshotStatus(id, ok));
    this.all.add(conn);
    conn.timer = setTimeout(
      () => this.closeConn(conn, CloseCode.ProtocolError, 'handshake timed out'),
      this.o.handshakeTimeoutMs,
    );
    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => this.onFrame(conn, data, isBinary));
    ws.on('pong', () => (conn.alive = true));
    ws.on('error', (err: Error) => (conn.problem = err.message));
    ws.on('close', (code: number, reason: Buffer) => this.onClose(conn, code, reason.toString('utf8')));
    return conn;
  }

  // ---- handshake ------------------------------------------------------------

  private onFrame(conn: Connection, data: WebSocket.RawData, isBinary: boolean): void {
    if (conn.state === 'closing' || conn.state === 'closed') return;
    conn.alive = true;
    if (!isBinary) {
      this.closeConn(conn, CloseCode.ProtocolError, 'text frames are not part of the protocol');
      return;
    }
    const frame = toBytes(data);
    if (conn.state === 'open') {
      if (frame.length > 0 && frame[0] === FrameKind.SnapChunk) this.onSnapChunk(conn, frame);
      else this.onBatch(conn, frame);
    }
    else if (conn.direction === 'inbound') this.onHello(conn, frame);
    else this.onWelcome(conn, frame);
  }

  private onHello(conn: Connection, frame: Uint8Array): void {
    const r = readHandshake(frame, FrameKind.Hello, this.o.clusterId);
    if (!r.ok) return this.refuse(conn, r.code, r.reason);
    const { id, to } = r.hs;
    if (to !== this.id) return this.refuse(conn, CloseCode.WrongNode, `this is node ${this.id}, not node ${to}`);
    if (id === this.id) return this.refuse(conn, CloseCode.WrongNode, `peer claims this node's own id ${id}`);
    if (this.removed.has(id)) return this.refuse(conn, CloseCode.Refused, `node ${id} was removed from the cluster`);
    const verdict = this.authorizeOrReason({ id, direction: 'inbound', remoteAddress: conn.remoteAddress, certificate: conn.certificate });
    if (verdict !== true) return this.refuse(conn, CloseCode.Refused, verdict);

    this.pending.delete(conn);
    const peer = this.peers.get(id) ?? this.newPeer(id, undefined);
    conn.peerId = id;
    conn.counters = peer.counters;
    peer.conns.add(conn);
    const welcome = { proto: PROTOCOL, version: PROTOCOL_VERSION, id: this.id, cluster: this.o.clusterId };
    conn.ws.send(encodeHandshake(FrameKind.Welcome, welcome));
    this.promote(peer, conn);
  }

  private onWelcome(conn: Connection, frame: Uint8Array): void {
    const r = readHandshake(frame, FrameKind.Welcome, this.o.clusterId);
    if (!r.ok) return this.closeConn(conn, r.code, r.reason);
    if (r.hs.id !== conn.peerId) {
      return this.closeConn(conn, CloseCode.WrongNode, `expected node ${conn.peerId} but reached node ${r.hs.id}`);
    }
    const verdict = this.authorizeOrReason({ id: conn.peerId, direction: 'outbound', certificate: conn.certificate });
    if (verdict !== true) return this.closeConn(conn, CloseCode.Refused, verdict);
    const peer = this.peers.get(conn.peerId);
    if (!peer || !peer.conns.has(conn)) return this.closeConn(conn, CloseCode.Normal, 'peer was removed');
    this.promote(peer, conn);
  }

  private authorizeOrReason(identity: PeerIdentity): true | string {
    if (!this.authorize) return true;
    try {
      return this.authorize(identity);
    } catch (err) {
      return `authorization failed: ${errorText(err)}`;
    }
  }

  private refuse(conn: Connection, code: number, reason: string): void {
    this.refused++;
    this.o.logger.warn('refused a raft connection', { remote: conn.remoteAddress, code, reason });
    this.closeConn(conn, code, reason);
  }

  /** A handshake completed: make the socket the peer's active one, or settle a duplicate. */
  private promote(peer: Peer, conn: Connection): void {
    clearTimeout(conn.timer);
    conn.timer = undefined;
    conn.state = 'open';
    conn.everOpen = true;
    if (peer.dialing === conn) peer.dialing = undefined;

    const current = peer.active;
    if (current && current !== conn) {
      const keep = this.preferred(peer, current, conn);
      const lose = keep === current ? conn : current;
      peer.active = keep;
      keep.adopt(lose);
      this.closeConn(lose, CloseCode.Superseded, `superseded by the connection dialed by node ${this.dialerOf(keep)}`);
      if (keep === current) return;
    }
    peer.active = conn;
    peer.failures = 0;
    clearTimeout(peer.dialTimer);
    peer.dialTimer = undefined;
    peer.counters.connects++;
    this.lastUnreachable.delete(peer.id);
    if (peer.lastProblem !== undefined) this.o.logger.warn(`peer ${peer.id} connected again`);
    peer.lastProblem = undefined;
    // Our own dial would lose to this socket anyway.
    if (peer.dialing && this.dialerOf(conn) === Math.min(this.id, peer.id)) {
      this.closeConn(peer.dialing, CloseCode.Normal, 'already connected');
    }
  }

  /**
   * Both ends apply this to the same two sockets and so agree on the survivor:
   * the one dialed by the lower id; if one side dialed both, the newer one
   * (that side only redials once it considers the older one dead).
   */
  private preferred(peer: Peer, a: Connection, b: Connection): Connection {
    const low = Math.min(this.id, peer.id);
    const aLow = this.dialerOf(a) === low;
    const bLow = this.dialerOf(b) === low;
    if (aLow !== bLow) return aLow ? a : b;
    return b;
  }

  private dialerOf(c: Connection): NodeId {
    return c.direction === 'outbound' ? this.id : c.peerId;
  }

  // ---- receiving ------------------------------------------------------------

  private onSnapChunk(conn: Connection, frame: Uint8Array): void {
    let result: AssemblyResult;
    try {
      result = conn.incoming.add(decodeSnapChunk(frame));
    } catch (err) {
      this.badFrame(conn, err);
      return;
    }
    if (result.kind === 'partial') return;
    if (result.kind === 'dropped') {
      // Nothing half-received is applied; the leader hears nothing back and sends the snapshot again.
      conn.counters.rejected++;
      this.o.logger.warn('dropped an incoming snapshot transfer', { peer: conn.peerId, reason: result.reason });
      return;
    }
    let m: Message;
    try {
      m = decodeMessage(result.bytes);
    } catch (err) {
      this.badFrame(conn, err);
      return;
    }
    this.deliver(conn, [m], (x) => x.type === MessageType.Snap);
  }

  private badFrame(conn: Connection, err: unknown): void {
    // A frame we cannot parse means the stream is corrupt or the peer is not
    // speaking our protocol; nothing after it on this socket can be trusted.
    conn.counters.decodeErrors++;
    this.o.logger.warn('undecodable frame, closing the connection', { peer: conn.peerId, error: errorText(err) });
    this.closeConn(conn, CloseCode.BadFrame, `undecodable frame: ${errorText(err)}`);
  }

  private onBatch(conn: Connection, frame: Uint8Array): void {
    let messages: Message[];
    try {
      messages = decodeBatch(frame).map((b) => decodeMessage(b));
    } catch (err) {
      this.badFrame(conn, err);
      return;
    }
    this.deliver(conn, messages, () => true);
  }

  private deliver(conn: Connection, messages: Message[], allowed: (m: Message) => boolean): void {
    const counters = conn.counters;
    for (const m of messages) {
      // The handshake bound this socket to one raft id; a peer cannot speak for another.
      if (m.from !== conn.peerId || m.to !== this.id || isLocalMessage(m.type) || !allowed(m)) {
        counters.rejected++;
        continue;
      }
      counters.received++;
      this.callHandler('onMessage', () => this.handlers.onMessage(m));
    }
  }

  // ---- closing --------------------------------------------------------------

  private closeConn(conn: Connection, code: number, reason: string): void {
    if (conn.state === 'closing' || conn.state === 'closed') return;
    conn.state = 'closing';
    this.detach(conn, code, reason);
    clearTimeout(conn.timer);
    conn.timer = setTimeout(() => conn.ws.terminate(), CLOSE_TIMEOUT_MS);
    try {
      conn.ws.close(code, truncateReason(reason));
    } catch {
      conn.ws.terminate();
    }
  }

  private onClose(conn: Connection, code: number, reason: string): void {
    const wasClosing = conn.state === 'closing';
    conn.state = 'closed';
    conn.dispose();
    this.all.delete(conn);
    if (!wasClosing) this.detach(conn, code, reason);
  }

  /** Accounts for a socket going away, whoever closed it, exactly once. */
  private detach(conn: Connection, code: number, reason: string): void {
    if (conn.detached) return;
    conn.detached = true;
    conn.dropQueued();
    if (this.pending.delete(conn)) return;
    const peer = this.peers.get(conn.peerId);
    if (!peer || !peer.conns.delete(conn)) return;

    if (peer.dialing === conn) {
      peer.dialing = undefined;
      peer.failures++;
      const why = reason ? `refused (${code}): ${reason}` : (conn.problem ?? `closed (${code})`);
      this.noteProblem(peer, `cannot connect to ${peer.url}: ${why}`);
    }
    if (peer.active === conn) {
      peer.active = undefined;
      if (code !== CloseCode.Superseded) {
        this.noteProblem(peer, `connection lost (${code}${reason ? `: ${reason}` : ''})`);
        this.reportUnreachable(peer.id);
      }
    }
    if (!peer.url && peer.conns.size === 0) {
      // Known only through its own connection; it will dial again if it still cares.
      this.peers.delete(peer.id);
      return;
    }
    this.scheduleDial(peer);
  }

  private noteProblem(peer: Peer, text: string): void {
    if (this.state !== 'running' || peer.lastProblem === text) return;
    peer.lastProblem = text;
    this.o.logger.warn(`peer ${peer.id}: ${text}`);
  }

  /**
   * Drops sockets that did not answer a single ping (or send anything) for a
   * whole interval. A socket still draining a big backlog is spared: our ping
   * waits behind that data, and the drain itself shows the peer is reading.
   */
  private sweep(): void {
    for (const conn of this.all) {
      if (conn.state !== 'open') continue;
      const draining = conn.ws.bufferedAmount > 0 && conn.writtenBytes !== conn.writtenAtSweep;
      conn.writtenAtSweep = conn.writtenBytes;
      if (!conn.alive && !draining) {
        conn.problem = 'no answer to ping';
        conn.ws.terminate();
        continue;
      }
      conn.alive = false;
      conn.ws.ping();
    }
  }

  // ---- observability --------------------------------------------------------

  stats(): TransportStats {
    const peers: Record<NodeId, PeerStats> = {};
    for (const p of this.peers.values()) {
      const a = p.active;
      peers[p.id] = {
        ...p.counters,
        url: p.url,
        connected: a !== undefined,
        direction: a?.direction,
        sockets: p.conns.size,
        queued: a?.queue.length ?? 0,
        queuedBytes: a?.queue.byteLength ?? 0,
        bufferedBytes: a?.ws.bufferedAmount ?? 0,
      };
    }
    return { id: this.id, droppedUnknown: this.droppedUnknown, refused: this.refused, peers };
  }
}

function toBytes(data: WebSocket.RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}

/** Close reasons are limited to 123 bytes of UTF-8. */
function truncateReason(reason: string): string {
  const b = Buffer.from(reason, 'utf8');
  // Cutting mid-character yields a 3-byte replacement character, hence the margin.
  return b.length <= 123 ? reason : b.subarray(0, 117).toString('utf8') + '...';
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// A node's one TLS port (--listen-addr), routed by path:
//   GET  /ca          anyone: the root CA certificate
//   POST /join        anyone holding a current join token (the owner's handler checks it)
//   WS   /raft        manager certificates of this cluster -> the raft transport
//   WS   /dispatcher  any node certificate of this cluster the owner still accepts
//   WS   /logs        manager certificates: a follower reads `service logs` through the leader
//   H2   /mesh/...    any node certificate of this cluster: node-to-node tunnels (lib/network/mesh)
// The TLS layer asks for a client certificate but does not insist, because a
// joining node has none yet; each route that needs an identity checks it.
// HTTP/1.1 and HTTP/2 share the port: ALPN picks h2 for the mesh client, and
// every other client (ws, the join client) speaks HTTP/1.1 as before.

import * as http2 from 'http2';
import type { IncomingMessage, ServerResponse } from 'http';
import type { AddressInfo, Socket } from 'net';
import type { Duplex } from 'stream';
import type { SecureContextOptions, TLSSocket } from 'tls';
import WebSocket, { WebSocketServer } from 'ws';
import { DISPATCHER_MAX_FRAME_BYTES } from '../api/dispatcher-protocol';
import { JoinTokenError, NodeIdentity, parseNodeCertificate } from '../ca';
import { DEFAULT_LISTEN_ADDR, formatHostPort, parseHostPort } from './address';
import { HTTP2_SETTINGS, MAX_SESSION_MEMORY_MB, SESSION_WINDOW } from './http2-tuning';
import { HttpRefusal, readJsonBody, refuseUpgrade, sendError, sendJson, sendText } from './http-replies';
import { checkJoinRequest, JoinRefused, JoinRequest, JoinResponse, ROUTES } from './join-protocol';
import { PeerVerdict, verifiedPeer } from './peer-auth';

export interface NodeCredentials {
  keyPem: string;
  certPem: string;
  caCertPem: string;
}

/** Issues a certificate for a joining node; throw JoinRefused (401 for a token that is not current) to refuse. */
export type JoinHandler = (request: JoinRequest, context: { remoteAddress?: string }) => Promise<JoinResponse>;

/** What /raft hands authenticated managers to: a WsTransport started with listen: false. */
export interface RaftUpgradeTarget {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

export interface DispatcherRoute {
  /** false for nodes that were removed (or are unknown): their certificates stay valid until expiry. */
  isNodeAllowed(nodeId: string): boolean;
  /** An accepted agent session; the session owns the socket from here on. */
  onSession(ws: WebSocket, identity: NodeIdentity): void;
}

/** A WebSocket for another manager (its certificate checked); the handler owns the socket. */
export interface ManagerStreamRoute {
  onSession(ws: WebSocket, identity: NodeIdentity): void;
}

/**
 * HTTP/2 streams to /mesh/... from another node of this cluster (its certificate
 * checked once per session); the handler owns the stream and must answer it.
 */
export interface MeshRoute {
  onStream(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, identity: NodeIdentity): void;
}

/** Routes this node serves right now; a missing one answers 404 (a worker serves only /ca). */
export interface NodeRoutes {
  join?: JoinHandler;
  raft?: RaftUpgradeTarget;
  dispatcher?: DispatcherRoute;
  logs?: ManagerStreamRoute;
  mesh?: MeshRoute;
}

export interface NodeServerLogger {
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export interface NodeServerOptions extends NodeRoutes {
  /** Default 0.0.0.0:4242; port 0 picks a free one. */
  listenAddr?: string;
  clusterId: string;
  credentials: NodeCredentials;
  /** Largest dispatcher message. Default DISPATCHER_MAX_FRAME_BYTES, what agents send at most. */
  maxDispatcherPayload?: number;
  logger?: NodeServerLogger;
}

type RouteName = 'ca' | 'join' | 'raft' | 'dispatcher' | 'logs' | 'other';

export interface NodeServerStats {
  /** Requests and upgrades that completed TLS, per route, whatever became of them. */
  requests: Record<RouteName, number>;
  /** Upgrades turned away before becoming WebSockets. */
  refusedUpgrades: number;
  /** HTTP/2 streams: handed to the mesh route, and answered with an error here. */
  streams: { mesh: number; refused: number };
  /** Connections that failed the TLS handshake (plain HTTP, bad hello, ...). */
  tlsErrors: number;
}

const MAX_JOIN_BODY = 64 * 1024;
/** How long open dispatcher sessions get to close cleanly when the server closes. */
const CLOSE_GRACE_MS = 1000;

export class NodeServer {
  private readonly clusterId: string;
  private readonly logger: NodeServerLogger;
  private readonly sessions: WebSocketServer;
  private credentials: NodeCredentials;
  private routes: NodeRoutes;
  private closing = false;
  private closed?: Promise<void>;
  /** Every socket handed off by an upgrade; net.Server.close waits for them, so close() must end them. */
  private readonly upgraded = new Set<Duplex>();
  private readonly agents = new Set<WebSocket>();
  /**
   * Every TCP connection, whatever it became: Http2SecureServer has no
   * closeAllConnections, and server.close() waits for idle keep-alive ones too.
   */
  private readonly connections = new Set<Socket>();
  /** Open HTTP/2 sessions and who is on the other end (checked on the first mesh stream). */
  private readonly h2sessions = new Map<http2.Http2Session, PeerVerdict | undefined>();
  private readonly counters: NodeServerStats = {
    requests: { ca: 0, join: 0, raft: 0, dispatcher: 0, logs: 0, other: 0 },
    refusedUpgrades: 0,
    streams: { mesh: 0, refused: 0 },
    tlsErrors: 0,
  };

  private constructor(
    private readonly server: http2.Http2SecureServer,
    o: NodeServerOptions,
  ) {
    this.clusterId = o.clusterId;
    this.credentials = o.credentials;
    this.routes = { join: o.join, raft: o.raft, dispatcher: o.dispatcher, logs: o.logs, mesh: o.mesh };
    this.logger = o.logger ?? { warn: (msg, fields) => console.warn(`[node server] ${msg}`, fields ?? '') };
    this.sessions = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: o.maxDispatcherPayload ?? DISPATCHER_MAX_FRAME_BYTES,
    });
  }

  static async listen(o: NodeServerOptions): Promise<NodeServer> {
    const { host, port } = parseHostPort(o.listenAddr ?? DEFAULT_LISTEN_ADDR, { allowPortZero: true });
    checkOwnCertificate(o.credentials, o.clusterId);
    const server = http2.createSecureServer({
      ...contextOptions(o.credentials),
      // Ask, do not insist: /ca and /join serve nodes without a certificate.
      requestCert: true,
      rejectUnauthorized: false,
      allowHTTP1: true,
      settings: HTTP2_SETTINGS,
      maxSessionMemory: MAX_SESSION_MEMORY_MB,
    });
    const ns = new NodeServer(server, o);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => ns.onRequest(req, res));
    // A 'request' listener makes http2 add its compatibility handler, which
    // wraps every HTTP/2 stream in request/response objects: the mesh opens a
    // stream per proxied connection and needs none of that, so it goes.
    for (const compat of server.listeners('stream')) server.off('stream', compat as (...args: unknown[]) => void);
    server.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => ns.onStream(stream, headers));
    server.on('session', (session: http2.ServerHttp2Session) => ns.onSession(session));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => ns.onUpgrade(req, socket, head));
    server.on('connection', (socket: Socket) => ns.onConnection(socket));
    server.on('tlsClientError', () => ns.counters.tlsErrors++);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return ns;
  }

  /** The bound address, e.g. to learn the port after listening on port 0. */
  address(): { host: string; port: number; addr: string } {
    const a = this.server.address() as AddressInfo;
    return { host: a.address, port: a.port, addr: formatHostPort(a.address, a.port) };
  }

  /**
   * Serves a new certificate (promotion and demotion reissue it) to every
   * connection from now on; established ones keep theirs. Throws, changing
   * nothing, when the key does not fit the certificate or it is of another cluster.
   */
  setCredentials(credentials: NodeCredentials): void {
    checkOwnCertificate(credentials, this.clusterId);
    this.server.setSecureContext(contextOptions(credentials));
    this.credentials = credentials;
  }

  /** Replaces the routes, e.g. when a worker becomes a manager; a missing route answers 404. */
  setRoutes(routes: NodeRoutes): void {
    this.routes = { ...routes };
  }

  stats(): NodeServerStats {
    return { ...this.counters, requests: { ...this.counters.requests }, streams: { ...this.counters.streams } };
  }

  /**
   * Stops accepting and resolves once every connection is gone. Stop the raft
   * transport first so its sockets close cleanly; any left are destroyed here.
   */
  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  private async shutdown(): Promise<void> {
    this.closing = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.all([...this.agents].map((ws) => closeGracefully(ws)));
    for (const s of this.upgraded) s.destroy();
    // Mesh streams are proxied connections that may never end by themselves,
    // so their sockets are cut. Not session.destroy(): it ends each stream
    // with END_STREAM before its reset, and the far end may pass that on to
    // its client as a clean FIN; a socket gone is seen as every stream aborted.
    for (const c of this.connections) c.destroy();
    await closed;
  }

  private onConnection(socket: Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    // Mesh streams carry proxied requests: a small answer must not wait on Nagle.
    socket.setNoDelay(true);
    this.connections.add(socket);
    socket.once('close', () => this.connections.delete(socket));
  }

  // ---- HTTP/2 ---------------------------------------------------------------

  private onSession(session: http2.ServerHttp2Session): void {
    // Session errors (a peer gone mid-frame) also close it; they must not reach the process.
    session.on('error', () => undefined);
    this.h2sessions.set(session, undefined);
    session.once('close', () => this.h2sessions.delete(session));
    session.setLocalWindowSize(SESSION_WINDOW);
  }

  private onStream(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
    // A reset stream emits 'error'; whoever handles it, it must not take the daemon down.
    stream.on('error', () => undefined);
    const path = headers[':path'] ?? '';
    if (!path.startsWith(MESH_PREFIX)) return this.refuseStream(stream, 404, `no such HTTP/2 endpoint: ${path}`);
    if (this.closing) return this.refuseStream(stream, 503, 'node shutting down');
    const mesh = this.routes.mesh;
    if (!mesh) return this.refuseStream(stream, 404, 'this node serves no mesh');
    // No session: the stream was torn down with it before we got here.
    if (!stream.session) return;
    const peer = this.sessionPeer(stream.session);
    if (!peer.ok) return this.refuseStream(stream, 403, `mesh: ${peer.reason}`);
    this.counters.streams.mesh++;
    try {
      mesh.onStream(stream, headers, peer.identity);
    } catch (err) {
      this.logger.warn('mesh stream handler threw', { error: err instanceof Error ? err.message : String(err) });
      if (!stream.headersSent) this.refuseStream(stream, 500, 'mesh: internal error');
      else stream.destroy();
    }
  }

  /** The verified client of a session, checked on its first mesh stream and remembered. */
  private sessionPeer(session: http2.Http2Session): PeerVerdict {
    let verdict = this.h2sessions.get(session);
    if (verdict === undefined) {
      verdict = verifiedPeer(session.socket as TLSSocket, { clusterId: this.clusterId, roles: ['manager', 'worker'] });
      if (!session.destroyed) this.h2sessions.set(session, verdict);
    }
    return verdict;
  }

  private refuseStream(stream: http2.ServerHttp2Stream, status: number, reason: string): void {
    this.counters.streams.refused++;
    if (stream.destroyed || stream.headersSent) return;
    stream.respond({ ':status': status, 'content-type': 'text/plain' });
    stream.end(`${reason}\n`);
  }

  // ---- plain requests -------------------------------------------------------

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    // HTTP/2 streams are served by onStream; this is for HTTP/1.1 clients only.
    if (req.httpVersionMajor === 2) return;
    const route = routeOf(req);
    this.counters.requests[route]++;
    if (this.closing) res.setHeader('connection', 'close');
    switch (route) {
      case 'ca':
        if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, 'use GET /ca', { allow: 'GET, HEAD' });
        return sendText(res, 200, this.credentials.caCertPem, 'application/x-pem-file');
      case 'join':
        if (req.method !== 'POST') return sendError(res, 405, 'use POST /join', { allow: 'POST' });
        void this.join(req, res);
        return;
      case 'raft':
      case 'dispatcher':
        res.setHeader('upgrade', 'websocket');
        return sendError(res, 426, `${ROUTES[route]} is a WebSocket endpoint`);
      case 'other':
        return sendError(res, 404, `no such endpoint: ${pathOf(req)}`);
    }
  }

  private async join(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const handler = this.routes.join;
    try {
      // Checked before reading the body, so a worker never reads a secret it cannot use.
      if (!handler) throw new HttpRefusal(404, 'this node does not accept joins: it is not a manager');
      const checked = checkJoinRequest(await readJsonBody(req, MAX_JOIN_BODY));
      if (!checked.ok) throw new HttpRefusal(400, checked.reason);
      const answer = await handler(checked.value, { remoteAddress: req.socket.remoteAddress });
      sendJson(res, 200, answer);
    } catch (err) {
      if (err instanceof HttpRefusal || err instanceof JoinRefused) return sendError(res, err.status, err.message);
      // Malformed token: its messages are written never to contain the secret.
      if (err instanceof JoinTokenError) return sendError(res, 400, err.message);
      this.logger.warn('join failed', { remote: req.socket.remoteAddress, error: err instanceof Error ? err.message : String(err) });
      sendError(res, 500, 'join failed: internal error on the manager (see its log)');
    }
  }

  // ---- upgrades -------------------------------------------------------------

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => undefined);
    const route = routeOf(req);
    this.counters.requests[route]++;
    if (this.closing) return this.refuse(socket, 503, 'node shutting down');
    if (route === 'raft') return this.upgradeRaft(req, socket, head);
    if (route === 'dispatcher') return this.upgradeDispatcher(req, socket, head);
    if (route === 'logs') return this.upgradeLogs(req, socket, head);
    this.refuse(socket, 404, `no WebSocket endpoint at ${pathOf(req)}`);
  }

  private upgradeRaft(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const raft = this.routes.raft;
    if (!raft) return this.refuse(socket, 404, 'this node is not a manager: no raft here');
    const peer = verifiedPeer(req.socket as TLSSocket, { clusterId: this.clusterId, roles: ['manager'] });
    if (!peer.ok) return this.refuse(socket, 403, `raft: ${peer.reason}`);
    this.track(socket);
    try {
      raft.handleUpgrade(req, socket, head);
    } catch (err) {
      // Thrown from an 'upgrade' listener it would take the whole daemon down.
      this.logger.warn('raft handleUpgrade threw', { error: err instanceof Error ? err.message : String(err) });
      this.refuse(socket, 500, 'raft: internal error');
    }
  }

  private upgradeDispatcher(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const dispatcher = this.routes.dispatcher;
    if (!dispatcher) return this.refuse(socket, 404, 'this node runs no dispatcher');
    const peer = verifiedPeer(req.socket as TLSSocket, { clusterId: this.clusterId, roles: ['manager', 'worker'] });
    if (!peer.ok) return this.refuse(socket, 403, `dispatcher: ${peer.reason}`);
    let allowed: boolean;
    try {
      allowed = dispatcher.isNodeAllowed(peer.identity.nodeId);
    } catch (err) {
      this.logger.warn('isNodeAllowed threw', { node: peer.identity.nodeId, error: err instanceof Error ? err.message : String(err) });
      return this.refuse(socket, 503, 'dispatcher: cannot check the node right now');
    }
    if (!allowed) return this.refuse(socket, 403, `dispatcher: node ${peer.identity.nodeId} is not a member of this cluster (removed?)`);
    this.accept(req, socket, head, 'dispatcher', (ws) => dispatcher.onSession(ws, peer.identity));
  }

  private upgradeLogs(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const logs = this.routes.logs;
    if (!logs) return this.refuse(socket, 404, 'this node is not a manager: no logs here');
    const peer = verifiedPeer(req.socket as TLSSocket, { clusterId: this.clusterId, roles: ['manager'] });
    if (!peer.ok) return this.refuse(socket, 403, `logs: ${peer.reason}`);
    this.accept(req, socket, head, 'logs', (ws) => logs.onSession(ws, peer.identity));
  }

  /** Completes an authorized upgrade and hands the socket over; a throwing handler closes it instead of the daemon. */
  private accept(req: IncomingMessage, socket: Duplex, head: Buffer, route: string, onSession: (ws: WebSocket) => void): void {
    this.track(socket);
    this.sessions.handleUpgrade(req, socket, head, (ws) => {
      if (this.closing) return ws.terminate();
      this.agents.add(ws);
      ws.once('close', () => this.agents.delete(ws));
      try {
        onSession(ws);
      } catch (err) {
        this.logger.warn(`${route} session handler threw`, { error: err instanceof Error ? err.message : String(err) });
        ws.close(1011, 'internal error');
      }
    });
  }

  private refuse(socket: Duplex, status: number, reason: string): void {
    this.counters.refusedUpgrades++;
    refuseUpgrade(socket, status, reason);
  }

  private track(socket: Duplex): void {
    this.upgraded.add(socket);
    socket.once('close', () => this.upgraded.delete(socket));
  }
}

const MESH_PREFIX = '/mesh/';

function contextOptions(c: NodeCredentials): SecureContextOptions & { minVersion: 'TLSv1.2' } {
  // Only the cluster CA verifies client certificates, never the system roots.
  return { key: c.keyPem, cert: c.certPem, ca: c.caCertPem, minVersion: 'TLSv1.2' };
}

function checkOwnCertificate(c: NodeCredentials, clusterId: string): void {
  const info = parseNodeCertificate(c.certPem);
  if (info.clusterId !== clusterId) {
    throw new Error(`node server: certificate of ${info.nodeId} belongs to cluster ${info.clusterId}, not ${clusterId}`);
  }
}

function pathOf(req: IncomingMessage): string {
  try {
    return new URL(req.url ?? '/', 'https://node').pathname;
  } catch {
    return '/';
  }
}

function routeOf(req: IncomingMessage): RouteName {
  switch (pathOf(req)) {
    case ROUTES.ca:
      return 'ca';
    case ROUTES.join:
      return 'join';
    case ROUTES.raft:
      return 'raft';
    case ROUTES.dispatcher:
      return 'dispatcher';
    case ROUTES.logs:
      return 'logs';
    default:
      return 'other';
  }
}

function closeGracefully(ws: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve();
    const timer = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.close(1001, 'node shutting down');
  });
}

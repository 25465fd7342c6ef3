// The far side of the mesh: a stream from another node names a task running
// here and a port; we connect to the task's container and join the two. Served
// as the node server's mesh route, which has already checked that the peer is a
// node of this cluster.

import * as dgram from 'dgram';
import type * as http2 from 'http2';
import { connect as netConnect, isIPv6, Socket } from 'net';
import type { NodeIdentity } from '../../ca';
import type { MeshRoute } from '../../net/node-server';
import { errorCode } from '../dial-error';
import type { ProxyLogger } from '../proxy/types';
import { splice } from '../splice';
import { StreamDatagramChannel } from './datagram-stream';
import { HEADER_PORT, HEADER_TASK, MESH_TCP_PATH, MESH_UDP_PATH, STATUS, statusForConnectError } from './protocol';

export interface MeshServerOptions {
  /** The container address of a task running on this node's engine; undefined for any other task. */
  resolveLocal(taskId: string): string | undefined;
  logger?: ProxyLogger;
  /** How long the container gets to accept. Default 3 s (the dialing side waits about as long). */
  connectTimeoutMs?: number;
}

export interface MeshServerStats {
  /** Streams joined to a container now (TCP connections and UDP flows). */
  active: number;
  /** Streams refused: bad request, unknown task, container refused or unreachable. */
  refused: number;
  /** Streams joined so far. */
  served: number;
}

export class MeshServer implements MeshRoute {
  private readonly timeoutMs: number;
  private readonly counters = { active: 0, refused: 0, served: 0 };
  /** Container-side sockets, so close() can end them. */
  private readonly open = new Set<Socket | dgram.Socket>();

  constructor(private readonly o: MeshServerOptions) {
    this.timeoutMs = o.connectTimeoutMs ?? 3000;
  }

  onStream(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, identity: NodeIdentity): void {
    const taskId = headers[HEADER_TASK];
    const port = Number(headers[HEADER_PORT]);
    if (typeof taskId !== 'string' || taskId === '' || !Number.isInteger(port) || port < 1 || port > 65535) {
      return this.refuse(stream, STATUS.badRequest, `mesh: need headers ${HEADER_TASK} and ${HEADER_PORT} (1-65535)`);
    }
    const path = headers[':path'];
    if (path !== MESH_TCP_PATH && path !== MESH_UDP_PATH) return this.refuse(stream, STATUS.noTask, `mesh: no such endpoint ${String(path)}`);
    let addr: string | undefined;
    try {
      addr = this.o.resolveLocal(taskId);
    } catch (err) {
      this.o.logger?.warn(`mesh: resolving task ${taskId} for node ${identity.nodeId} threw: ${(err as Error).message}`);
    }
    if (addr === undefined) return this.refuse(stream, STATUS.noTask, `task ${taskId} is not running on this node`);
    if (path === MESH_TCP_PATH) this.tcp(stream, addr, port);
    else this.udp(stream, addr, port);
  }

  stats(): MeshServerStats {
    return { ...this.counters };
  }

  /** Ends every container-side connection; their streams are reset. */
  close(): void {
    for (const s of this.open) {
      if (s instanceof Socket) s.destroy();
      else closeDatagramSocket(s);
    }
    this.open.clear();
  }

  private tcp(stream: http2.ServerHttp2Stream, addr: string, port: number): void {
    const socket = netConnect({ host: addr, port, noDelay: true, allowHalfOpen: true });
    let connected = false;
    const timer = setTimeout(() => socket.destroy(Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' })), this.timeoutMs);
    // The client gave up (or its node went) before the container answered.
    const abandon = (): void => {
      clearTimeout(timer);
      socket.destroy();
    };
    stream.once('close', abandon);
    socket.once('error', (err) => {
      // After the connect, errors are splice's to handle.
      if (connected) return;
      clearTimeout(timer);
      stream.off('close', abandon);
      this.refuse(stream, statusForConnectError(errorCode(err)), `task at ${addr}:${port}: ${err.message}`);
    });
    socket.once('connect', () => {
      connected = true;
      clearTimeout(timer);
      stream.off('close', abandon);
      if (stream.destroyed) return void socket.destroy();
      stream.respond({ ':status': STATUS.connected });
      this.joined(socket, () => splice(stream, socket));
    });
  }

  private udp(stream: http2.ServerHttp2Stream, addr: string, port: number): void {
    const socket = dgram.createSocket(isIPv6(addr) ? 'udp6' : 'udp4');
    // ICMP port unreachable on a connected socket surfaces as an error; the flow just stays quiet.
    socket.on('error', () => undefined);
    socket.connect(port, addr, () => {
      if (stream.destroyed) return closeDatagramSocket(socket);
      stream.respond({ ':status': STATUS.connected });
      const channel = new StreamDatagramChannel(stream);
      channel.onMessage((payload) => socket.send(payload));
      socket.on('message', (msg) => channel.send(msg));
      stream.once('close', () => closeDatagramSocket(socket));
      // The client ended its side: the flow is over.
      stream.once('end', () => stream.close());
      this.joined(socket, () => undefined);
    });
  }

  private joined(socket: Socket | dgram.Socket, start: () => void): void {
    this.counters.served++;
    this.counters.active++;
    this.open.add(socket);
    socket.once('close', () => {
      this.counters.active--;
      this.open.delete(socket);
    });
    start();
  }

  private refuse(stream: http2.ServerHttp2Stream, status: number, reason: string): void {
    this.counters.refused++;
    if (stream.destroyed || stream.headersSent) return;
    stream.respond({ ':status': status, 'content-type': 'text/plain' });
    stream.end(`${reason}\n`);
  }
}

/** dgram throws on closing a socket twice; the stream and close() may both get there. */
function closeDatagramSocket(socket: dgram.Socket): void {
  try {
    socket.close();
  } catch {
    // Already closed.
  }
}

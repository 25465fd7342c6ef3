// The listening side of the WebSocket transport: an HTTP(S) server that
// answers plain requests with 426 and hands WebSocket upgrades on one path to
// the transport. Everything else (handshake, peers) is the transport's.

import * as http from 'http';
import * as https from 'https';
import type { AddressInfo } from 'net';
import type { Duplex } from 'stream';
import WebSocket, { WebSocketServer } from 'ws';
import { serverTlsOptions, TransportTlsOptions } from './tls-options';

export interface ListenerOptions {
  host: string;
  port: number;
  path: string;
  tls?: TransportTlsOptions;
  maxPayload: number;
  /** A WebSocket was accepted; its Hello is still to come. */
  onSocket(ws: WebSocket, req: http.IncomingMessage): void;
  /** A connection was turned away before it became a WebSocket (TLS failure, wrong path, shutting down). */
  onRefused(why: string): void;
}

export class Listener {
  private accepting = true;

  private constructor(
    private readonly server: http.Server,
    private readonly wss: WebSocketServer,
  ) {}

  static async open(o: ListenerOptions): Promise<Listener> {
    const server = o.tls ? https.createServer(serverTlsOptions(o.tls)) : http.createServer();
    const wss = new WebSocketServer({ noServer: true, clientTracking: false, perMessageDeflate: false, maxPayload: o.maxPayload });
    const listener = new Listener(server, wss);
    server.on('request', (_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' });
      res.end('raft transport: WebSocket only\n');
    });
    server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', () => undefined);
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (!listener.accepting || path !== o.path) {
        o.onRefused(listener.accepting ? `no raft endpoint at ${path}` : 'shutting down');
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => o.onSocket(ws, req));
    });
    server.on('tlsClientError', (err: Error) => o.onRefused(`TLS: ${err.message}`));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port, o.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return listener;
  }

  address(): AddressInfo {
    return this.server.address() as AddressInfo;
  }

  /** Stops accepting; resolves once every connection the server tracks is gone. */
  async close(): Promise<void> {
    this.accepting = false;
    this.wss.close();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

// The --metrics-addr listener: plain HTTP, GET /metrics and nothing else, as
// Prometheus scrapes it. Plain because scrapers rarely carry the cluster's
// client certificates; bind it to loopback or a monitoring network: the
// figures name services and nodes but carry no secret and change nothing.

import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { AddressInfo } from 'net';
import { parseHostPort } from '../net/address';
import type { NodeMetrics } from './prometheus-metrics';

export class MetricsServer {
  private closed?: Promise<void>;

  private constructor(
    private readonly server: Server,
    /** What it serves; the daemons of the node's roles attach their sources to it in turn. */
    readonly metrics: NodeMetrics,
    /** Where it listens (the port the system chose, for port 0). */
    readonly address: { host: string; port: number },
  ) {}

  /** Listens on `addr` (host:port); rejects with a sentence naming the address when it cannot. */
  static async listen(addr: string, metrics: NodeMetrics, log: { warn(m: string): void }): Promise<MetricsServer> {
    const { host, port } = parseHostPort(addr, { allowPortZero: true });
    const server = createServer((req, res) => void serve(req, res, metrics, log));
    // A scraper holds its connection open between scrapes; a stuck one is not held forever.
    server.keepAliveTimeout = 65_000;
    server.requestTimeout = 10_000;
    await new Promise<void>((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException): void => {
        const why = e.code === 'EADDRINUSE' ? 'the address is in use' : e.code === 'EADDRNOTAVAIL' ? 'no interface of this machine has that address' : e.message;
        reject(new Error(`cannot serve metrics on ${addr}: ${why}`));
      };
      server.once('error', onError);
      server.listen(port, host, () => {
        server.off('error', onError);
        resolve();
      });
    });
    server.on('error', (e) => log.warn(`metrics server: ${e.message}`));
    const a = server.address() as AddressInfo;
    return new MetricsServer(server, metrics, { host, port: a.port });
  }

  /** Idempotent. Done before the data dir's lock is released, so a `swarm start` right after finds the port free. */
  close(): Promise<void> {
    this.closed ??= new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.closed;
  }
}

async function serve(req: IncomingMessage, res: ServerResponse, metrics: NodeMetrics, log: { warn(m: string): void }): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (path !== '/metrics') return reply(res, 404, 'not found: metrics are served at /metrics\n');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return reply(res, 405, `method ${req.method ?? ''} not allowed: use GET\n`);
  }
  try {
    const body = await metrics.scrape();
    res.writeHead(200, { 'Content-Type': metrics.contentType, 'Content-Length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    log.warn(`metrics: a scrape failed: ${msg}`);
    reply(res, 500, `the metrics could not be collected: ${msg}\n`);
  }
}

function reply(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}

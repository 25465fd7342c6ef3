// `swarm dashboard`'s HTTP(S) server: serves the page and relays its API calls
// to the local daemon's control socket, like `kubectl proxy`. It can do what
// that socket allows and no more, and less: only the allow-listed routes
// (access.ts) are relayed. Streamed daemon answers (events, logs) are passed
// through as newline-delimited JSON, which the page reads with a streamed
// fetch (EventSource could not send the bearer token).

import { createServer as createHttpServer, IncomingMessage, request, Server, ServerResponse } from 'http';
import { createServer as createHttpsServer, Server as HttpsServer } from 'https';
import type { AddressInfo } from 'net';
import { DaemonError, DaemonNotRunningError } from '../daemon/control-client';
import type { CliContext } from '../cli/context';
import { HttpRefusal, readJsonBody, sendError, sendJson } from '../net/http-replies';
import { bearerToken, hostsFor, isLoopback, originAllowed, relayKind, tokenMatches } from './access';
import { deployPastedStack, scaleService, setServiceImage } from './actions';
import { Asset } from './assets';

export interface DashboardOptions {
  ctx: CliContext;
  socketPath: string;
  host: string;
  port: number;
  /** Required by API calls when set (always set off loopback). */
  token?: string;
  tls?: { cert: string | Buffer; key: string | Buffer };
  assets: ReadonlyMap<string, Asset>;
}

const MAX_BODY = 1024 * 1024;

// The page runs only its own scripts and talks only to its own origin; nothing frames it;
// the token in the first URL is not sent on as a Referer.
const PAGE_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

export class DashboardServer {
  private server?: Server;
  private https?: HttpsServer;
  private allowedHosts = new Set<string>();
  private readonly streams = new Set<ServerResponse>();

  constructor(private readonly o: DashboardOptions) {
    if (!isLoopback(o.host) && (o.token === undefined || o.tls === undefined)) {
      throw new Error(`a dashboard on ${o.host} (not loopback) needs a token and HTTPS`);
    }
  }

  get url(): string {
    const scheme = this.o.tls ? 'https' : 'http';
    const host = this.o.host.includes(':') ? `[${this.o.host}]` : this.o.host;
    return `${scheme}://${host}:${this.address().port}/`;
  }

  address(): AddressInfo {
    const a = this.server?.address();
    if (!a || typeof a === 'string') throw new Error('the dashboard is not listening');
    return a;
  }

  async start(): Promise<void> {
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.serve(req, res);
    const https = this.o.tls ? createHttpsServer({ cert: this.o.tls.cert, key: this.o.tls.key }, handler) : undefined;
    this.https = https;
    const server = https ?? createHttpServer(handler);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.port, this.o.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.allowedHosts = hostsFor(this.o.host, this.address().port, isLoopback(this.o.host));
  }

  /** A renewed certificate, for new connections; open ones keep theirs. */
  setCertificate(tls: { cert: string | Buffer; key: string | Buffer }): void {
    if (!this.https) throw new Error('this dashboard serves plain HTTP');
    this.https.setSecureContext({ cert: tls.cert, key: tls.key });
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.streams) s.end();
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const origin = originAllowed(this.allowedHosts, req.headers.host, req.headers.origin);
      if (!origin.ok) throw new HttpRefusal(403, origin.why);
      const url = new URL(req.url ?? '/', 'http://dashboard');
      const method = req.method ?? 'GET';
      if (!url.pathname.startsWith('/api/')) return this.serveAsset(method, url.pathname, res);
      if (this.o.token !== undefined && !tokenMatches(this.o.token, bearerToken(req.headers.authorization))) {
        throw new HttpRefusal(401, 'this dashboard wants the token it printed: open the URL it printed (with ?token=)');
      }
      await this.serveApi(method, url, req, res);
    } catch (e) {
      if (res.headersSent) {
        res.end();
        return;
      }
      if (e instanceof HttpRefusal || e instanceof DaemonError) sendError(res, e.status, e.message);
      else if (e instanceof DaemonNotRunningError) sendError(res, 502, e.message);
      else sendError(res, 500, `dashboard error: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private serveAsset(method: string, path: string, res: ServerResponse): void {
    if (method !== 'GET' && method !== 'HEAD') throw new HttpRefusal(405, `${method} is not allowed on ${path}`);
    const asset = this.o.assets.get(path);
    if (!asset) throw new HttpRefusal(404, `no such page: ${path}`);
    res.writeHead(200, { ...PAGE_HEADERS, 'content-type': asset.type, 'content-length': String(asset.body.length), 'cache-control': 'no-cache' });
    res.end(method === 'HEAD' ? undefined : asset.body);
  }

  private async serveApi(method: string, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = url.pathname.slice('/api'.length);
    const action = /^\/(services|stacks)\/([^/]+)\/(scale|image|deploy)$/.exec(path);
    if (action && method === 'POST') {
      const body = await readJsonBody(req, MAX_BODY);
      let ref: string;
      try {
        ref = decodeURIComponent(action[2]);
      } catch {
        throw new HttpRefusal(400, `${action[2]} is not a valid name`);
      }
      const { ctx } = this.o;
      const key = `${action[1]}/${action[3]}`;
      if (key === 'services/scale') return sendJson(res, 200, await scaleService(ctx, ref, body), PAGE_HEADERS);
      if (key === 'services/image') return sendJson(res, 200, await setServiceImage(ctx, ref, body), PAGE_HEADERS);
      if (key === 'stacks/deploy') {
        const answer = await deployPastedStack(ctx, ref, body);
        return sendJson(res, answer.ok ? 200 : 400, answer, PAGE_HEADERS);
      }
    }
    const kind = relayKind(method, path);
    if (!kind) throw new HttpRefusal(404, `${method} ${path} is not something the dashboard relays`);
    const body = method === 'POST' ? await readJsonBody(req, MAX_BODY) : undefined;
    await this.relay(method, `${path}${url.search}`, body, res, kind === 'stream');
  }

  /** One request to the daemon; its status and body go back to the page as they are. */
  private relay(method: string, path: string, body: unknown, res: ServerResponse, streamed: boolean): Promise<void> {
    const data = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<void>((resolve, reject) => {
      const up = request(
        {
          socketPath: this.o.socketPath,
          method,
          path,
          headers: data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {},
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, {
            ...PAGE_HEADERS,
            'content-type': answer.headers['content-type'] ?? 'application/json',
            'cache-control': 'no-store',
            ...(streamed ? { 'x-accel-buffering': 'no' } : {}),
          });
          if (streamed) {
            res.flushHeaders();
            this.streams.add(res);
          }
          answer.pipe(res);
          answer.once('end', resolve);
          answer.once('error', reject);
        },
      );
      // The page went away (closed the tab, changed view): stop the daemon's stream too.
      res.once('close', () => {
        this.streams.delete(res);
        up.destroy();
        resolve();
      });
      up.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED') reject(new DaemonNotRunningError(this.o.ctx.dataDir));
        else reject(e);
      });
      if (data) up.write(data);
      up.end();
    });
  }
}

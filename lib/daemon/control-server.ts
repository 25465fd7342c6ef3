// The daemon's control API: HTTP with JSON bodies over a unix socket that
// only the data dir's owner can open (mode 0600). The CLI is its only client.

import { promises as fsp } from 'fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { HttpRefusal, readJsonBody, sendError, sendJson } from '../net/http-replies';

export interface ControlRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  /** Aborted when the client goes away (for streamed answers). */
  signal: AbortSignal;
}

export interface ControlResponse {
  status: number;
  body: unknown;
  /** A streamed answer instead of `body`: one JSON value per line, until the iterable ends. */
  stream?: AsyncIterable<unknown>;
}

export type ControlHandler = (req: ControlRequest) => Promise<ControlResponse>;

/** A user-facing failure: `status` and a one-line message the CLI prints as is. */
export class ControlError extends HttpRefusal {
  override name = 'ControlError';
}

const MAX_BODY = 4 * 1024 * 1024;

export class ControlServer {
  private server?: Server;

  constructor(
    private readonly socketPath: string,
    private readonly handler: ControlHandler,
  ) {}

  /** Listens on the socket; the caller must hold the data dir's pid lock (a stale socket is removed). */
  async start(): Promise<void> {
    await fsp.rm(this.socketPath, { force: true });
    const server = createServer((req, res) => void this.serve(req, res));
    // The socket must never exist with a looser mode, not even between listen and chmod.
    const oldMask = process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.socketPath, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } finally {
      process.umask(oldMask);
    }
    await fsp.chmod(this.socketPath, 0o600);
    this.server = server;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://swarm');
      const body = await readJsonBody(req, MAX_BODY);
      const abort = new AbortController();
      res.once('close', () => abort.abort());
      const out = await this.handler({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, body, signal: abort.signal });
      if (out.stream) return await streamNdjson(res, out.stream, abort);
      sendJson(res, out.status, out.body ?? null);
    } catch (e) {
      if (e instanceof HttpRefusal) sendError(res, e.status, e.message);
      else sendError(res, 500, `internal error: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
    await fsp.rm(this.socketPath, { force: true });
  }
}

async function streamNdjson(res: ServerResponse, stream: AsyncIterable<unknown>, abort: AbortController): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  try {
    for await (const item of stream) {
      if (abort.signal.aborted) break;
      res.write(`${JSON.stringify(item)}\n`);
    }
  } finally {
    res.end();
  }
}

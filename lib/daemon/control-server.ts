// The daemon's control API: HTTP with JSON bodies over a unix socket that
// only the data dir's owner can open (mode 0600). The CLI is its only client.

import { promises as fsp } from 'fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'http';

export interface ControlRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

export interface ControlResponse {
  status: number;
  body: unknown;
}

export type ControlHandler = (req: ControlRequest) => Promise<ControlResponse>;

/** A user-facing failure: `status` and a one-line message the CLI prints as is. */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ControlError';
  }
}

const MAX_BODY = 4 * 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    const b = c as Buffer;
    size += b.length;
    if (size > MAX_BODY) throw new ControlError(413, `request body over ${MAX_BODY} bytes`);
    chunks.push(b);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new ControlError(400, 'request body is not valid JSON');
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const data = JSON.stringify(body ?? null);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) });
  res.end(data);
}

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
      const body = await readBody(req);
      const out = await this.handler({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, body });
      send(res, out.status, out.body);
    } catch (e) {
      if (e instanceof ControlError) send(res, e.status, { error: e.message });
      else send(res, 500, { error: `internal error: ${e instanceof Error ? e.message : String(e)}` });
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

// The CLI's side of the control socket.

import { request } from 'http';

export class DaemonNotRunningError extends Error {
  constructor(dataDir: string) {
    super(`no swarm daemon is running for data dir ${dataDir} (start one with 'swarm init', 'swarm join' or 'swarm start')`);
    this.name = 'DaemonNotRunningError';
  }
}

/** An error the daemon reported: its message is meant for the user as is. */
export class DaemonError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'DaemonError';
  }
}

export async function callDaemon<T>(
  socketPath: string,
  dataDir: string,
  method: string,
  path: string,
  body?: unknown,
  timeoutMs = 30_000,
): Promise<T> {
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise<T>((resolve, reject) => {
    const req = request(
      {
        socketPath,
        method,
        path,
        headers: data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {},
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let parsed: unknown;
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            reject(new DaemonError(res.statusCode ?? 500, 'the daemon sent an unreadable answer'));
            return;
          }
          const status = res.statusCode ?? 500;
          if (status >= 400) {
            const msg = (parsed as { error?: string } | null)?.error ?? `the daemon answered ${status}`;
            reject(new DaemonError(status, msg));
          } else {
            resolve(parsed as T);
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new DaemonError(504, `the daemon did not answer within ${timeoutMs} ms`)));
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED') reject(new DaemonNotRunningError(dataDir));
      else reject(e);
    });
    if (data) req.write(data);
    req.end();
  });
}

/**
 * A streamed answer (one JSON value per line): `onItem` gets each as it
 * comes; resolves when the daemon ends the stream. An error answer rejects
 * as callDaemon does.
 */
export function streamDaemon(socketPath: string, dataDir: string, path: string, onItem: (item: unknown) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const req = request({ socketPath, method: 'GET', path }, (res) => {
      const status = res.statusCode ?? 500;
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        buf += c;
        if (status >= 400) return;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line.trim()) onItem(JSON.parse(line));
        }
      });
      res.on('end', () => {
        if (status < 400) return resolve();
        let msg = `the daemon answered ${status}`;
        try {
          msg = (JSON.parse(buf) as { error?: string }).error ?? msg;
        } catch {
          // not JSON: keep the status
        }
        reject(new DaemonError(status, msg));
      });
      res.on('error', reject);
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED') reject(new DaemonNotRunningError(dataDir));
      else reject(e);
    });
    req.end();
  });
}

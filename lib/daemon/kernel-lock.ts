// The data dir's lock on Linux: a unix socket listening on a name in the
// abstract namespace. The kernel closes it the moment its process exits, by
// kill -9 too, and even while the process lingers unreaped as a zombie; so a
// daemon that died never leaves the lock behind, and no pid is ever trusted.
//
// Abstract names have no file permissions: any user could listen on one
// first and so keep a daemon from starting. The name is therefore a digest of
// the data dir's real path and a random key stored in the data dir, readable
// by its owner only.

import { createHash, randomBytes } from 'crypto';
import { promises as fsp } from 'fs';
import { createConnection, createServer, Server } from 'net';
import { readFileIfExists } from './atomic-file';

/** Abstract unix socket names exist on Linux only; elsewhere the pid file is the lock. */
export const kernelLocksSupported = process.platform === 'linux';

/** How long a probe waits for the holder to accept; a holder that never does is still a holder. */
const PROBE_TIMEOUT_MS = 2000;

/** The lock's socket name for a data dir with this key. */
export async function lockName(dataDir: string, key: string): Promise<string> {
  const real = await fsp.realpath(dataDir).catch(() => dataDir);
  return `\0swarm-lock-${createHash('sha256').update(real).update('\0').update(key).digest('hex')}`;
}

/** The data dir's key, made on first use. */
export async function lockKey(keyFile: string): Promise<string> {
  return (await readKey(keyFile)) ?? createKey(keyFile);
}

/** The data dir's key if it has one: without, no daemon has ever locked it. */
export async function readKey(keyFile: string): Promise<string | undefined> {
  const key = (await readFileIfExists(keyFile))?.trim();
  return key === '' ? undefined : key;
}

/** Two daemons starting at once on a new data dir must agree on one key: link() lets only one win. */
async function createKey(keyFile: string): Promise<string> {
  const tmp = `${keyFile}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  await fsp.writeFile(tmp, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await fsp.link(tmp, keyFile);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    await fsp.rm(tmp, { force: true });
  }
  const key = await readKey(keyFile);
  if (key === undefined) throw new Error(`${keyFile} is empty: remove it and start again`);
  return key;
}

/** Takes the lock: the listening server while we hold it, or undefined when another process holds it. */
export function holdKernelLock(name: string): Promise<Server | undefined> {
  return new Promise((resolve, reject) => {
    // A probe only needs its connection accepted; nothing is ever said on it.
    const server = createServer((conn) => conn.destroy());
    server.once('error', (e: NodeJS.ErrnoException) => (e.code === 'EADDRINUSE' ? resolve(undefined) : reject(e)));
    server.listen(name, () => {
      server.removeAllListeners('error');
      // A failed accept only leaves one probe unanswered (it then counts the lock as held); it must not end the daemon.
      server.on('error', () => undefined);
      // The lock never keeps a process alive on its own: a daemon that fails to start must still exit.
      server.unref();
      resolve(server);
    });
  });
}

export function releaseKernelLock(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Whether some process holds the lock, found by connecting to it (listening would take it, if only for a moment). */
export function kernelLockHeld(name: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const conn = createConnection(name);
    const done = (held: boolean) => {
      conn.destroy();
      resolve(held);
    };
    conn.setTimeout(PROBE_TIMEOUT_MS, () => done(true));
    conn.once('connect', () => done(true));
    conn.once('error', (e: NodeJS.ErrnoException) => {
      conn.destroy();
      if (e.code === 'ECONNREFUSED' || e.code === 'ENOENT') resolve(false);
      else reject(e);
    });
  });
}

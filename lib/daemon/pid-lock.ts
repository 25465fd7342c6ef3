// The pid file doubles as the data dir's lock: two daemons on one data dir
// would corrupt the WAL, so the second one must refuse to start.

import { promises as fsp, readFileSync } from 'fs';

export class DataDirLockedError extends Error {
  constructor(
    readonly pid: number,
    dir: string,
  ) {
    super(`a swarm daemon (pid ${pid}) is already running with data dir ${dir}`);
    this.name = 'DataDirLockedError';
  }
}

/** Whether `pid` names a live process (signal 0 checks without sending anything). */
export function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else, which still means alive.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readPid(pidFile: string): number | undefined {
  try {
    const n = Number(readFileSync(pidFile, 'utf8').trim());
    return Number.isSafeInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

export interface PidLock {
  release(): Promise<void>;
}

/**
 * Creates the pid file exclusively. A pid file left by a daemon that died
 * (kill -9, reboot) is stale: it is replaced, once.
 */
export async function acquirePidLock(pidFile: string, dataDir: string, pid = process.pid): Promise<PidLock> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await fsp.open(pidFile, 'wx', 0o600);
      await fh.writeFile(`${pid}\n`);
      await fh.sync();
      await fh.close();
      return {
        release: async () => {
          // Only remove our own pid file, never a successor's.
          if (readPid(pidFile) === pid) await fsp.rm(pidFile, { force: true });
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = readPid(pidFile);
      if (owner !== undefined && owner !== pid && processAlive(owner)) throw new DataDirLockedError(owner, dataDir);
      await fsp.rm(pidFile, { force: true });
    }
  }
  throw new Error(`could not create ${pidFile}: another process keeps recreating it`);
}

// The data dir's lock: two daemons on one data dir would corrupt the WAL, so
// the second one must refuse to start. On Linux the lock is a socket the
// kernel drops when its process exits (kernel-lock.ts); the pid file then only
// says which process holds it. Elsewhere the pid file is the lock, and a pid
// that no longer names a swarm daemon does not hold it.

import { promises as fsp, readFileSync } from 'fs';
import { Server } from 'net';
import { layout } from './data-dir';
import { writeFileAtomic } from './atomic-file';
import { holdKernelLock, kernelLockHeld, kernelLocksSupported, lockKey, lockName, readKey, releaseKernelLock } from './kernel-lock';
import { swarmDaemonAlive } from './process-check';

export class DataDirLockedError extends Error {
  constructor(
    /** From the pid file, which a holder that has only just taken the lock may not have written yet. */
    readonly pid: number | undefined,
    dir: string,
  ) {
    super(`a swarm daemon ${pid === undefined ? '' : `(pid ${pid}) `}is already running with data dir ${dir}`);
    this.name = 'DataDirLockedError';
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

/** Locks the data dir for this process (`pid` is what the pid file will say), or throws DataDirLockedError. */
export async function acquirePidLock(dataDir: string, pid = process.pid): Promise<PidLock> {
  const dir = layout(dataDir);
  if (!kernelLocksSupported) return acquireByPidFile(dataDir, pid);
  const server = await holdKernelLock(await lockName(dataDir, await lockKey(dir.lockKey)));
  if (!server) throw new DataDirLockedError(readPid(dir.pid), dataDir);
  try {
    // A daemon of a version before the kernel lock holds the pid file only.
    refuseLiveOwner(dataDir, pid);
    await writeFileAtomic(dir.pid, `${pid}\n`);
  } catch (e) {
    await releaseKernelLock(server);
    throw e;
  }
  return { release: () => releaseBoth(dir.pid, pid, server) };
}

/** Refuses when the pid file names another running swarm daemon for this data dir. */
function refuseLiveOwner(dataDir: string, pid: number): void {
  const owner = readPid(layout(dataDir).pid);
  if (owner !== undefined && owner !== pid && swarmDaemonAlive(owner, dataDir)) throw new DataDirLockedError(owner, dataDir);
}

async function releaseBoth(pidFile: string, pid: number, server: Server | undefined): Promise<void> {
  // Only remove our own pid file, never a successor's; and before the lock goes, so a successor's is never at risk.
  if (readPid(pidFile) === pid) await fsp.rm(pidFile, { force: true });
  if (server) await releaseKernelLock(server);
}

/**
 * Without kernel locks: creates the pid file exclusively. One left by a
 * daemon that died (kill -9, reboot) names no running swarm daemon and is
 * replaced, once.
 */
async function acquireByPidFile(dataDir: string, pid: number): Promise<PidLock> {
  const pidFile = layout(dataDir).pid;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await fsp.open(pidFile, 'wx', 0o600);
      await fh.writeFile(`${pid}\n`);
      await fh.sync();
      await fh.close();
      return { release: () => releaseBoth(pidFile, pid, undefined) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      refuseLiveOwner(dataDir, pid);
      await fsp.rm(pidFile, { force: true });
    }
  }
  throw new Error(`could not create ${pidFile}: another process keeps recreating it`);
}

/**
 * Whether a daemon holds the data dir's lock, without taking it (the CLI asks
 * before starting one): undefined when none does, else the holder's pid as
 * far as the pid file says.
 */
export async function lockHolder(dataDir: string): Promise<{ pid: number | undefined } | undefined> {
  const dir = layout(dataDir);
  if (kernelLocksSupported) {
    const key = await readKey(dir.lockKey);
    if (key !== undefined && (await kernelLockHeld(await lockName(dataDir, key)))) return { pid: readPid(dir.pid) };
  }
  const pid = readPid(dir.pid);
  return pid !== undefined && pid !== process.pid && swarmDaemonAlive(pid, dataDir) ? { pid } : undefined;
}

// Whether a pid read from a pid file still names a swarm daemon. kill(pid, 0)
// alone answers yes for a zombie (a killed daemon its parent has not reaped
// yet, which on hosts whose pid 1 reaps slowly lasts seconds) and for
// whatever unrelated process was given the pid next. Linux's /proc tells them
// apart; where there is no /proc, kill(pid, 0) is all there is.

import { readFileSync } from 'fs';
import { basename, resolve, sep } from 'path';

/** Whether `pid` names a running process: one that exists and has not finished exiting. */
export function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: it exists but belongs to someone else, which still means alive.
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return !exited(pid);
}

/**
 * Whether /proc shows `pid` as a zombie with no thread left. The main thread
 * of a killed process turns zombie first; its other threads may still be
 * exiting, and the last of them is what closes its files and sockets.
 */
function exited(pid: number): boolean {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return false;
  }
  const state = /^State:\s*(\S)/m.exec(status)?.[1];
  const threads = Number(/^Threads:\s*(\d+)/m.exec(status)?.[1] ?? '1');
  return (state === 'Z' || state === 'X') && threads <= 1;
}

/**
 * Whether `pid` is a running swarm daemon for `dataDir`: a node process whose
 * script is the swarm CLI (the `swarm` shim or `bin/cli.js`), running `daemon`
 * (detached) or `--foreground`, and not for another data dir. Without /proc
 * to read the command line from, any running process counts: refusing to
 * start is the safe mistake.
 */
export function swarmDaemonAlive(pid: number, dataDir: string): boolean {
  if (!processAlive(pid)) return false;
  const argv = procCmdline(pid);
  if (argv === undefined) return true;
  return isSwarmDaemonCommand(argv, dataDir);
}

function procCmdline(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
  } catch {
    return undefined;
  }
}

/** Exported for tests: the command-line test of swarmDaemonAlive. */
export function isSwarmDaemonCommand(argv: readonly string[], dataDir: string): boolean {
  if (argv.length === 0 || !basename(argv[0]).startsWith('node')) return false;
  // The script is node's first argument that is not one of node's own options.
  const scriptAt = argv.findIndex((a, i) => i > 0 && !a.startsWith('-'));
  if (scriptAt < 0) return false;
  const script = argv[scriptAt];
  if (basename(script) !== 'swarm' && !script.endsWith(`${sep}bin${sep}cli.js`)) return false;
  const args = argv.slice(scriptAt + 1);
  if (!args.includes('daemon') && !args.includes('--foreground')) return false;
  const given = dataDirArg(args);
  // A daemon started without --data-dir found its data dir in the environment, which /proc/PID/environ may not show us.
  return given === undefined || resolve(given) === resolve(dataDir);
}

function dataDirArg(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--data-dir') return args[i + 1];
    if (args[i].startsWith('--data-dir=')) return args[i].slice('--data-dir='.length);
  }
  return undefined;
}

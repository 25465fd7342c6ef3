// Our daemons for the benches: one data dir and one 127.0.0.1 port each,
// started through the compiled CLI as a user would, and stopped by pid —
// `swarm stop`, then SIGTERM, then SIGKILL — whatever state they are in.

import { spawn } from 'child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'fs';
import { join } from 'path';
import { performance } from 'perf_hooks';
import { callDaemon } from '../../lib/daemon/control-client';
import { freePort } from '../../lib/raft/process/process-cluster';
import { execTool, ExecResult } from './exec';
import { checkNotAborted, log } from './lifecycle';

export const SWARM_BIN = join(__dirname, '..', '..', '..', 'bin', 'swarm');

export interface SwarmNode {
  name: string;
  dir: string;
  addr: string;
}

export async function makeNode(root: string, name: string): Promise<SwarmNode> {
  return { name, dir: join(root, name), addr: `127.0.0.1:${await freePort()}` };
}

/** `swarm --data-dir DIR ARGS…`: the data dir goes first, as `service create` hands the words after IMAGE to the container. */
export function swarmCli(n: SwarmNode, args: readonly string[], timeoutMs = 60_000, evenIfAborted = false): Promise<ExecResult> {
  return execTool(process.execPath, [SWARM_BIN, '--data-dir', n.dir, ...args], timeoutMs, evenIfAborted);
}

/** A control-socket call: polls go there, as spawning a CLI per poll would cost ~0.5 s of Node start-up each. */
export function api<T>(n: SwarmNode, method: string, path: string, body?: unknown, timeoutMs = 5_000): Promise<T> {
  checkNotAborted();
  return callDaemon<T>(join(n.dir, 'swarm.sock'), n.dir, method, path, body, timeoutMs);
}

export function readPid(n: SwarmNode): number | undefined {
  try {
    return Number(readFileSync(join(n.dir, 'swarm.pid'), 'utf8').trim()) || undefined;
  } catch {
    return undefined;
  }
}

export function nodeIdOf(n: SwarmNode): string {
  return (JSON.parse(readFileSync(join(n.dir, 'identity.json'), 'utf8')) as { nodeId: string }).nodeId;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function gone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (alive(pid)) {
    if (performance.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** The daemons this run started, by pid: only those are ever signalled. */
export class Daemons {
  private readonly pids = new Map<number, SwarmNode>();

  /** Runs `swarm init|join|start …` (which detaches a daemon) and records the daemon's pid. */
  async start(n: SwarmNode, args: readonly string[]): Promise<number> {
    checkNotAborted();
    try {
      await swarmCli(n, args);
    } finally {
      // Recorded even when the command failed: it may have got as far as starting the daemon.
      const pid = readPid(n);
      if (pid) this.pids.set(pid, n);
    }
    const pid = readPid(n);
    if (!pid) throw new Error(`${n.name}: no pid file after swarm ${args[0]}`);
    return pid;
  }

  /**
   * Runs `swarm init|join|start … --foreground` as a child of `node NODE_FLAGS`
   * (e.g. --cpu-prof, which NODE_OPTIONS may not carry, so a detached daemon
   * cannot be profiled), its output appended to swarm.log as a detached one's
   * is; resolves with its pid once its control socket answers. It gets its own
   * process group, so a Ctrl-C at the terminal reaches the bench alone, which
   * then stops it by pid like any other daemon of the run (and a clean stop is
   * what makes node write its profile).
   */
  async startForeground(n: SwarmNode, args: readonly string[], nodeFlags: readonly string[], timeoutMs = 60_000): Promise<number> {
    checkNotAborted();
    mkdirSync(n.dir, { recursive: true, mode: 0o700 });
    const out = openSync(join(n.dir, 'swarm.log'), 'a', 0o600);
    const child = spawn(process.execPath, [...nodeFlags, SWARM_BIN, '--data-dir', n.dir, ...args, '--foreground'], { detached: true, stdio: ['ignore', out, out] });
    closeSync(out);
    let exited: number | null | undefined;
    child.once('exit', (code) => (exited = code));
    child.unref();
    // The child's pid is the daemon's: recorded at once, so a failure below still stops it.
    if (child.pid !== undefined) this.pids.set(child.pid, n);
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      checkNotAborted();
      if (exited !== undefined) throw new Error(`${n.name}: swarm ${args[0]} --foreground exited (${exited}); see ${join(n.dir, 'swarm.log')}`);
      try {
        await callDaemon(join(n.dir, 'swarm.sock'), n.dir, 'GET', '/v1/info', undefined, 2_000);
        break;
      } catch {
        // not up yet
      }
      if (performance.now() > deadline) throw new Error(`${n.name}: no answer on its control socket within ${timeoutMs} ms; see ${join(n.dir, 'swarm.log')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const pid = readPid(n);
    if (pid === undefined || pid !== child.pid) throw new Error(`${n.name}: pid file says ${pid}, the child is ${child.pid}`);
    return pid;
  }

  /** `swarm stop`, then SIGTERM, then SIGKILL, for every daemon of this run still alive. */
  async stopAll(): Promise<void> {
    await Promise.all(
      [...this.pids].map(async ([pid, n]) => {
        if (!alive(pid)) return;
        await swarmCli(n, ['stop'], 15_000, true).catch(() => undefined);
        if (await gone(pid, 5_000)) return;
        log(`${n.name}: still alive after swarm stop, SIGTERM to ${pid}`);
        signal(pid, 'SIGTERM');
        if (await gone(pid, 5_000)) return;
        log(`${n.name}: still alive after SIGTERM, SIGKILL to ${pid}`);
        signal(pid, 'SIGKILL');
        await gone(pid, 5_000);
      }),
    );
  }
}

/** Wall time (ms) of the last "became leader" line in the node's log, if any: the daemons log ISO times first. */
export function becameLeaderAt(n: SwarmNode): number | undefined {
  let text = '';
  try {
    text = readFileSync(join(n.dir, 'swarm.log'), 'utf8');
  } catch {
    return undefined;
  }
  const line = text
    .split('\n')
    .filter((l) => l.includes('became leader at term'))
    .pop();
  const at = line === undefined ? NaN : Date.parse(line.slice(0, line.indexOf(' ')));
  return Number.isNaN(at) ? undefined : at;
}

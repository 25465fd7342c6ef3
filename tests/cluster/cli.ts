// Runs the real `swarm` CLI (compiled) against a data dir, as a user would.

import { execFile } from 'child_process';
import { readFileSync } from 'fs';
import { join } from 'path';
import { processAlive } from '../../lib/daemon/process-check';

const BIN = join(__dirname, '..', '..', 'bin', 'swarm');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function swarm(dataDir: string, args: string[], timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, '--data-dir', dataDir, ...args], { timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export async function swarmOk(dataDir: string, args: string[]): Promise<string> {
  const r = await swarm(dataDir, args);
  if (r.code !== 0) throw new Error(`swarm ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** The daemon's pid from its pid file, to kill it the hard way. */
export function daemonPid(dataDir: string): number | undefined {
  try {
    return Number(readFileSync(join(dataDir, 'swarm.pid'), 'utf8').trim()) || undefined;
  } catch {
    return undefined;
  }
}

export function killHard(dataDir: string): void {
  const pid = daemonPid(dataDir);
  if (pid) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Waits until `pid` has exited; a zombie has (its sockets are closed), however long its parent takes to reap it. */
export async function waitGone(pid: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!processAlive(pid)) return;
    if (Date.now() > deadline) throw new Error(`process ${pid} still alive after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** One row of `swarm node ls --format json`. */
export interface NodeRow {
  ID: string;
  Hostname: string;
  Status: string;
  Availability: string;
  ManagerStatus: string;
  Self: boolean;
}

export async function nodeRows(dataDir: string): Promise<NodeRow[]> {
  return (await swarmOk(dataDir, ['node', 'ls', '--format', 'json']))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as NodeRow);
}

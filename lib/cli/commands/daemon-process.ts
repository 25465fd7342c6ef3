// Running the node daemon: detached (what `swarm init/join/start` do by
// default, returning once it is ready) or in the foreground (systemd,
// containers, tests), stopping cleanly on SIGTERM/SIGINT.

import { spawn } from 'child_process';
import { mkdirSync, openSync, readFileSync } from 'fs';
import { callDaemon } from '../../daemon/control-client';
import { layout } from '../../daemon/data-dir';
import { Logger } from '../../util/logger';

export function daemonLogger(): Logger {
  const line = (level: string, m: string) => process.stderr.write(`${new Date().toISOString()} ${level} ${m}\n`);
  return { debug() {}, info: (m) => line('info', m), warn: (m) => line('warn', m) };
}

/** Keeps a foreground daemon until a signal, then stops it; resolves when it is down. */
export async function holdForeground(stop: () => Promise<void>, done: Promise<void>): Promise<void> {
  const onSignal = () => void stop();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  await done;
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
}

/**
 * Starts `swarm daemon ARGS` detached, its output appended to swarm.log, and
 * waits until its control socket answers. If it exits first, the error is the
 * last lines of its log.
 */
export async function startDetached(
  dataDir: string,
  args: string[],
  timeoutMs = 60_000,
  env: Record<string, string> = {},
): Promise<void> {
  const dir = layout(dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const log = openSync(dir.log, 'a', 0o600);
  const cli = process.argv[1];
  const child = spawn(process.execPath, [cli, 'daemon', '--data-dir', dataDir, ...args], {
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, ...env },
  });
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  child.unref();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited !== undefined) throw new Error(lastError(dir.log) ?? `the daemon exited with status ${exited}; see ${dir.log}`);
    try {
      await callDaemon(dir.socket, dataDir, 'GET', '/v1/info', undefined, 2000);
      return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`the daemon did not become ready within ${timeoutMs / 1000} s; see ${dir.log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The daemon's own one-line reason for failing, from the end of its log. */
function lastError(logFile: string): string | undefined {
  try {
    const lines = readFileSync(logFile, 'utf8').trimEnd().split('\n');
    const last = lines.reverse().find((l) => l.includes('Error: ') || l.includes(' warn '));
    return last?.replace(/^.*?Error: /, '').replace(/^\S+ warn /, '');
  } catch {
    return undefined;
  }
}

// What every command needs: the data dir it addresses and a way to call its daemon.

import { Command } from 'commander';
import { callDaemon } from '../daemon/control-client';
import { layout, resolveDataDir } from '../daemon/data-dir';

export interface CliContext {
  dataDir: string;
  call<T>(method: string, path: string, body?: unknown, timeoutMs?: number): Promise<T>;
  out(text: string): void;
}

export function contextOf(cmd: Command): CliContext {
  const opts = cmd.optsWithGlobals<{ dataDir?: string }>();
  const dataDir = resolveDataDir(opts.dataDir);
  const socket = layout(dataDir).socket;
  return {
    dataDir,
    call: (method, path, body, timeoutMs) => callDaemon(socket, dataDir, method, path, body, timeoutMs),
    out: (text) => process.stdout.write(text),
  };
}

/** Runs a command's action; a failure is one line on stderr and exit status 1, as docker does. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      process.stderr.write(`Error: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    }
  };
}

/** Printed when a manager without a quorum answers from its last known state. */
export const STALE_WARNING = "warning: the swarm has no quorum; this is this manager's last known state\n";

/**
 * Runs `fn` for each reference, as docker does for commands that take several
 * (rm, promote, ...): every one is tried, then the failures are reported together.
 */
export async function forEachRef(refs: readonly string[], fn: (ref: string) => Promise<void>, after?: () => Promise<void>): Promise<void> {
  const errors: string[] = [];
  for (const ref of refs) {
    try {
      await fn(ref);
    } catch (e) {
      errors.push(e instanceof Error ? e.message : String(e));
    }
  }
  // What succeeded is seen through (waiting for it, say) before the failures are reported.
  if (after) await after();
  if (errors.length > 0) throw new Error(errors.join('\n'));
}

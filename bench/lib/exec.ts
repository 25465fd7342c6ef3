// Runs a command-line tool (the swarm CLI, the docker CLI) to completion,
// bounded in time, and says how long it took: for the benches the command's
// own duration is part of the story (a Node CLI starts far slower than a Go one).

import { execFile } from 'child_process';
import { performance } from 'perf_hooks';
import { checkNotAborted } from './lifecycle';

export interface ExecResult {
  stdout: string;
  ms: number;
}

/** Fails with the tool's own message; refuses to start once the bench is shutting down unless `evenIfAborted`. */
export function execTool(file: string, args: readonly string[], timeoutMs = 60_000, evenIfAborted = false): Promise<ExecResult> {
  if (!evenIfAborted) checkNotAborted();
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    execFile(file, [...args], { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const ms = performance.now() - t0;
      const name = file === process.execPath ? 'swarm' : file;
      if (err) reject(new Error(`${name} ${args.join(' ')} failed: ${stderr.trim() || stdout.trim() || err.message}`));
      else resolve({ stdout, ms });
    });
  });
}

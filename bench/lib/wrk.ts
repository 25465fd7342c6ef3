// wrk, the HTTP load generator, as the benches drive it: its figures come from
// a Lua done() hook that prints them as JSON, exact (bytes, microseconds)
// rather than parsed back from the rounded text wrk prints for people
// ("2.21GB read", "1.18s").

import { execFile, spawnSync } from 'child_process';
import { writeFileSync } from 'fs';
import { join } from 'path';
import { benchAbort, checkNotAborted } from './lifecycle';

export interface WrkResult {
  /** Requests completed. */
  requests: number;
  /** Bytes read, partial responses included (wrk counts every read). */
  bytes: number;
  seconds: number;
  rps: number;
  /** 10^6 bytes per second. */
  mbps: number;
  p50ms: number;
  p99ms: number;
  maxms: number;
  /** Socket errors and non-2xx/3xx answers, as wrk counts them. */
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
}

export interface WrkRun {
  url: string;
  connections: number;
  threads?: number;
  seconds: number;
  /** A request still unanswered after this long is counted as a timeout; wrk's default (2 s) is shorter than a SYN retried twice. */
  timeoutS?: number;
}

const MARK = 'WRKJSON ';
const SCRIPT = `-- Written by the bench: the figures of a run as one JSON line.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('${MARK}{"duration_us":%d,"requests":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d,"max_us":%d}\\n',
    summary.duration, summary.requests, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
`;

/** Whether `wrk` can be run at all (it answers -v with its version and status 1). */
export function haveWrk(): boolean {
  const r = spawnSync('wrk', ['-v'], { stdio: 'ignore', timeout: 5_000 });
  return (r.error as NodeJS.ErrnoException | undefined)?.code !== 'ENOENT';
}

/** Writes the done() script into `dir`; its path is what runWrk takes. */
export function writeWrkScript(dir: string): string {
  const file = join(dir, 'wrk-done.lua');
  writeFileSync(file, SCRIPT);
  return file;
}

export async function runWrk(script: string, r: WrkRun): Promise<WrkResult> {
  const threads = Math.min(r.threads ?? 2, r.connections);
  const args = [`-t${threads}`, `-c${r.connections}`, `-d${r.seconds}s`, `--timeout`, `${r.timeoutS ?? 10}s`, '-s', script, r.url];
  checkNotAborted();
  // The bench's abort (Ctrl-C, deadline) kills a run in progress: no wrk outlives the bench.
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile('wrk', args, { timeout: (r.seconds + 30) * 1000, signal: benchAbort.signal, maxBuffer: 1024 * 1024 }, (err, out, stderr) => {
      if (err) reject(new Error(`wrk ${args.join(' ')} failed: ${String(stderr).trim() || err.message}`));
      else resolve(String(out));
    });
  });
  const line = stdout.split('\n').find((l) => l.startsWith(MARK));
  if (line === undefined) throw new Error(`wrk ${args.join(' ')}: no figures in its output: ${stdout.trim().slice(-300)}`);
  const j = JSON.parse(line.slice(MARK.length)) as Record<string, number>;
  const seconds = j.duration_us / 1e6;
  return {
    requests: j.requests,
    bytes: j.bytes,
    seconds,
    rps: j.requests / seconds,
    mbps: j.bytes / seconds / 1e6,
    p50ms: j.p50_us / 1000,
    p99ms: j.p99_us / 1000,
    maxms: j.max_us / 1000,
    errors: { connect: j.connect, read: j.read, write: j.write, status: j.status, timeout: j.timeout },
  };
}

export function errorCount(r: WrkResult): number {
  const e = r.errors;
  return e.connect + e.read + e.write + e.status + e.timeout;
}

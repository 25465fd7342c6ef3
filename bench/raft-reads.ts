// Linearizable read latency on the raft leader while the followers' event
// loops are held now and then (busy applying, GC): one ReadIndex heartbeat
// round per read against the leader lease (docs/raft.md, "Reads"). Three
// member processes over the WebSocket transport, fsync on; the followers
// stall for stretches of --stall-min..--stall-max ms with gaps as long.
// Reads start at a fixed rate (open loop), so slow stretches count fully.
// The last line is the JSON summary.
//
//   npm run bench:raft-reads [-- --seconds S --rate READS_PER_S --stall-min MS --stall-max MS]

import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ProcessCluster } from '../lib/raft/process/process-cluster';
import { LoadResult } from '../lib/raft/process/protocol';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return def;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} needs a non-negative number, got ${process.argv[i + 1]}`);
  return v;
}

const SECONDS = arg('seconds', 10);
const RATE = arg('rate', 500);
const STALL_MIN = arg('stall-min', 100);
const STALL_MAX = arg('stall-max', 800);

interface Run extends LoadResult {
  leaseReads: number;
}

async function measure(leaseReads: boolean, stall: boolean): Promise<Run> {
  const root = mkdtempSync(join(tmpdir(), 'swarm-bench-raft-reads-'));
  const cluster = await ProcessCluster.create(root, 3, { leaseReads });
  try {
    const leader = await cluster.waitForLeader();
    // A write of this term, so reads need not wait for the no-op.
    await leader.request({ op: 'put', key: 'k', value: 'v' });
    const durationMs = SECONDS * 1000;
    const stalls = stall
      ? [...cluster.members.values()]
          .filter((m) => m !== leader)
          .map((m) => m.request({ op: 'stall', durationMs, minMs: STALL_MIN, maxMs: STALL_MAX }, durationMs + 30_000))
      : [];
    const r = await leader.request({ op: 'reads', durationMs, perSecond: RATE }, durationMs + 30_000);
    await Promise.all(stalls);
    if (!r.ok || !r.load) throw new Error(`reads failed: ${r.ok ? 'no result' : r.error}`);
    return { ...r.load, leaseReads: r.leaseReads ?? 0 };
  } finally {
    await cluster.stopAll();
    rmSync(root, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const out: Record<string, Run> = {};
  for (const stall of [false, true]) {
    for (const lease of [false, true]) {
      const label = `${lease ? 'lease' : 'readindex'}${stall ? '_stalled' : ''}`;
      const r = await measure(lease, stall);
      out[label] = r;
      console.log(
        `${label.padEnd(20)} ${String(r.count).padStart(7)} reads in ${r.seconds.toFixed(1)} s = ${Math.round(r.perSecond)}/s  ` +
          `p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms  from lease ${r.leaseReads}  errors ${r.errors}`,
      );
    }
  }
  const pick = (r: Run) => ({ p50_ms: r.p50Ms, p99_ms: r.p99Ms, from_lease: r.leaseReads, errors: r.errors });
  console.log(
    JSON.stringify({
      bench: 'raft-reads',
      seconds: SECONDS,
      reads_per_s: RATE,
      stall_ms: [STALL_MIN, STALL_MAX],
      ...Object.fromEntries(Object.entries(out).map(([k, v]) => [k, pick(v)])),
    }),
  );
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : String(e));
  process.exit(1);
});

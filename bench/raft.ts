// Raft throughput and latency with on-disk WAL and fsync on, three nodes:
// (a) one client proposing 256-byte entries one after another,
// (b) 256 concurrent clients (the driver batches their proposals).
// First in one process over the in-memory network, then over the real
// WebSocket transport with three processes. The last line is the JSON summary.
//
//   npm run bench:raft [-- --sequential N --batched N --size BYTES --concurrency C]

import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { RaftNode } from '../lib/raft/node/raft-node';
import { KvMachine } from '../lib/raft/process/kv-machine';
import { runLoad } from '../lib/raft/process/load';
import { ProcessCluster } from '../lib/raft/process/process-cluster';
import { LoadResult } from '../lib/raft/process/protocol';
import { LocalNetwork } from '../lib/raft/transport';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

const SEQUENTIAL = arg('sequential', 2_000);
const BATCHED = arg('batched', 60_000);
const SIZE = arg('size', 256);
const CONCURRENCY = arg('concurrency', 256);

function report(label: string, r: LoadResult): void {
  console.log(
    `${label.padEnd(28)} ${String(r.count).padStart(7)} commits in ${r.seconds.toFixed(2)} s = ` +
      `${Math.round(r.perSecond).toString().padStart(6)}/s  p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms  errors ${r.errors}`,
  );
}

async function inProcess(root: string): Promise<{ seq: LoadResult; batch: LoadResult }> {
  const net = new LocalNetwork({ clone: false });
  const ids = [1, 2, 3];
  const nodes: RaftNode[] = [];
  for (const id of ids) {
    nodes.push(
      await RaftNode.start({
        id,
        dataDir: join(root, `inproc-${id}`),
        url: `local://${id}`,
        transport: (h) => net.transport({ id, ...h }),
        stateMachine: new KvMachine(),
        bootstrap: ids.map((p) => ({ id: p, url: `local://${p}` })),
      }),
    );
  }
  await nodes[0].waitForLeader();
  const leader = nodes.find((n) => n.isLeader) ?? nodes[0];
  await runLoad(leader, 200, 16, SIZE); // warm-up: JIT, WAL files
  const seq = await runLoad(leader, SEQUENTIAL, 1, SIZE);
  report('in-process sequential', seq);
  const batch = await runLoad(leader, BATCHED, CONCURRENCY, SIZE);
  report(`in-process ${CONCURRENCY} clients`, batch);
  for (const n of nodes) await n.stop();
  return { seq, batch };
}

async function overWebSocket(root: string): Promise<{ seq: LoadResult; batch: LoadResult }> {
  const cluster = await ProcessCluster.create(join(root, 'ws'), 3, { snapshotEvery: 100_000 });
  try {
    const leader = await cluster.waitForLeader();
    const load = async (count: number, concurrency: number): Promise<LoadResult> => {
      const r = await leader.request({ op: 'load', count, concurrency, size: SIZE }, 600_000);
      if (!r.ok || !r.load) throw new Error(`load failed: ${r.ok ? 'no result' : r.error}`);
      return r.load;
    };
    await load(200, 16);
    const seq = await load(SEQUENTIAL, 1);
    report('3 processes ws sequential', seq);
    const batch = await load(BATCHED, CONCURRENCY);
    report(`3 processes ws ${CONCURRENCY} clients`, batch);
    return { seq, batch };
  } finally {
    await cluster.stopAll();
  }
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'swarm-bench-raft-'));
  try {
    console.log(`raft bench: 3 nodes, WAL with fdatasync, ${SIZE}-byte entries, data in ${root}`);
    const local = await inProcess(root);
    const ws = await overWebSocket(root);
    const r = (x: number) => Math.round(x);
    console.log(
      JSON.stringify({
        bench: 'raft',
        sequential_per_s: r(local.seq.perSecond),
        sequential_p99_ms: local.seq.p99Ms,
        batched_per_s: r(local.batch.perSecond),
        batched_p99_ms: local.batch.p99Ms,
        ws_sequential_per_s: r(ws.seq.perSecond),
        ws_sequential_p99_ms: ws.seq.p99Ms,
        ws_batched_per_s: r(ws.batch.perSecond),
        ws_batched_p99_ms: ws.batch.p99Ms,
        entry_bytes: SIZE,
        concurrency: CONCURRENCY,
      }),
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

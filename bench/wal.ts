// WAL throughput: how many entries per second DiskStorage.save persists when
// every call carries a batch and ends with one fdatasync, the way the raft
// driver uses it. Usage: node dist/bench/wal.js [--batches N] [--batch-size N]
// [--entry-size BYTES] [--dir PATH]. The last line is JSON for scripts.

import * as os from 'os';
import * as path from 'path';
import { promises as fsp } from 'fs';
import { DiskStorage } from '../lib/raft/storage';
import { Entry, EntryType } from '../lib/raft/core/types';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(v) || v <= 0) throw new Error(`--${name} needs a positive integer`);
  return v;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

async function main(): Promise<void> {
  const batches = arg('batches', 400);
  const batchSize = arg('batch-size', 256);
  const entrySize = arg('entry-size', 256);
  const dirArg = process.argv.indexOf('--dir');
  const parent = dirArg >= 0 ? process.argv[dirArg + 1] : os.tmpdir();
  const dir = await fsp.mkdtemp(path.join(parent, 'swarm-bench-wal-'));
  try {
    const { storage } = await DiskStorage.open(dir);
    const data = new Uint8Array(entrySize).fill(0x5a);
    const latencies: number[] = [];
    let index = 0;
    const start = process.hrtime.bigint();
    for (let b = 0; b < batches; b++) {
      const batch: Entry[] = [];
      for (let i = 0; i < batchSize; i++) batch.push({ index: ++index, term: 1, type: EntryType.Normal, data });
      const t0 = process.hrtime.bigint();
      await storage.save({ term: 1, vote: 1, commit: index - batchSize }, batch, true);
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    await storage.close();

    latencies.sort((a, b) => a - b);
    const result = {
      bench: 'wal',
      entriesPerSec: Math.round(index / seconds),
      mbPerSec: Number(((index * entrySize) / seconds / 1e6).toFixed(1)),
      savesPerSec: Math.round(batches / seconds),
      batches,
      batchSize,
      entrySize,
      saveP50Ms: Number(percentile(latencies, 50).toFixed(2)),
      saveP99Ms: Number(percentile(latencies, 99).toFixed(2)),
      dir: parent,
    };
    console.log(`wal: ${index} entries of ${entrySize} B in ${batches} synced saves, ${seconds.toFixed(2)} s`);
    console.log(`wal: ${result.entriesPerSec} entries/s, ${result.mbPerSec} MB/s, save p50 ${result.saveP50Ms} ms, p99 ${result.saveP99Ms} ms`);
    console.log(JSON.stringify(result));
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});

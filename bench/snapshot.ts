// The store snapshot at scale: a store of --tasks tasks (default 100,000, ~the
// size of real ones: the fixtures' task plus status and meta), snapshotted the
// old way (format 1: one canonical JSON string, synchronously) and the new way
// (format 2, in slices), then restored both ways. Measured: build time, the
// longest stretch the event loop was held (a setImmediate heartbeat records
// the gaps between its turns), bytes and chunks.
//
//   npm run bench:snapshot [-- --tasks N]

import { defaultTaskSpec } from '../lib/api/service-defaults';
import { canonicalJson } from '../lib/manager/store/canonical-json';
import { MemoryStore } from '../lib/manager/store/memory-store';
import { decodeSnapshot, encodeSnapshotV1 } from '../lib/manager/store/snapshot';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

function taskLine(i: number): string {
  const id = `task${String(i).padStart(8, '0')}x${(i * 2654435761 % 1e9).toString(36)}`;
  return canonicalJson({
    id,
    meta: { version: 3, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:01.000Z' },
    serviceId: `svc${i % 100}`,
    serviceName: `web-${i % 100}`,
    slot: i + 1,
    spec: defaultTaskSpec('swarm-test/busybox:latest'),
    ports: [],
    specVersion: 1,
    nodeId: `node${i % 1000}`,
    desiredState: 'running',
    status: { state: 'running', timestamp: '2026-01-01T00:00:01.000Z', message: 'started', containerId: 'c'.repeat(64) },
  });
}

/** Runs `fn` while a setImmediate heartbeat measures the longest gap between turns of the loop. */
async function measured<T>(fn: () => T | Promise<T>): Promise<{ value: T; ms: number; maxBlockMs: number }> {
  let last = performance.now();
  let maxBlock = 0;
  let on = true;
  const beat = () => {
    const now = performance.now();
    maxBlock = Math.max(maxBlock, now - last);
    last = now;
    if (on) setImmediate(beat);
  };
  setImmediate(beat);
  await new Promise((r) => setImmediate(r));
  const t0 = performance.now();
  last = t0;
  const value = await fn();
  const ms = performance.now() - t0;
  beat();
  on = false;
  return { value, ms, maxBlockMs: maxBlock };
}

async function main(): Promise<void> {
  const n = arg('tasks', 100_000);
  const lines = [canonicalJson({ appliedIndex: 1, counts: { cluster: 0, network: 0, node: 0, service: 0, task: n }, format: 2 })];
  for (let i = 0; i < n; i++) lines.push(taskLine(i));
  const seed = Buffer.concat([Uint8Array.of(2), Buffer.from(lines.join('\n') + '\n', 'utf8')]);
  lines.length = 0;
  const store = new MemoryStore();
  await store.restoreInSlices(seed);
  const tables = decodeSnapshot(seed).tables;
  const r = (x: number) => Math.round(x * 10) / 10;

  const v1 = await measured(() => encodeSnapshotV1(store.appliedIndex, tables));
  const v1Restore = await measured(() => new MemoryStore().restore(v1.value));
  const v2 = await measured(() => store.snapshotChunks());
  const bytes2 = v2.value.reduce((s, c) => s + c.length, 0);
  const joined = Buffer.concat(v2.value);
  const v2Restore = await measured(() => new MemoryStore().restoreInSlices(joined));
  const out = {
    bench: 'snapshot',
    tasks: n,
    v1_build_ms: r(v1.ms),
    v1_max_block_ms: r(v1.maxBlockMs),
    v1_bytes: v1.value.length,
    v1_restore_ms: r(v1Restore.ms),
    v1_restore_max_block_ms: r(v1Restore.maxBlockMs),
    v2_build_ms: r(v2.ms),
    v2_max_block_ms: r(v2.maxBlockMs),
    v2_bytes: bytes2,
    v2_chunks: v2.value.length,
    v2_restore_ms: r(v2Restore.ms),
    v2_restore_max_block_ms: r(v2Restore.maxBlockMs),
  };
  console.log(JSON.stringify(out));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

// Closed-loop load generators for the raft benchmarks: proposers (runLoad),
// readers (runReads), each measuring latency per request, and a follower
// that holds its event loop now and then (stallFor).

import { randomBytes } from 'crypto';
import { RaftNode } from '../node/raft-node';
import { LoadResult } from './protocol';

export async function runLoad(node: RaftNode, count: number, concurrency: number, size: number): Promise<LoadResult> {
  const payload = randomBytes(size);
  const latencies: number[] = [];
  let issued = 0;
  let errors = 0;
  const t0 = performance.now();
  const client = async () => {
    while (issued < count) {
      issued++;
      const start = performance.now();
      try {
        await node.propose(payload);
        latencies.push(performance.now() - start);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, client));
  const seconds = (performance.now() - t0) / 1000;
  return { count: latencies.length, seconds, perSecond: latencies.length / seconds, ...percentiles(latencies), errors };
}

/**
 * Open-loop readers: a read() starts every 1/perSecond s, whether the earlier
 * ones returned or not (a closed loop would ask less while reads are slow and
 * hide exactly the slow stretches), until `durationMs` passed.
 */
export async function runReads(node: RaftNode, durationMs: number, perSecond: number): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const pending: Promise<void>[] = [];
  const t0 = performance.now();
  const one = async () => {
    const start = performance.now();
    try {
      await node.read();
      latencies.push(performance.now() - start);
    } catch {
      errors++;
    }
  };
  const gapMs = 1000 / Math.max(1, perSecond);
  for (let next = t0; next < t0 + durationMs; next += gapMs) {
    const wait = next - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(one());
  }
  await Promise.all(pending);
  const seconds = (performance.now() - t0) / 1000;
  return { count: latencies.length, seconds, perSecond: latencies.length / seconds, ...percentiles(latencies), errors };
}

/** Busy-waits stretches of minMs..maxMs, each after a gap of as long, until `durationMs` passed. */
export async function stallFor(durationMs: number, minMs: number, maxMs: number): Promise<void> {
  const end = performance.now() + durationMs;
  const draw = () => minMs + Math.random() * (maxMs - minMs);
  while (performance.now() < end) {
    await new Promise((r) => setTimeout(r, draw()));
    const until = Math.min(end, performance.now() + draw());
    while (performance.now() < until) {
      // the event loop is held on purpose
    }
  }
}

export function percentiles(latencies: number[]): { p50Ms: number; p99Ms: number } {
  if (latencies.length === 0) return { p50Ms: NaN, p99Ms: NaN };
  const s = Float64Array.from(latencies).sort();
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { p50Ms: round(at(0.5)), p99Ms: round(at(0.99)) };
}

const round = (x: number) => Math.round(x * 100) / 100;

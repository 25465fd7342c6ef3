// A closed-loop load generator: `concurrency` clients each propose and wait,
// until `count` proposals are committed. Latency is measured per proposal.

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

export function percentiles(latencies: number[]): { p50Ms: number; p99Ms: number } {
  if (latencies.length === 0) return { p50Ms: NaN, p99Ms: NaN };
  const s = Float64Array.from(latencies).sort();
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { p50Ms: round(at(0.5)), p99Ms: round(at(0.99)) };
}

const round = (x: number) => Math.round(x * 100) / 100;

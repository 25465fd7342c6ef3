// The deterministic simulator over many seeds: every invariant must hold on
// every seed (CI runs at least 1,000), and a seed must replay exactly.

import { DEFAULT_STEPS, replayCommand, runSeeds } from '../../lib/raft/sim/run';
import { runSeed, SimResult } from '../../lib/raft/sim/simulation';

const SEEDS = 1000;
const CHUNKS = 4;
const PER_CHUNK = SEEDS / CHUNKS;

function describeFailures(failures: SimResult[]): string {
  return failures
    .map((r) => `seed ${r.seed}: ${r.violation?.invariant}: ${r.violation?.detail.split('\n')[0]}\n  ${replayCommand(r.seed, r.steps)}`)
    .join('\n');
}

describe(`raft simulator: ${SEEDS} seeds x ${DEFAULT_STEPS} steps`, () => {
  for (let c = 0; c < CHUNKS; c++) {
    const start = 1 + c * PER_CHUNK;
    test(`seeds ${start}..${start + PER_CHUNK - 1} hold every invariant`, () => {
      const summary = runSeeds({ seedStart: start, seeds: PER_CHUNK });
      // A failure message that replays the seed beats a bare count.
      expect(describeFailures(summary.failures)).toBe('');
      expect(summary.runs).toBe(PER_CHUNK);
      // The faults must actually happen, or a clean run proves little.
      const t = summary.totals;
      expect(t.crashes).toBeGreaterThan(PER_CHUNK);
      expect(t.partitions).toBeGreaterThan(PER_CHUNK);
      expect(t.leaders).toBeGreaterThan(2 * PER_CHUNK);
      expect(t.acked).toBeGreaterThan(10 * PER_CHUNK);
      expect(t.snapshotsInstalled).toBeGreaterThan(0);
      expect(t.confChanges).toBeGreaterThan(0);
      expect(t.readsServed).toBeGreaterThan(0);
    }, 240_000);
  }
});

describe('raft simulator: determinism', () => {
  test('a seed replays to the same trace hash, with or without logging', () => {
    for (const seed of [7, 42, 1234]) {
      const a = runSeed({ seed, steps: 1500 });
      const b = runSeed({ seed, steps: 1500 });
      const lines: string[] = [];
      const c = runSeed({ seed, steps: 1500, log: (l) => lines.push(l) });
      expect(b.traceHash).toBe(a.traceHash);
      expect(c.traceHash).toBe(a.traceHash);
      expect(b.stats).toEqual(a.stats);
      expect(lines.length).toBeGreaterThan(100);
    }
  });

  test('different seeds take different paths', () => {
    const hashes = new Set([1, 2, 3, 4, 5].map((seed) => runSeed({ seed, steps: 500 }).traceHash));
    expect(hashes.size).toBe(5);
  });

  test('the replay command names the seed, the steps and the mutation', () => {
    expect(replayCommand(1234, 3000)).toBe('npm run sim -- --seeds 1 --seed-start 1234 --steps 3000');
    expect(replayCommand(9, 100, 'skip-noop')).toBe('npm run sim -- --seeds 1 --seed-start 9 --steps 100 --mutation skip-noop');
  });
});

// Running many seeds, and the one-line command that replays a seed.

import { Mutation } from '../core/config';
import { LeaseMode } from './profile';
import { runSeed, SimResult } from './simulation';
import { addStats, emptyStats, SimStats } from './stats';

/** Events in the faulty phase of a seed unless told otherwise. */
export const DEFAULT_STEPS = 3000;

export interface RunSeedsOptions {
  seedStart: number;
  seeds: number;
  steps?: number;
  mutation?: Mutation;
  lease?: LeaseMode;
  log?: (line: string) => void;
  /** Stop at the first violation (mutation hunting). */
  stopOnViolation?: boolean;
  onResult?: (r: SimResult) => void;
}

export interface RunSummary {
  runs: number;
  violations: number;
  failures: SimResult[];
  totals: SimStats;
}

export function runSeeds(o: RunSeedsOptions): RunSummary {
  const steps = o.steps ?? DEFAULT_STEPS;
  const failures: SimResult[] = [];
  let totals: SimStats | undefined;
  let runs = 0;
  for (let seed = o.seedStart; seed < o.seedStart + o.seeds; seed++) {
    const r = runSeed({ seed, steps, mutation: o.mutation, lease: o.lease, log: o.log });
    runs++;
    totals = totals ? addStats(totals, r.stats) : { ...r.stats };
    o.onResult?.(r);
    if (r.violation) {
      failures.push(r);
      if (o.stopOnViolation) break;
    }
  }
  return { runs, violations: failures.length, failures, totals: totals ?? emptyStats() };
}

export function replayCommand(seed: number, steps: number, mutation?: Mutation, lease?: LeaseMode): string {
  const leaseFlag = lease && lease !== 'drawn' ? ` --lease ${lease}` : '';
  return `npm run sim -- --seeds 1 --seed-start ${seed} --steps ${steps}${mutation ? ` --mutation ${mutation}` : ''}${leaseFlag}`;
}

// Teeth: the simulator must catch each deliberately broken core variant
// (RaftConfig.mutations) within a bounded number of seeds. If a mutant
// survives, the fault model or the invariants lost their power.

import { Mutation } from '../../lib/raft/core/config';
import { runSeeds } from '../../lib/raft/sim/run';

const MAX_SEEDS = 1500;

const MUTANTS: Array<{ mutation: Mutation; what: string }> = [
  { mutation: 'commit-old-term', what: 'commits by counting replicas of an earlier term (paper figure 8)' },
  { mutation: 'forget-vote', what: 'does not persist its vote' },
  { mutation: 'skip-noop', what: 'appends no entry when it takes office' },
  { mutation: 'lease-no-catch-up', what: 'counts its lease only in timer ticks, so a pause does not shorten it' },
];

describe('raft simulator catches broken cores', () => {
  for (const { mutation, what } of MUTANTS) {
    test(`${mutation}: a leader that ${what}`, () => {
      const started = process.hrtime.bigint();
      const summary = runSeeds({ seedStart: 1, seeds: MAX_SEEDS, mutation, stopOnViolation: true });
      const secs = Number(process.hrtime.bigint() - started) / 1e9;
      const caught = summary.failures[0];
      expect(caught).toBeDefined();
      const v = caught.violation;
      // Printed so the report can say which seed catches which mutant, and how fast.
      console.log(
        `mutant ${mutation}: caught by seed ${caught.seed} after ${summary.runs} seeds in ${secs.toFixed(1)} s: ` +
          `${v?.invariant} (${v?.phase} phase): ${v?.detail.split('\n')[0]}`,
      );
    }, 120_000);
  }
});

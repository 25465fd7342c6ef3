// npm run sim -- --seeds N --seed-start S [--steps M] [--mutation NAME] [--lease on|off] [--verbose]
//
// Runs seeds S..S+N-1 and prints every failing seed with the invariant it
// broke and the command that replays it. The last line is always
// `sim: N seeds, V violations`; the exit code is non-zero on any violation.

import { Mutation } from '../core/config';
import { LeaseMode } from './profile';
import { DEFAULT_STEPS, replayCommand, runSeeds } from './run';

const MUTATIONS: readonly Mutation[] = ['commit-old-term', 'forget-vote', 'skip-noop', 'lease-too-long', 'lease-no-boot-guard', 'lease-no-catch-up'];
const LEASE_MODES: readonly LeaseMode[] = ['drawn', 'on', 'off'];

interface CliOptions {
  seeds: number;
  seedStart: number;
  steps: number;
  mutation?: Mutation;
  lease: LeaseMode;
  verbose: boolean;
}

function usage(msg?: string): never {
  if (msg) process.stderr.write(`sim: ${msg}\n`);
  process.stderr.write(
    'usage: npm run sim -- [--seeds N] [--seed-start S] [--steps M] [--mutation ' + MUTATIONS.join('|') + '] [--lease on|off|drawn] [--verbose]\n',
  );
  process.exit(2);
}

function parseIntArg(name: string, v: string | undefined, min: number): number {
  if (v === undefined || !/^\d+$/.test(v)) usage(`${name} needs a non-negative integer`);
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) usage(`${name} must be at least ${min}`);
  return n;
}

function parseArgs(argv: string[]): CliOptions {
  const o: CliOptions = { seeds: 100, seedStart: 1, steps: DEFAULT_STEPS, lease: 'drawn', verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--seeds':
        o.seeds = parseIntArg(flag, value(), 1);
        break;
      case '--seed-start':
      case '--seed':
        o.seedStart = parseIntArg(flag, value(), 0);
        break;
      case '--steps':
        o.steps = parseIntArg(flag, value(), 1);
        break;
      case '--mutation': {
        const m = value();
        if (!MUTATIONS.includes(m as Mutation)) usage(`unknown mutation ${m}; known: ${MUTATIONS.join(', ')}`);
        o.mutation = m as Mutation;
        break;
      }
      case '--lease': {
        const m = value();
        if (!LEASE_MODES.includes(m as LeaseMode)) usage(`--lease takes ${LEASE_MODES.join(', ')}, got ${m}`);
        o.lease = m as LeaseMode;
        break;
      }
      case '--verbose':
      case '-v':
        o.verbose = true;
        break;
      case '--help':
      case '-h':
        usage();
        break;
      default:
        usage(`unknown argument ${a}`);
    }
  }
  return o;
}

function main(): void {
  // `npm run sim -- --verbose | head` closes the pipe early: that is not a failure.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  const o = parseArgs(process.argv.slice(2));
  const started = process.hrtime.bigint();
  const log = o.verbose ? (line: string) => process.stdout.write(line + '\n') : undefined;
  const summary = runSeeds({
    seedStart: o.seedStart,
    seeds: o.seeds,
    steps: o.steps,
    mutation: o.mutation,
    lease: o.lease,
    log,
    onResult: (r) => {
      if (o.verbose) process.stdout.write(`seed ${r.seed}: trace ${r.traceHash}, ${r.stats.events} events\n`);
      if (!r.violation) return;
      const v = r.violation;
      const first = v.detail.split('\n')[0];
      process.stdout.write(`FAIL seed ${r.seed}: ${v.invariant} (${v.phase} phase, event ${v.event}, time ${v.time}): ${first}\n`);
      process.stdout.write(`  profile: ${r.profile}\n  trace: ${r.traceHash}\n`);
      if (v.invariant === 'core-panic' || v.invariant === 'simulator-error' || v.invariant === 'liveness') {
        process.stdout.write(v.detail.split('\n').slice(1, 8).map((l) => `  ${l}\n`).join(''));
      }
      process.stdout.write(`  replay: ${replayCommand(r.seed, o.steps, o.mutation, o.lease)}\n`);
    },
  });
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  const t = summary.totals;
  process.stdout.write(
    `totals: ${t.events} events, ${t.leaders} leaders, ${t.crashes} crashes (${t.tornWrites} lost unsynced writes), ` +
      `${t.partitions} partitions, ${t.pauses} pauses, ${t.acked}/${t.proposals} proposals acknowledged, ${t.readsServed}/${t.reads} reads served (${t.leaseReads} answered from a lease), ` +
      `${t.snapshotsInstalled} snapshots installed, ${t.confChanges} conf changes applied, ${t.transfers} transfers, ${t.oldTermCommits} old-term commits; ` +
      `${secs.toFixed(1)} s (${((secs * 1000) / o.seeds).toFixed(1)} ms/seed)\n`,
  );
  process.stdout.write(`sim: ${o.seeds} seeds, ${summary.violations} violations\n`);
  process.exitCode = summary.violations > 0 ? 1 : 0;
}

main();

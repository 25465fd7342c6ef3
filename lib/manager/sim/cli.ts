// npm run sim:control -- [--seeds 1..200 | --seeds N] [--seed S] [--fault-ms MS] [--verbose]
//
// Runs the control-plane simulator on each seed and prints every failing
// seed with what it broke, the tail of its trace and the command that
// replays it. The last line is always
// `sim:control: N seeds, F failed, S steps/s`; the exit code is non-zero on any failure.

import { ControlSimReport, runControlSim } from './control-sim';

interface CliOptions {
  seeds: number[];
  faultMs?: number;
  verbose: boolean;
}

function usage(msg?: string): never {
  if (msg) process.stderr.write(`sim:control: ${msg}\n`);
  process.stderr.write('usage: npm run sim:control -- [--seeds A..B | --seeds N] [--seed S] [--fault-ms MS] [--verbose]\n');
  process.exit(2);
}

function int(name: string, v: string | undefined, min: number): number {
  if (v === undefined || !/^\d+$/.test(v)) usage(`${name} needs a non-negative integer (got ${v ?? 'nothing'})`);
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) usage(`${name} must be at least ${min}`);
  return n;
}

function parseArgs(argv: string[]): CliOptions {
  const o: CliOptions = { seeds: range(1, 100), verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--seeds': {
        const v = value();
        const m = /^(\d+)\.\.(\d+)$/.exec(v ?? '');
        if (m) {
          const lo = int('--seeds', m[1], 0);
          const hi = int('--seeds', m[2], lo);
          o.seeds = range(lo, hi);
        } else o.seeds = range(1, int('--seeds', v, 1));
        break;
      }
      case '--seed':
        o.seeds = [int('--seed', value(), 0)];
        break;
      case '--fault-ms':
        o.faultMs = int('--fault-ms', value(), 0);
        break;
      case '--verbose':
        o.verbose = true;
        break;
      case '--help':
      case '-h':
        usage();
        break;
      default:
        usage(`unknown option ${a}`);
    }
  }
  return o;
}

function range(lo: number, hi: number): number[] {
  return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
}

function failed(r: ControlSimReport): boolean {
  return r.violations.length > 0 || r.gaps.length > 0;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  let failures = 0;
  let steps = 0;
  const started = performance.now();
  for (const seed of o.seeds) {
    const r = await runControlSim({ seed, faultMs: o.faultMs, verbose: o.verbose });
    steps += r.stats.steps;
    if (o.verbose) for (const l of r.trace) process.stdout.write(`${l}\n`);
    const s = r.stats;
    const line = `seed ${seed}: ${failed(r) ? 'FAILED' : 'ok'} hash ${r.hash} steps ${s.steps} commits ${s.commits} (${s.refused} refused) leader changes ${s.leaderChanges} agent losses ${s.agentLosses} user actions ${s.userActions} conflicts ${s.injectedConflicts} overflows ${s.watchOverflows} tasks ${s.tasks} converged ${s.convergeMs === undefined ? 'no' : `${s.convergeMs} ms`}`;
    process.stdout.write(`${line}\n`);
    if (failed(r)) {
      failures++;
      if (!o.verbose) for (const l of r.trace.slice(-40)) process.stdout.write(`    ${l}\n`);
      for (const v of r.violations) process.stdout.write(`  violation: ${v}\n`);
      for (const g of r.gaps) process.stdout.write(`  not converged: ${g}\n`);
      process.stdout.write(`  replay: npm run sim:control -- --seed ${seed}${o.faultMs !== undefined ? ` --fault-ms ${o.faultMs}` : ''} --verbose\n`);
    }
  }
  const secs = (performance.now() - started) / 1000;
  process.stdout.write(`sim:control: ${o.seeds.length} seeds, ${failures} failed, ${Math.round(steps / secs)} steps/s\n`);
  process.exitCode = failures > 0 ? 1 : 0;
}

void main();

// Convergence of a replicated service, ours against Docker Swarm mode on the
// same engine, one after the other in one run: N replicas of the busybox test
// image (`sleep 100000`) created, scaled to 2N, removed.
//   - ours: one manager (which runs tasks too) as a detached daemon, default
//     settings; create/scale: until the manager reports N (2N) tasks running;
//   - Docker Swarm: the engine's own swarm mode (switched on for the run when
//     it is off, and off again afterwards), the same commands and criteria;
//   - remove: until the engine holds no container labelled with the service's
//     name (both put com.docker.swarm.service.name on task containers);
//   - raw, create only: the same N containers created and started straight
//     through the engine API in parallel, no orchestrator: the engine's limit,
//     which both orchestrators' create times are bound by (raw_create_s, and
//     ratio_raw = ours / raw).
// Both get --stop-grace-period 1s: busybox sleep as PID 1 ignores SIGTERM, so
// every removal would otherwise wait out the default grace of 10 s.
// Docker Swarm gets the image by id (sha256:…), which its executor never
// pulls. With --swarm-image tag it gets the tag (with --no-resolve-image), as
// the issue's command gave it; know what that measures: its executor then
// tries a registry pull before every task, even with the image present (ours
// uses a local image as is), and with no registry reachable that pull fails,
// at times only after a 5 s DNS timeout: the registry's figure more than the
// orchestrator's.
// Commands go through each CLI by default (what a user waits for, start-up
// included); --via api sends them to the control socket / engine API instead.
// Counts are polled from the control socket / engine API every --poll-ms.
// --rounds R repeats the three, each going first in turn, and reports
// medians: the machine's load moves the figures more than anything else.
// Progress goes to stderr; the last line on stdout is the JSON summary.
//
//   npm run bench:converge [-- --replicas N --rounds R --via cli|api --swarm-image id|tag
//                             --poll-ms MS --deadline-s S --swarm-first --no-swarm --keep-logs]

import { randomBytes } from 'crypto';
import { loadavg } from 'os';
import { testImageName } from '../lib/testing/test-image';
import { choiceArg, hasFlag, intArg } from './lib/args';
import { oursSide, Side, swarmSide } from './lib/converge-sides';
import { execTool } from './lib/exec';
import { Cleanup, log, runBench } from './lib/lifecycle';
import { ConvergeTimes, Marks, marksText, measureConverge, MeasureOptions } from './lib/measure';
import { SWARM_BIN } from './lib/nodes';
import { measureRawCreate, RawTime } from './lib/raw-engine';
import { ensureTestImage } from './lib/test-image';
import { Workload } from './lib/orchestrator';

const REPLICAS = intArg('replicas', 20);
const ROUNDS = intArg('rounds', 1);
const DEADLINE_MS = intArg('deadline-s', 300) * 1000;
const VIA = choiceArg('via', ['cli', 'api'] as const, 'cli');
const OPTS: MeasureOptions = { pollMs: intArg('poll-ms', 100), phaseTimeoutMs: intArg('phase-timeout-s', 120) * 1000 };
const SWARM_FIRST = hasFlag('swarm-first');
const NO_SWARM = hasFlag('no-swarm');
const SWARM_IMAGE = choiceArg('swarm-image', ['id', 'tag'] as const, 'id');

const WORKLOAD: Workload = { image: testImageName(), args: ['sleep', '100000'], stopGrace: '1s' };
const SUFFIX = randomBytes(3).toString('hex');
const PHASES = ['create', 'scale', 'remove'] as const;

const load = () => Math.round(loadavg()[0] * 100) / 100;
const round2 = (x: number | undefined) => (x === undefined ? null : Math.round(x * 100) / 100);
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || b === 0 ? null : Math.round((a / b) * 100) / 100);

function median(xs: number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

type Which = 'ours' | 'swarm' | 'raw';

/** The medians side by side, seconds; raw has a create figure only. */
function summaryTable(o: Record<string, number | undefined>, s: Record<string, number | undefined>, raw: number | undefined): string[] {
  const cell = (x: number | null | undefined) => (x === undefined || x === null ? '-' : x.toFixed(2)).padStart(12);
  const rows = [`${'median'.padEnd(8)}${['ours s', 'swarm s', 'raw s', 'ours/swarm', 'ours/raw'].map((h) => h.padStart(12)).join('')}`];
  for (const p of PHASES) {
    const r = p === 'create' ? raw : undefined;
    rows.push(`${p.padEnd(8)}${[o[p], s[p], r, ratio(o[p], s[p]), ratio(o[p], r)].map(cell).join('')}`);
  }
  return rows;
}

async function measure(side: Side, cleanup: Cleanup, round: number): Promise<ConvergeTimes> {
  const name = `converge-${side.o.label}-${SUFFIX}-${round}`;
  side.guard(cleanup, name);
  return measureConverge(side.o, name, REPLICAS, side.workload, OPTS);
}

/** Docker Swarm's side, or the reason there is none. */
async function trySwarmSide(cleanup: Cleanup): Promise<Side | string> {
  if (NO_SWARM) return 'skipped (--no-swarm)';
  try {
    return await swarmSide(cleanup, VIA, WORKLOAD, SWARM_IMAGE === 'tag');
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

runBench('converge bench', DEADLINE_MS, async (cleanup) => {
  await ensureTestImage();
  // Other work on this machine (tests, builds) shows in the figures: the load is part of the record.
  const load0 = load();
  log(
    `converge bench (load average ${load0}): ${REPLICAS} -> ${2 * REPLICAS} -> 0 replicas of ${WORKLOAD.image} ${WORKLOAD.args.join(' ')}, ` +
      `stop grace ${WORKLOAD.stopGrace}, commands via ${VIA}, poll ${OPTS.pollMs} ms, ${ROUNDS} round(s)`,
  );
  // A figure to read the CLI-driven times with: each command pays its CLI's start-up once.
  const cliStart = { ours: Math.round((await execTool(process.execPath, [SWARM_BIN, '--version'])).ms), swarm: Math.round((await execTool('docker', ['--version'])).ms) };
  log(`CLI start-up (--version): swarm ${cliStart.ours} ms, docker ${cliStart.swarm} ms`);

  const ours = await oursSide(cleanup, VIA, WORKLOAD, hasFlag('keep-logs'));
  const swarm = await trySwarmSide(cleanup);
  let swarmError = typeof swarm === 'string' ? swarm : undefined;
  if (swarmError) log(`docker swarm: NOT MEASURED: ${swarmError}`);

  const oursRuns: ConvergeTimes[] = [];
  const swarmRuns: ConvergeTimes[] = [];
  const rawRuns: RawTime[] = [];
  const sides: Which[] = SWARM_FIRST ? ['swarm', 'ours', 'raw'] : ['ours', 'swarm', 'raw'];
  for (let r = 0; r < ROUNDS; r++) {
    // Each side goes first in turn: whatever the engine still does after one side shows in the next.
    for (const which of [...sides.slice(r % 3), ...sides.slice(0, r % 3)]) {
      if (which === 'ours') {
        oursRuns.push(await measure(ours, cleanup, r));
      } else if (which === 'raw') {
        rawRuns.push(await measureRawCreate(cleanup, `converge-raw-${SUFFIX}-${r}`, REPLICAS, WORKLOAD));
      } else if (typeof swarm !== 'string') {
        try {
          swarmRuns.push(await measure(swarm, cleanup, r));
        } catch (e) {
          swarmError = e instanceof Error ? e.message : String(e);
          log(`docker swarm: round ${r + 1} failed: ${swarmError}`);
        }
      }
    }
  }

  const med = (runs: ConvergeTimes[], p: (typeof PHASES)[number]) => median(runs.map((x) => x[p].s));
  const o = Object.fromEntries(PHASES.map((p) => [p, med(oursRuns, p)]));
  const s = Object.fromEntries(PHASES.map((p) => [p, med(swarmRuns, p)]));
  const raw = median(rawRuns.map((x) => x.s));
  for (const p of PHASES) {
    const each = (runs: ConvergeTimes[]) => runs.map((x) => x[p].s.toFixed(2)).join(' ');
    oursRuns.forEach((x, i) => log(`${p.padEnd(6)} ours round ${i + 1}: ${marksText(x[p].marks)}`));
    swarmRuns.forEach((x, i) => log(`${p.padEnd(6)} swarm round ${i + 1}: ${marksText(x[p].marks)}`));
    if (p === 'create') rawRuns.forEach((x, i) => log(`${p.padEnd(6)} raw round ${i + 1}: ${marksText(x.marks)}`));
    log(`${p.padEnd(6)} rounds: ours ${each(oursRuns)} s, docker swarm ${swarmRuns.length > 0 ? `${each(swarmRuns)} s` : 'not measured'}${p === 'create' ? `, raw ${rawRuns.map((x) => x.s.toFixed(2)).join(' ')} s` : ''}`);
  }
  for (const line of summaryTable(o, s, raw)) log(line);
  if (swarmRuns.length === 0) log(`docker swarm figures are null: ${swarmError}`);
  const marks = (runs: ConvergeTimes[]) => runs.map((x) => Object.fromEntries(PHASES.map((p): [string, Marks] => [p, x[p].marks])));
  return {
    bench: 'converge',
    replicas: REPLICAS,
    ours_create_s: round2(o.create),
    swarm_create_s: round2(s.create),
    ratio_create: ratio(o.create, s.create),
    ours_scale_s: round2(o.scale),
    swarm_scale_s: round2(s.scale),
    ratio_scale: ratio(o.scale, s.scale),
    ours_remove_s: round2(o.remove),
    swarm_remove_s: round2(s.remove),
    ratio_remove: ratio(o.remove, s.remove),
    raw_create_s: round2(raw),
    ratio_raw: ratio(o.create, raw),
    rounds: ROUNDS,
    via: VIA,
    stop_grace: WORKLOAD.stopGrace,
    swarm_image: SWARM_IMAGE,
    cli_startup_ms: cliStart,
    load_avg_1m: { start: load0, end: load() },
    ours_marks_s: marks(oursRuns),
    swarm_marks_s: marks(swarmRuns),
    raw_marks_s: rawRuns.map((x) => x.marks),
    ...(swarmError ? { swarm_error: swarmError } : {}),
  };
});

// One converge run against one orchestrator: create N replicas, scale to 2N,
// remove; each timed from just before the command is issued until the
// orchestrator reports every replica running (create, scale) or until the
// engine holds no container of the service any more (remove). Milestones on
// the way say where the time went: the command's return, every task created,
// every task assigned to a node, the first new one running; by the
// orchestrator's own clock, when the last one entered running (free of the
// polling's delay); and by the engine's, when it created the first and last
// container and started the last.

import { performance } from 'perf_hooks';
import { containersWithLabel, engine, SERVICE_NAME_LABEL } from './engine';
import { checkNotAborted, log } from './lifecycle';
import { Orchestrator, TaskTally, Workload } from './orchestrator';

/** Seconds from the command's start; null when never seen. */
export type Marks = Record<string, number | null>;

export interface PhaseTime {
  /** Seconds from the command's start to the condition, as polled. */
  s: number;
  /** How long the command itself took, ms. */
  cmdMs: number;
  marks: Marks;
}

export interface ConvergeTimes {
  create: PhaseTime;
  scale: PhaseTime;
  remove: PhaseTime;
}

export interface MeasureOptions {
  pollMs: number;
  phaseTimeoutMs: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const secs = (ms: number) => Math.round(ms) / 1000;

function statesText(states: Record<string, number>): string {
  return Object.entries(states)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
}

export function marksText(m: Marks): string {
  return Object.entries(m)
    .map(([k, v]) => `${k} ${v === null ? '?' : v.toFixed(2)}`)
    .join(', ');
}

/** A phase's clock: performance time for durations, wall time to compare with the orchestrator's timestamps. */
interface Start {
  t0: number;
  wall0: number;
  cmdMs: number;
}

async function timedCommand(fn: () => Promise<number>): Promise<Start> {
  const t0 = performance.now();
  const wall0 = Date.now();
  return { t0, wall0, cmdMs: await fn() };
}

/** Polls until `want` replicas run, noting milestones; a line of progress about every second. */
async function waitRunning(o: Orchestrator, name: string, want: number, before: number, st: Start, opts: MeasureOptions): Promise<PhaseTime> {
  const marks: Marks = { cmd: secs(st.cmdMs), created: null, assigned: null, first_running: null, running: null, last_running_ts: null };
  const note = (k: string, cond: boolean, s: number) => {
    if (cond && marks[k] === null) marks[k] = s;
  };
  let nextLog = st.t0 + 1_000;
  for (;;) {
    checkNotAborted();
    const t: TaskTally = await o.tally(name);
    const now = performance.now();
    const s = secs(now - st.t0);
    note('created', t.wanted >= want, s);
    note('assigned', t.assigned >= want, s);
    note('first_running', t.running > before, s);
    if (t.running >= want) {
      if (t.running > want) log(`${o.label}: ${t.running} replicas running, more than the ${want} wanted`);
      marks.running = s;
      marks.last_running_ts = t.lastRunningAt === undefined ? null : secs(t.lastRunningAt - st.wall0);
      return { s, cmdMs: st.cmdMs, marks };
    }
    if (now > nextLog) {
      log(`${o.label}: ${t.running}/${want} running after ${s.toFixed(1)} s (${statesText(t.states)})`);
      nextLog = now + 1_000;
    }
    if (now - st.t0 > opts.phaseTimeoutMs) {
      const errs = t.errors.length > 0 ? `; task errors: ${t.errors.slice(0, 3).join(' | ')}` : '';
      throw new Error(`${o.label}: only ${t.running}/${want} replicas running after ${opts.phaseTimeoutMs / 1000} s (${statesText(t.states)})${errs}`);
    }
    await sleep(opts.pollMs);
  }
}

async function waitNoContainers(o: Orchestrator, name: string, before: number, st: Start, opts: MeasureOptions): Promise<PhaseTime> {
  const marks: Marks = { cmd: secs(st.cmdMs), first_gone: null, all_gone: null };
  let nextLog = st.t0 + 1_000;
  for (;;) {
    checkNotAborted();
    const left = (await containersWithLabel(SERVICE_NAME_LABEL, name, true)).length;
    const now = performance.now();
    const s = secs(now - st.t0);
    if (left < before && marks.first_gone === null) marks.first_gone = s;
    if (left === 0) {
      marks.all_gone = s;
      return { s, cmdMs: st.cmdMs, marks };
    }
    if (now > nextLog) {
      log(`${o.label}: ${left} container(s) of ${name} left after ${s.toFixed(1)} s`);
      nextLog = now + 1_000;
    }
    if (now - st.t0 > opts.phaseTimeoutMs) throw new Error(`${o.label}: ${left} container(s) of ${name} still there ${opts.phaseTimeoutMs / 1000} s after the removal`);
    await sleep(opts.pollMs);
  }
}

/**
 * Once a phase converged: the engine's own count (a check that "running"
 * means a running container), and when the engine created and started the
 * phase's containers, to tell the orchestrator's share from the engine's.
 */
async function engineView(o: Orchestrator, name: string, want: number, st: Start, marks: Marks): Promise<number> {
  const list = await containersWithLabel(SERVICE_NAME_LABEL, name, false);
  if (list.length !== want) log(`${o.label}: warning: the engine runs ${list.length} container(s) of ${name}, the orchestrator reports ${want} running`);
  const created: number[] = [];
  const started: number[] = [];
  for (const c of list) {
    const info = await engine.getContainer(c.Id).inspect();
    const at = Date.parse(info.Created);
    // Only this phase's containers: scaling up leaves the earlier ones in place.
    if (at < st.wall0) continue;
    created.push(at);
    started.push(Date.parse(info.State.StartedAt));
  }
  if (created.length > 0) {
    marks.engine_first_created = secs(Math.min(...created) - st.wall0);
    marks.engine_last_created = secs(Math.max(...created) - st.wall0);
    marks.engine_last_started = secs(Math.max(...started) - st.wall0);
  }
  return list.length;
}

export async function measureConverge(o: Orchestrator, name: string, replicas: number, w: Workload, opts: MeasureOptions): Promise<ConvergeTimes> {
  let st = await timedCommand(() => o.create(name, replicas, w));
  const create = await waitRunning(o, name, replicas, 0, st, opts);
  await engineView(o, name, replicas, st, create.marks);
  log(`${o.label}: create: ${replicas}/${replicas} running after ${create.s.toFixed(2)} s (${marksText(create.marks)})`);

  st = await timedCommand(() => o.scale(name, 2 * replicas));
  const scale = await waitRunning(o, name, 2 * replicas, replicas, st, opts);
  const before = await engineView(o, name, 2 * replicas, st, scale.marks);
  log(`${o.label}: scale: ${2 * replicas}/${2 * replicas} running after ${scale.s.toFixed(2)} s (${marksText(scale.marks)})`);

  st = await timedCommand(() => o.remove(name));
  const remove = await waitNoContainers(o, name, before, st, opts);
  log(`${o.label}: remove: no container left after ${remove.s.toFixed(2)} s (${marksText(remove.marks)})`);
  return { create, scale, remove };
}

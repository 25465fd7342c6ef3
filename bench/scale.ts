// The control plane at scale: three real manager daemons (drained, so no task
// lands on them), N simulated nodes in this process (lib/testing/sim-nodes:
// each joins with its own certificate and holds a real dispatcher session;
// tasks walk to running after short delays, nothing runs), and services
// totalling T replicas created through the control API. Measured:
//   - all_running_s: from the first service create until `service ls` counts
//     all T running;
//   - leader_rss_mb / follower_rss_mb: peak resident memory over the run
//     (the follower figure is the larger of the two);
//   - api_p99_ms: p99 of `service ls` and `node ls` (control socket of the
//     leader) polled back to back during the run, failures counted at the
//     time they took;
//   - reschedule_s: 10 % of the nodes killed at once (connections dropped by
//     default, --kill-mode), until `service ls` counts T running again and
//     the live simulated nodes run T between them.
// A phase that does not finish before the deadline is reported as null with
// what it reached. The last line is the JSON summary.
//
//   npm run bench:scale [-- --managers 3 --nodes 1000 --tasks 100000 --services 10
//                          --deadline-s 900 --join-concurrency 8 --kill-mode hard|closed|silent
//                          --heartbeat 5s --profile DIR --heap-dir DIR]
// --heap-dir: once all tasks run, the leader writes a heap snapshot there and
// the bench prints where its heap went (self sizes by constructor).

import { readdirSync, statSync } from 'fs';
import { join } from 'path';
import { performance } from 'perf_hooks';
import { defaultServiceSpec } from '../lib/api/service-defaults';
import type { ServiceSpec } from '../lib/api/service-types';
import type { NodeListView } from '../lib/daemon/control-api';
import { KillMode, SimFleet } from '../lib/testing/sim-nodes';
import { choiceArg, intArg, stringArg } from './lib/args';
import { profileText, summarizeProfile } from './lib/cpu-profile';
import { heapText, summarizeHeap } from './lib/heap-summary';
import { Latencies } from './lib/latency';
import { checkNotAborted, Cleanup, log, runBench } from './lib/lifecycle';
import { leaderOf, ManagerCluster, startManagers } from './lib/managers';
import { api, swarmCli, SwarmNode } from './lib/nodes';
import { PeakRss } from './lib/rss';

const MANAGERS = intArg('managers', 3);
const NODES = intArg('nodes', 1000);
const TASKS = intArg('tasks', 100_000);
const SERVICES = Math.min(intArg('services', 10), TASKS);
const DEADLINE_MS = intArg('deadline-s', 900) * 1000;
const JOIN_CONCURRENCY = intArg('join-concurrency', 8);
const KILL_MODE = choiceArg<KillMode>('kill-mode', ['hard', 'closed', 'silent'], 'hard');
const HEARTBEAT = stringArg('heartbeat', '5s');
const PROFILE_DIR = stringArg('profile');
const HEAP_DIR = stringArg('heap-dir');
/** Left at the end of the deadline for stopping 3 daemons and N sessions, and printing. */
const CLEANUP_MS = 60_000;
const POLL_MS = 250;
const API_TIMEOUT_MS = 30_000;

interface ServiceListView {
  services: Array<{ running: number; desired: number }>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const secs = (ms: number) => Math.round(ms) / 1000;
const ms99 = (l: Latencies) => {
  const q = l.quantile(0.99);
  return q === undefined ? null : Math.round(q);
};
const mb = (x: number | undefined) => (x === undefined ? null : Math.round(x));

/** Polls the leader's list endpoints back to back and the managers' memory, until stopped. */
class Probe {
  readonly serviceLs = new Latencies();
  readonly nodeLs = new Latencies();
  readonly rss = new PeakRss();
  running = 0;
  readyNodes = 0;
  private stopped = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly c: ManagerCluster,
    private target: SwarmNode,
  ) {}

  start(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        checkNotAborted();
        this.rss.sample([...this.c.pids.values(), process.pid]);
        const s = await this.serviceLs.time(() => api<ServiceListView>(this.target, 'GET', '/v1/services', undefined, API_TIMEOUT_MS));
        if (s) this.running = s.services.reduce((sum, x) => sum + x.running, 0);
        const n = await this.nodeLs.time(() => api<NodeListView>(this.target, 'GET', '/v1/nodes', undefined, API_TIMEOUT_MS));
        if (n) this.readyNodes = n.nodes.filter((x) => x.role === 'worker' && x.status.state === 'ready').length;
        await sleep(POLL_MS);
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop?.catch(() => undefined);
  }
}

/** Waits for `cond` until `until` (performance.now() ms); the time it took in ms, or undefined past the deadline. */
async function waitFor(cond: () => boolean, until: number, every = 100): Promise<number | undefined> {
  const t0 = performance.now();
  while (!cond()) {
    checkNotAborted();
    if (performance.now() > until) return undefined;
    await sleep(every);
  }
  return performance.now() - t0;
}

let createRetries = 0;
let createError: string | undefined;

/**
 * Creates a service as a user would: a write that was not committed in time
 * (the daemon's 503) is tried again, and "already exists" then means the
 * first try got through after all. False when it never did.
 */
async function createService(leader: SwarmNode, spec: ServiceSpec): Promise<boolean> {
  for (let attempt = 1; attempt <= 5; attempt++) {
    try {
      await api(leader, 'POST', '/v1/services', { spec, resolveImage: false }, API_TIMEOUT_MS);
      return true;
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (attempt > 1 && msg.includes('already exists')) return true;
      createError = msg;
      createRetries++;
      log(`service create ${spec.name} failed (attempt ${attempt}): ${msg}`);
      await sleep(2_000);
    }
  }
  return false;
}

/** Asks the leader for a heap snapshot and prints its summary (the leader is busy meanwhile: taken after the timed phase). */
async function leaderHeap(pid: number, deadline: number): Promise<void> {
  const dir = HEAP_DIR as string;
  const before = new Set(readdirSync(dir));
  process.kill(pid, 'SIGUSR2');
  const find = () => readdirSync(dir).find((f) => !before.has(f) && f.includes(`.${pid}.`) && f.endsWith('.heapsnapshot'));
  await waitFor(() => find() !== undefined, deadline, 1_000);
  const file = find();
  if (file === undefined) return log(`no heap snapshot from pid ${pid} in ${dir}`);
  // Written in pieces: wait until its size stops changing.
  let size = -1;
  await waitFor(() => {
    const now = statSync(join(dir, file)).size;
    const done = now === size && now > 0;
    size = now;
    return done;
  }, deadline, 2_000);
  process.stderr.write(`\n${heapText(`leader heap (${join(dir, file)})`, summarizeHeap(join(dir, file), 25))}\n`);
}

runBench('bench:scale', DEADLINE_MS, async (cleanup: Cleanup) => {
  const benchStart = performance.now();
  const phaseEnd = benchStart + DEADLINE_MS - CLEANUP_MS;
  const flags = [
    ...(PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR] : []),
    ...(HEAP_DIR ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${HEAP_DIR}`] : []),
  ];
  const nodeFlags = flags.length > 0 ? flags : undefined;
  const c = await startManagers(cleanup, 'scale', { count: MANAGERS, nodeFlags, initFlags: ['--dispatcher-heartbeat', HEARTBEAT] });
  const leader = (await leaderOf(c)) ?? c.managers[0];
  const leaderPid = c.pids.get(leader) as number;
  log(`leader: ${leader.name} (pid ${leaderPid})`);

  const token = (await swarmCli(leader, ['join-token', '-q', 'worker'])).stdout.trim();
  const tJoin = performance.now();
  let lastLog = 0;
  const fleet = await SimFleet.start({
    token,
    managerAddr: leader.addr,
    count: NODES,
    concurrency: JOIN_CONCURRENCY,
    joinAttempts: 5,
    logger: { warn: () => undefined },
    onJoined: (n) => {
      if (performance.now() - lastLog > 5_000 || n === NODES) {
        lastLog = performance.now();
        log(`joined ${n}/${NODES} simulated nodes`);
      }
    },
  });
  cleanup.add('stop the simulated nodes', () => fleet.stop());
  const joinMs = performance.now() - tJoin;

  const probe = new Probe(c, leader);
  probe.start();
  cleanup.add('stop polling', () => probe.stop());
  const readyMs = await waitFor(() => probe.readyNodes >= NODES, phaseEnd, 200);
  const readyNodesS = readyMs === undefined ? null : secs(performance.now() - tJoin);
  log(`${probe.readyNodes}/${NODES} simulated nodes ready ${secs(performance.now() - tJoin)} s after the first join (joins took ${secs(joinMs)} s)`);

  // ---- all running -----------------------------------------------------------
  const base = Math.floor(TASKS / SERVICES);
  const tCreate = performance.now();
  let created = 0;
  if (readyMs !== undefined) {
    for (let i = 0; i < SERVICES; i++) {
      const replicas = base + (i < TASKS % SERVICES ? 1 : 0);
      const spec = { ...defaultServiceSpec(`scale-${i + 1}`, 'swarm-test/busybox:latest'), replicas };
      if (await createService(leader, spec)) created += replicas;
    }
    log(`${SERVICES} service(s) of ${created} replicas created in ${secs(performance.now() - tCreate)} s (${createRetries} retries)`);
  }
  let lastProgress = 0;
  const allRunningMs =
    readyMs === undefined
      ? undefined
      : await waitFor(() => {
          if (performance.now() - lastProgress > 5_000) {
            lastProgress = performance.now();
            log(`running: ${probe.running}/${TASKS} by service ls, ${fleet.count('running')} by the nodes; leader RSS ${mb(probe.rss.peak.get(leaderPid))} MiB`);
          }
          return probe.running >= TASKS;
        }, phaseEnd);
  const runningReached = probe.running;
  const allRunningS = allRunningMs === undefined ? null : secs(performance.now() - tCreate);
  log(allRunningS === null ? `NOT all running by the deadline: ${runningReached}/${TASKS}` : `all ${TASKS} running ${allRunningS} s after the first create`);
  if (HEAP_DIR) await leaderHeap(leaderPid, phaseEnd);

  // ---- reschedule ------------------------------------------------------------
  let rescheduleS: number | null = null;
  let killedNodes = 0;
  let killedTasks = 0;
  let rescheduleReached: number | null = null;
  if (allRunningS !== null) {
    const victims = fleet.live.slice(0, Math.max(1, Math.round(NODES / 10)));
    killedNodes = victims.length;
    killedTasks = victims.reduce((sum, n) => sum + n.executor.count('running'), 0);
    const tKill = performance.now();
    await fleet.kill(victims, KILL_MODE);
    log(`killed ${killedNodes} node(s) (${KILL_MODE}) holding ${killedTasks} running task(s)`);
    // service ls may still count the dead nodes' tasks until they are marked down: the nodes' own count says they run elsewhere.
    const ms = await waitFor(() => {
      if (performance.now() - lastProgress > 5_000) {
        lastProgress = performance.now();
        log(`after the kill: ${probe.running}/${TASKS} by service ls, ${fleet.count('running')} on the live nodes`);
      }
      return probe.running >= TASKS && fleet.count('running') >= TASKS;
    }, phaseEnd);
    rescheduleS = ms === undefined ? null : secs(performance.now() - tKill);
    rescheduleReached = fleet.count('running');
    log(rescheduleS === null ? `NOT rescheduled by the deadline: ${rescheduleReached}/${TASKS} on the live nodes` : `rescheduled in ${rescheduleS} s`);
  }
  await probe.stop();

  const followerPids = c.managers.filter((m) => m !== leader).map((m) => c.pids.get(m) as number);
  const followerRss = followerPids.length === 0 ? undefined : Math.max(...followerPids.map((p) => probe.rss.peak.get(p) ?? 0));
  const api99 = Latencies.merge(probe.serviceLs, probe.nodeLs).quantile(0.99);

  const profiles: Record<string, { busy_ms: number; total_ms: number; gc_ms: number; top_self: string[] }> = {};
  if (PROFILE_DIR) {
    // A profile is written as its daemon exits: the sessions first, then the daemons, then the files.
    await fleet.stop();
    await c.daemons.stopAll();
    for (const m of c.managers) {
      const pid = c.pids.get(m) as number;
      const file = readdirSync(PROFILE_DIR).find((f) => f.includes(`.${pid}.`) && f.endsWith('.cpuprofile'));
      if (!file) {
        log(`${m.name}: no profile in ${PROFILE_DIR} for pid ${pid}`);
        continue;
      }
      const p = summarizeProfile(join(PROFILE_DIR, file), 25);
      const role = m === leader ? 'leader' : 'follower';
      process.stderr.write(`\n${profileText(`${m.name} (${role}, ${join(PROFILE_DIR, file)})`, p)}\n`);
      profiles[`${m.name}_${role}`] = { busy_ms: p.busyMs, total_ms: p.totalMs, gc_ms: p.gcMs, top_self: p.self.slice(0, 8).map((e) => `${(e.share * 100).toFixed(1)}% ${e.name}`) };
    }
  }

  return {
    bench: 'scale',
    managers: MANAGERS,
    nodes: NODES,
    tasks: TASKS,
    all_running_s: allRunningS,
    leader_rss_mb: mb(probe.rss.peak.get(leaderPid)),
    follower_rss_mb: mb(followerRss),
    api_p99_ms: api99 === undefined ? null : Math.round(api99),
    reschedule_s: rescheduleS,
    services: SERVICES,
    running_reached: runningReached,
    ready_nodes_s: readyNodesS,
    join_s: secs(joinMs),
    service_ls_p99_ms: ms99(probe.serviceLs),
    node_ls_p99_ms: ms99(probe.nodeLs),
    api_calls: probe.serviceLs.count + probe.nodeLs.count,
    api_errors: probe.serviceLs.errors + probe.nodeLs.errors,
    killed_nodes: killedNodes,
    killed_tasks: killedTasks,
    kill_mode: KILL_MODE,
    rescheduled_reached: rescheduleReached,
    join_retries: fleet.joinRetries,
    create_retries: createRetries,
    ...(created < TASKS ? { created_replicas: created, create_error: createError } : {}),
    // This process runs the N simulated sessions: its CPU is taken from the same 2 cores as the managers'.
    // The simulated nodes' memory is most of it.
    bench_rss_mb: mb(probe.rss.peak.get(process.pid)),
    bench_cpu_s: secs((process.cpuUsage().user + process.cpuUsage().system) / 1000),
    heartbeat: HEARTBEAT,
    ...(PROFILE_DIR ? { profiles } : {}),
  };
});

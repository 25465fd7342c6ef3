// Failover of a real cluster: 3 managers + 2 workers as detached daemons
// started with the compiled CLI, at the default timing users get (Raft tick
// 100 ms, election 10 ticks, dispatcher heartbeat 5 s).
//   - leader: kill -9 the leader, then time until a write through a survivor
//     is acknowledged; restart it and repeat (5 rounds by default);
//   - worker: kill -9 one worker and time until the leader lists it down; at
//     the same time SIGSTOP the other (a hung node, whose socket stays open).
// Writes and polls go straight to the daemons' control sockets: spawning a CLI
// per attempt would add its start-up (~200 ms of Node) to every figure.
// The last line is the JSON summary.
//
//   npm run bench:failover [-- --rounds N --attempt-timeout-ms MS --deadline-s S --no-hang]

import { eventually } from '../lib/util/eventually';
import { execFile } from 'child_process';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { performance } from 'perf_hooks';
import { callDaemon, DaemonError } from '../lib/daemon/control-client';
import type { NodeListView } from '../lib/daemon/control-api';
import { freePort } from '../lib/raft/process/process-cluster';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

const ROUNDS = arg('rounds', 5);
// Short, because a write that reached a follower while it still believed in the
// dead leader (or during the election, when the ReadIndex is dropped) hangs
// until the daemon's own 5 s proposal timeout; the client gives up sooner and retries.
const ATTEMPT_TIMEOUT_MS = arg('attempt-timeout-ms', 200);
const DEADLINE_MS = arg('deadline-s', 300) * 1000;
const HANG = !process.argv.includes('--no-hang');

const BIN = join(__dirname, '..', '..', 'bin', 'swarm');
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---- processes ---------------------------------------------------------------

interface Member {
  name: string;
  dir: string;
  addr: string;
  manager: boolean;
}

/** Every daemon pid this run started, for the cleanup. */
const startedPids = new Set<number>();
/** Pids this run SIGSTOPped: `swarm stop` would hang on them. */
const frozenPids = new Set<number>();

function cli(dir: string, args: string[], timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [BIN, ...args, '--data-dir', dir], { timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) reject(new Error(`swarm ${args.join(' ')} (${dir}) failed: ${stderr.trim() || stdout.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}

function readPid(dir: string): number | undefined {
  try {
    return Number(readFileSync(join(dir, 'swarm.pid'), 'utf8').trim()) || undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs a CLI command that starts a daemon, and records the daemon's pid. */
async function startDaemon(m: Member, args: string[]): Promise<number> {
  await cli(m.dir, args);
  const pid = readPid(m.dir);
  if (!pid) throw new Error(`${m.name}: no pid file after swarm ${args[0]}`);
  startedPids.add(pid);
  return pid;
}

async function waitGone(pid: number, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (alive(pid)) {
    if (performance.now() > deadline) throw new Error(`process ${pid} still alive after ${timeoutMs} ms`);
    await sleep(10);
  }
}

function nodeId(m: Member): string {
  return (JSON.parse(readFileSync(join(m.dir, 'identity.json'), 'utf8')) as { nodeId: string }).nodeId;
}

function api<T>(m: Member, method: string, path: string, body?: unknown, timeoutMs = 2_000): Promise<T> {
  return callDaemon<T>(join(m.dir, 'swarm.sock'), m.dir, method, path, body, timeoutMs);
}

// ---- the cluster as the managers see it ----------------------------------------

/**
 * The leader every manager agrees on, once it counts every other manager as
 * reachable: only then does killing it leave a quorum that can elect.
 */
async function stableLeader(managers: Member[], ids: Map<Member, string>): Promise<Member> {
  const views = await Promise.all(managers.map((m) => api<NodeListView>(m, 'GET', '/v1/nodes?local=1', undefined, 1_000)));
  const lead = views[0].leaderNodeId;
  if (!lead || views.some((v) => v.leaderNodeId !== lead)) throw new Error('no agreed leader');
  const i = views.findIndex((v) => v.selfId === lead);
  if (i < 0) throw new Error(`the leader ${lead} is none of ours`);
  const unreachable = managers.filter((m) => views[i].reachability[ids.get(m) ?? ''] !== 'reachable');
  if (unreachable.length > 0) throw new Error(`the leader does not reach ${unreachable.map((m) => m.name).join(', ')}`);
  return managers[i];
}

/** When a survivor logged "became leader" after `sinceWallMs` (the daemons log ISO times). */
function electedAt(survivors: Member[], sinceWallMs: number): { at: number; who: string } | undefined {
  let best: { at: number; who: string } | undefined;
  for (const m of survivors) {
    let text = '';
    try {
      text = readFileSync(join(m.dir, 'swarm.log'), 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      if (!line.includes('became leader at term')) continue;
      const at = Date.parse(line.slice(0, line.indexOf(' ')));
      if (at >= sinceWallMs && (!best || at < best.at)) best = { at, who: m.name };
    }
  }
  return best;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(p * s.length) - 1)];
}

function describeError(e: unknown): string {
  if (e instanceof DaemonError && e.status === 504) return 'client timeout';
  const msg = e instanceof Error ? e.message : String(e);
  return msg.length > 60 ? `${msg.slice(0, 57)}...` : msg;
}

// ---- the bench ------------------------------------------------------------------

interface RoundResult {
  failoverMs: number;
  electedMs?: number;
}

async function bench(root: string, members: Member[]): Promise<void> {
  const [m1, m2, m3, w1, w2] = members;
  const managers = [m1, m2, m3];

  const t0 = performance.now();
  // The timing flags are left out on purpose: these are the defaults users get.
  await startDaemon(m1, ['init', '--listen-addr', m1.addr, '--advertise-addr', m1.addr, '--hostname', m1.name]);
  const managerToken = (await cli(m1.dir, ['join-token', '-q', 'manager'])).trim();
  const workerToken = (await cli(m1.dir, ['join-token', '-q', 'worker'])).trim();
  for (const m of members.slice(1)) {
    const token = m.manager ? managerToken : workerToken;
    await startDaemon(m, ['join', '--token', token, m1.addr, '--listen-addr', m.addr, '--advertise-addr', m.addr, '--hostname', m.name]);
  }
  const ids = new Map(members.map((m) => [m, nodeId(m)] as const));
  const nameOf = (id: string | undefined) => members.find((m) => ids.get(m) === id)?.name ?? id ?? 'none';

  await eventually(
    '5 ready nodes and a leader reaching every manager',
    async () => {
      const leader = await stableLeader(managers, ids);
      const v = await api<NodeListView>(leader, 'GET', '/v1/nodes?local=1');
      return v.nodes.length === 5 && v.nodes.every((n) => n.status.state === 'ready') ? true : undefined;
    },
    60_000,
  );
  const info = await api<{ raft?: { electionTick: number; heartbeatTick: number }; dispatcherHeartbeatMs?: number }>(m1, 'GET', '/v1/info');
  const heartbeatMs = info.dispatcherHeartbeatMs ?? 5_000;
  console.log(
    `failover bench: 3 managers + 2 workers, detached daemons on 127.0.0.1, data in ${root}\n` +
      `  raft tick 100 ms (CLI default), election tick ${info.raft?.electionTick}, heartbeat tick ${info.raft?.heartbeatTick}, ` +
      `dispatcher heartbeat ${heartbeatMs} ms; write attempts time out after ${ATTEMPT_TIMEOUT_MS} ms and are retried at once\n` +
      `  cluster up in ${Math.round(performance.now() - t0)} ms`,
  );

  const rounds: RoundResult[] = [];
  let leaderChangedAt = performance.now();
  for (let r = 1; r <= ROUNDS; r++) {
    const leader = await eventually('a stable leader', () => stableLeader(managers, ids), 30_000);
    const survivors = managers.filter((m) => m !== leader);
    // Alternate, so some rounds write through the manager that wins and some through the other.
    const writer = survivors[(r - 1) % 2];
    const writerId = ids.get(writer) ?? '';
    const pid = readPid(leader.dir);
    if (!pid) throw new Error(`${leader.name}: no pid file`);

    const killWall = Date.now();
    const k0 = performance.now();
    process.kill(pid, 'SIGKILL');
    let attempts = 0;
    const errors = new Map<string, number>();
    let lastStart = k0;
    for (;;) {
      if (performance.now() - k0 > 30_000) throw new Error(`round ${r}: no write acknowledged within 30 s of the kill`);
      attempts++;
      lastStart = performance.now();
      try {
        await api(writer, 'POST', `/v1/nodes/${writerId}/update`, { labelAdd: { failover: `r${r}-a${attempts}` } }, ATTEMPT_TIMEOUT_MS);
        break;
      } catch (e) {
        const why = describeError(e);
        errors.set(why, (errors.get(why) ?? 0) + 1);
      }
    }
    const failoverMs = Math.round(performance.now() - k0);
    leaderChangedAt = performance.now();
    const elected = electedAt(survivors, killWall);
    const electedMs = elected ? elected.at - killWall : undefined;
    const view = await api<NodeListView>(writer, 'GET', '/v1/nodes?local=1');

    await waitGone(pid);
    const s0 = performance.now();
    await startDaemon(leader, ['start']);
    const startMs = Math.round(performance.now() - s0);
    await eventually(`${leader.name} reachable again`, () => stableLeader(managers, ids), 30_000);
    const backMs = Math.round(performance.now() - s0);

    rounds.push({ failoverMs, electedMs });
    const errs = [...errors].map(([k, n]) => `${n}x ${k}`).join(', ') || 'none';
    console.log(
      `round ${r}: killed leader ${leader.name} (pid ${pid}); write via ${writer.name} acked after ${failoverMs} ms ` +
        `(leader elected at ${electedMs ?? '?'} ms: ${elected?.who ?? '?'}, now ${nameOf(view.leaderNodeId)}; ` +
        `successful attempt started at ${Math.round(lastStart - k0)} ms, ${attempts} attempts, failures: ${errs}); ` +
        `${leader.name} restarted in ${startMs} ms, reachable after ${backMs} ms`,
    );
  }

  // The new leader's dispatcher judges nobody for 3 periods after it took over
  // (agents are reconnecting); a worker killed inside that grace would measure the grace.
  const leader = await eventually('a stable leader', () => stableLeader(managers, ids), 30_000);
  const graceLeft = 3 * heartbeatMs + 1_000 - (performance.now() - leaderChangedAt);
  if (graceLeft > 0) {
    console.log(`waiting ${(graceLeft / 1000).toFixed(1)} s for ${leader.name}'s dispatcher grace after the last leader change (3 heartbeat periods)`);
    await sleep(graceLeft);
  }
  await eventually(
    'both workers ready',
    async () => {
      const v = await api<NodeListView>(leader, 'GET', '/v1/nodes?local=1');
      const ready = [w1, w2].every((w) => v.nodes.find((n) => n.id === ids.get(w))?.status.state === 'ready');
      return ready ? true : undefined;
    },
    30_000,
  );

  const watched: { w: Member; how: string; downMs?: number }[] = [{ w: w1, how: 'kill -9' }];
  if (HANG) watched.push({ w: w2, how: 'SIGSTOP' });
  const pids = watched.map(({ w }) => readPid(w.dir));
  const d0 = performance.now();
  watched.forEach(({ w }, i) => {
    const pid = pids[i];
    if (!pid) throw new Error(`${w.name}: no pid file`);
    if (w === w2) frozenPids.add(pid);
    process.kill(pid, w === w2 ? 'SIGSTOP' : 'SIGKILL');
  });
  await eventually(
    'the workers down',
    async () => {
      const v = await api<NodeListView>(leader, 'GET', '/v1/nodes?local=1', undefined, 1_000);
      const now = Math.round(performance.now() - d0);
      for (const x of watched) {
        if (x.downMs === undefined && v.nodes.find((n) => n.id === ids.get(x.w))?.status.state === 'down') x.downMs = now;
      }
      return watched.every((x) => x.downMs !== undefined) ? true : undefined;
    },
    6 * heartbeatMs + 10_000,
    50,
  );
  for (const x of watched) {
    console.log(`worker ${x.w.name} (${x.how}): down on ${leader.name} after ${x.downMs} ms (heartbeat ${heartbeatMs} ms)`);
  }

  const fo = rounds.map((x) => x.failoverMs);
  const el = rounds.flatMap((x) => (x.electedMs === undefined ? [] : [x.electedMs]));
  console.log(
    `summary: leader failover p50 ${pct(fo, 0.5)} ms, max ${pct(fo, 1)} ms over ${fo.length} rounds ` +
      `(election alone p50 ${el.length ? pct(el, 0.5) : '?'} ms, max ${el.length ? pct(el, 1) : '?'} ms); ` +
      `worker down after kill -9 ${watched[0].downMs} ms` +
      (HANG ? `, after SIGSTOP ${watched[1].downMs} ms` : ''),
  );
  console.log(
    JSON.stringify({
      bench: 'failover',
      leader_failover_ms_p50: pct(fo, 0.5),
      leader_failover_ms_max: pct(fo, 1),
      worker_down_ms: watched[0].downMs,
      worker_hung_down_ms: HANG ? watched[1].downMs : undefined,
      leader_failover_ms: fo,
      leader_elected_ms: el,
      rounds: fo.length,
      raft_tick_ms: 100,
      election_tick: info.raft?.electionTick,
      dispatcher_heartbeat_ms: heartbeatMs,
      attempt_timeout_ms: ATTEMPT_TIMEOUT_MS,
    }),
  );
}

/** `swarm stop` for every daemon still up, then SIGKILL whatever is left, then the files. */
async function cleanup(root: string, members: Member[]): Promise<void> {
  for (const pid of frozenPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await Promise.all(
    members.map(async (m) => {
      const pid = readPid(m.dir);
      if (pid && startedPids.has(pid) && alive(pid)) await cli(m.dir, ['stop'], 15_000).catch(() => undefined);
    }),
  );
  for (const pid of startedPids) {
    if (!alive(pid)) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone in between
    }
  }
  rmSync(root, { recursive: true, force: true });
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'swarm-bench-failover-'));
  const names = ['m1', 'm2', 'm3', 'w1', 'w2'];
  const members: Member[] = [];
  for (const name of names) {
    members.push({ name, dir: join(root, name), addr: `127.0.0.1:${await freePort()}`, manager: name.startsWith('m') });
  }
  let cleaning: Promise<void> | undefined;
  const clean = () => (cleaning ??= cleanup(root, members));
  const onSignal = (sig: NodeJS.Signals) => {
    console.error(`failover bench: ${sig}, cleaning up`);
    void clean().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the bench did not finish within ${DEADLINE_MS / 1000} s`)), DEADLINE_MS);
  });
  try {
    await Promise.race([bench(root, members), deadline]);
  } finally {
    clearTimeout(timer);
    await clean();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

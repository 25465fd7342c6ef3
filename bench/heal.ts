// Self-healing after a worker dies: 1 manager + 2 workers as detached daemons
// on the local engine, default settings (dispatcher heartbeat 5 s), a service
// of 6 replicas (the manager runs tasks too). The worker agent running the
// most replicas is killed with kill -9; measured from the kill:
//   - node_down_s: until the manager lists that node as down;
//   - recovered_s: until 6 tasks desired running are running on the survivors,
//     as the manager's store says. The dead agent's containers keep running
//     on the shared engine (the daemon died, not the engine), so the engine's
//     own count would be wrong; they are removed by node id at the end.
// The kill waits until the manager's dispatcher is out of its grace of 3
// heartbeat periods after becoming leader, as in a cluster that has been up
// a while. Progress goes to stderr; the last line on stdout is the JSON.
//
//   npm run bench:heal [-- --replicas N --deadline-s S --poll-ms MS --keep-logs]

import { randomBytes } from 'crypto';
import { performance } from 'perf_hooks';
import type { Task } from '../lib/api/service-types';
import type { NodeListView } from '../lib/daemon/control-api';
import { eventually } from '../lib/util/eventually';
import { hasFlag, intArg } from './lib/args';
import { startCluster } from './lib/cluster';
import { containersWithLabel, NODE_LABEL, SERVICE_NAME_LABEL } from './lib/engine';
import { log, runBench } from './lib/lifecycle';
import { api, becameLeaderAt, nodeIdOf, readPid, swarmCli, SwarmNode } from './lib/nodes';
import { Ours } from './lib/ours';
import { healTimeline } from './lib/heal-timeline';
import { ensureTestImage } from './lib/test-image';

const REPLICAS = intArg('replicas', 6);
const DEADLINE_MS = intArg('deadline-s', 300) * 1000;
const POLL_MS = intArg('poll-ms', 100);
const SUFFIX = randomBytes(3).toString('hex');
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const isRunning = (t: Task) => t.desiredState === 'running' && t.status.state === 'running';

/** The worker with the most running replicas (the first on a tie). */
function busiestWorker(tasks: readonly Task[], workers: readonly SwarmNode[]): { w: SwarmNode; id: string; count: number } {
  const counted = workers.map((w) => {
    const id = nodeIdOf(w);
    return { w, id, count: tasks.filter((t) => isRunning(t) && t.nodeId === id).length };
  });
  return counted.reduce((a, b) => (b.count > a.count ? b : a));
}

runBench('heal bench', DEADLINE_MS, async (cleanup) => {
  const image = await ensureTestImage();
  const initAt = performance.now();
  const c = await startCluster(cleanup, 'heal', 2, { keepLogs: hasFlag('keep-logs') });
  const m = c.manager;
  const info = await api<{ dispatcherHeartbeatMs?: number }>(m, 'GET', '/v1/info');
  const heartbeatMs = info.dispatcherHeartbeatMs ?? 5_000;
  const ours = new Ours(m, 'cli');
  const name = `heal-${SUFFIX}`;
  // Known only after the placement; the cleanup registered before needs it.
  const killed: { id?: string } = {};

  cleanup.add(`remove service ${name}`, async () => {
    await swarmCli(m, ['service', 'rm', name], 30_000, true).catch(() => undefined);
    // Only the survivors remove their containers; the dead agent's go by node id afterwards.
    const survivorsHold = async () =>
      (await containersWithLabel(SERVICE_NAME_LABEL, name, true)).filter((x) => x.Labels[NODE_LABEL] !== killed.id).length;
    for (let i = 0; i < 150 && (await survivorsHold()) > 0; i++) await sleep(200);
  });

  await ours.create(name, REPLICAS, { image, args: ['sleep', '100000'], stopGrace: '1s' });
  await eventually(`${REPLICAS} replicas running`, async () => ((await ours.tally(name)).running >= REPLICAS ? true : undefined), 60_000);
  const placed = await ours.tasks(name);
  const victim = busiestWorker(placed, c.workers);
  killed.id = victim.id;
  const survivors = [m, ...c.workers.filter((w) => w !== victim.w)];
  const perNode = [m, ...c.workers].map((n) => `${n.name} ${placed.filter((t) => isRunning(t) && t.nodeId === nodeIdOf(n)).length}`).join(', ');
  log(`${REPLICAS} replicas running (${perNode}); victim: ${victim.w.name} with ${victim.count}`);

  // From the leader's own log line when there is one; else from before `swarm init`, which is earlier, so some grace may be left.
  const leaderWall = becameLeaderAt(m);
  const leaderAge = leaderWall !== undefined ? Date.now() - leaderWall : performance.now() - initAt;
  const graceLeft = 3 * heartbeatMs + 1_000 - leaderAge;
  if (graceLeft > 0) {
    log(`waiting ${(graceLeft / 1000).toFixed(1)} s for the dispatcher's grace after the manager became leader (3 heartbeat periods of ${heartbeatMs} ms)`);
    await sleep(graceLeft);
  }

  const pid = readPid(victim.w);
  if (!pid) throw new Error(`${victim.w.name}: no pid file`);
  const killWall = Date.now();
  const k0 = performance.now();
  process.kill(pid, 'SIGKILL');
  log(`kill -9 ${pid} (${victim.w.name}'s daemon)`);

  let downS: number | undefined;
  let recoveredS: number | undefined;
  let nextLog = k0 + 1_000;
  while (downS === undefined || recoveredS === undefined) {
    const [nodes, tasks] = await Promise.all([api<NodeListView>(m, 'GET', '/v1/nodes'), ours.tasks(name)]);
    const now = performance.now();
    const s = (now - k0) / 1000;
    if (downS === undefined && nodes.nodes.find((n) => n.id === victim.id)?.status.state === 'down') {
      downS = s;
      log(`${victim.w.name} down after ${s.toFixed(2)} s`);
    }
    const onSurvivors = tasks.filter((t) => isRunning(t) && t.nodeId !== victim.id).length;
    if (recoveredS === undefined && onSurvivors >= REPLICAS) {
      recoveredS = s;
      log(`${onSurvivors} replicas running on ${survivors.map((n) => n.name).join(' and ')} after ${s.toFixed(2)} s`);
    }
    if (now > nextLog) {
      log(`${s.toFixed(1)} s: ${onSurvivors}/${REPLICAS} running on the survivors, ${victim.w.name} ${downS === undefined ? 'not yet down' : 'down'}`);
      nextLog = now + 1_000;
    }
    if (now - k0 > 6 * heartbeatMs + 30_000) throw new Error(`no recovery within ${(now - k0) / 1000} s of the kill (${onSurvivors}/${REPLICAS} on the survivors)`);
    await sleep(POLL_MS);
  }

  const timeline = healTimeline(await ours.tasks(name), (await api<NodeListView>(m, 'GET', '/v1/nodes')).nodes, victim.id, killWall);
  for (const line of timeline.lines) log(`timeline: ${line}`);
  log(`summary: ${victim.w.name} (${victim.count} replicas) down after ${downS.toFixed(2)} s, ${REPLICAS} replicas running again after ${recoveredS.toFixed(2)} s (heartbeat ${heartbeatMs} ms)`);
  return {
    bench: 'heal',
    replicas: REPLICAS,
    node_down_s: Math.round(downS * 100) / 100,
    recovered_s: Math.round(recoveredS * 100) / 100,
    killed_replicas: victim.count,
    dispatcher_heartbeat_ms: heartbeatMs,
    ...timeline.figures,
  };
});

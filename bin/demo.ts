// The main job: a local cluster of one manager and two workers on
// 127.0.0.1, each its own daemon with its own data dir and its own address
// for published ports (127.0.0.11-13), driven through the real CLI. A service
// spreads 6 replicas, loses a worker to kill -9 and heals, scales, rolls out
// an update; then a stack from compose-examples/ is deployed, redeployed
// unchanged and removed; then the voting app (compose-examples/vote.yml):
// three services on two networks calling each other by name, voted on
// through every node's published port. Tasks run as containers on the local
// Docker engine, or as processes when no engine answers (and the demo says
// so; the voting app needs the engine). Every process it starts is stopped.

import { execFile } from 'child_process';
import { get } from 'http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import Docker from 'dockerode';
import { freePort } from '../lib/raft/process/process-cluster';
import { testImageName } from '../lib/testing/test-image';
import { eventually } from '../lib/util/eventually';

const BIN = join(__dirname, '..', '..', 'bin', 'swarm');
const say = (s: string) => console.log(s);

function swarm(dir: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [BIN, '--data-dir', dir, ...args], { timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`swarm ${args.join(' ')}: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}

function pidOf(dir: string): number | undefined {
  try {
    return Number(readFileSync(join(dir, 'swarm.pid'), 'utf8').trim()) || undefined;
  } catch {
    return undefined;
  }
}

async function engineAnswers(): Promise<boolean> {
  try {
    await new Docker().ping();
    await new Docker().getImage(testImageName()).inspect();
    return true;
  } catch {
    return false;
  }
}

async function running(m: string, service: string): Promise<Record<string, number>> {
  const rows = (await swarm(m, ['service', 'ps', '--format', 'json', service])).trim().split('\n').filter(Boolean);
  const out: Record<string, number> = {};
  for (const l of rows) {
    const r = JSON.parse(l) as { Node: string; DesiredState: string; CurrentState: string };
    if (r.DesiredState === 'Running' && r.CurrentState.startsWith('Running')) out[r.Node] = (out[r.Node] ?? 0) + 1;
  }
  return out;
}

const count = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);

/** Where each node opens ports published through the routing mesh. */
const PUBLISH = { m1: '127.0.0.11', w1: '127.0.0.12', w2: '127.0.0.13' };

function httpGet(host: string, port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get({ host, port, path, timeout: 15_000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${res.statusCode}: ${body.trim()}`))));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
  });
}

/** The voting app: votes through every node's published port, results read through tally by name. */
async function votingApp(m: string, root: string): Promise<void> {
  const file = join(__dirname, '..', '..', 'compose-examples', 'vote.yml');
  const env = join(root, 'vote.env');
  const votePort = await freePort();
  const resultPort = await freePort();
  writeFileSync(env, `VOTE_PORT=${votePort}\nRESULT_PORT=${resultPort}\n`);
  say(`\n$ swarm stack deploy -c compose-examples/vote.yml --env-file vote.env vote   (VOTE_PORT=${votePort} RESULT_PORT=${resultPort})`);
  let t0 = Date.now();
  say((await swarm(m, ['stack', 'deploy', '-q', '-c', file, '--env-file', env, 'vote'])).trimEnd());
  say(`converged in ${Date.now() - t0} ms`);
  say('\n$ swarm network ls');
  say((await swarm(m, ['network', 'ls'])).trimEnd());
  say('\n$ swarm service ls');
  say((await swarm(m, ['service', 'ls'])).trimEnd());
  t0 = Date.now();
  const votes: [string, string][] = [['m1', 'cats'], ['w1', 'dogs'], ['w2', 'cats'], ['m1', 'cats'], ['w1', 'dogs'], ['w2', 'cats']];
  for (const [node, choice] of votes) {
    const host = PUBLISH[node as keyof typeof PUBLISH];
    const answer = await eventually(`a vote through ${node}`, () => httpGet(host, votePort, `/cgi-bin/vote?${choice}`).catch(() => undefined), 60_000, 300);
    say(`$ curl http://${host}:${votePort}/cgi-bin/vote?${choice}   (${node})\n${answer.trimEnd()}`);
  }
  for (const node of ['w2', 'm1'] as const) {
    const host = PUBLISH[node];
    say(`\n$ curl http://${host}:${resultPort}/cgi-bin/results   (${node})`);
    say((await httpGet(host, resultPort, '/cgi-bin/results')).trimEnd());
  }
  say(`(${votes.length} votes and 2 reads in ${Date.now() - t0} ms)`);
  say('\n$ swarm stack rm vote');
  say((await swarm(m, ['stack', 'rm', 'vote'])).trimEnd());
}

async function untilRunning(m: string, service: string, n: number, without?: string): Promise<Record<string, number>> {
  return eventually(`${n} running tasks`, async () => {
    const c = await running(m, service);
    return count(c) === n && !(without && c[without]) ? c : undefined;
  }, 90_000, 200);
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'swarm-demo-'));
  const dirs = { m1: join(root, 'm1'), w1: join(root, 'w1'), w2: join(root, 'w2') };
  const m = dirs.m1;
  const docker = await engineAnswers();
  const runtime = docker ? 'docker' : 'process';
  const nodeIds: string[] = [];
  try {
    say(docker
      ? `Tasks run as containers of ${testImageName()} on the local Docker engine.`
      : 'No Docker engine (or no test image) answers: tasks run as processes (--runtime process).');
    const addr = `127.0.0.1:${await freePort()}`;
    say(`\n$ swarm init --listen-addr ${addr} --hostname m1 --dispatcher-heartbeat 1s --publish-addr ${PUBLISH.m1}   (data in ${root})`);
    await swarm(m, ['init', '--runtime', runtime, '--listen-addr', addr, '--hostname', 'm1', '--dispatcher-heartbeat', '1s', '--publish-addr', PUBLISH.m1]);
    const token = (await swarm(m, ['join-token', '-q', 'worker'])).trim();
    for (const w of ['w1', 'w2'] as const) {
      const listen = `127.0.0.1:${await freePort()}`;
      say(`$ swarm join --token SWMTKN-1-… ${addr} --listen-addr ${listen} --hostname ${w} --publish-addr ${PUBLISH[w]}`);
      await swarm(dirs[w], ['join', '--runtime', runtime, '--token', token, addr, '--listen-addr', listen, '--hostname', w, '--publish-addr', PUBLISH[w]]);
    }
    say('\n$ swarm node ls');
    say((await swarm(m, ['node', 'ls'])).trimEnd());
    nodeIds.push(...(await swarm(m, ['node', 'ls', '-q'])).trim().split('\n'));

    say('\n$ swarm service create -d --name web --replicas 6 --stop-grace-period 1s IMAGE sleep 100000');
    let t0 = Date.now();
    await swarm(m, ['service', 'create', '-d', '--name', 'web', '--replicas', '6', '--stop-grace-period', '1s', testImageName(), 'sleep', '100000']);
    let c = await untilRunning(m, 'web', 6);
    say(`6 replicas running in ${Date.now() - t0} ms, per node: ${JSON.stringify(c)}`);
    say('\n$ swarm service ps web');
    say((await swarm(m, ['service', 'ps', 'web'])).trimEnd());

    const victim = Object.entries(c).sort((a, b) => b[1] - a[1]).find(([n]) => n !== 'm1')?.[0] ?? 'w1';
    say(`\nkill -9 of ${victim}'s daemon (pid ${pidOf(dirs[victim as 'w1'])})`);
    t0 = Date.now();
    process.kill(pidOf(dirs[victim as 'w1']) ?? 0, 'SIGKILL');
    c = await untilRunning(m, 'web', 6, victim);
    say(`6 replicas running again without ${victim} after ${Date.now() - t0} ms: ${JSON.stringify(c)}`);
    say('$ swarm node ls');
    say((await swarm(m, ['node', 'ls'])).trimEnd());
    say(`\n$ swarm start   (on ${victim})`);
    await swarm(dirs[victim as 'w1'], ['start']);

    say('\n$ swarm service scale web=9');
    await swarm(m, ['service', 'scale', '-d', 'web=9']);
    c = await untilRunning(m, 'web', 9);
    say(`9 running: ${JSON.stringify(c)}`);

    say('\n$ swarm service update -d --env-add COLOR=blue web   (one task at a time)');
    t0 = Date.now();
    await swarm(m, ['service', 'update', '-d', '--env-add', 'COLOR=blue', 'web']);
    // Each of the 9 slots gets a new task; the old ones stay as Shutdown history.
    await eventually('the update rolled out', async () => {
      const replaced = (await swarm(m, ['service', 'ps', '-q', '--filter', 'desired-state=shutdown', 'web'])).trim().split('\n').filter(Boolean);
      return replaced.length >= 9 && count(await running(m, 'web')) === 9 ? true : undefined;
    }, 120_000, 300);
    say(`rolled out in ${Date.now() - t0} ms`);
    say('\n$ swarm service ls');
    say((await swarm(m, ['service', 'ls'])).trimEnd());

    say('\n$ swarm service rm web');
    await swarm(m, ['service', 'rm', 'web']);
    await eventually('no task left', async () => (count(await running(m, 'web').catch(() => ({}))) === 0 ? true : undefined), 60_000, 300);
    say('removed.');

    // A stack from a compose file: placement by node labels (the process runtime
    // cannot mount volumes, so without Docker the batch example runs instead).
    const example = docker ? 'app.yml' : 'batch.yml';
    const file = join(__dirname, '..', '..', 'compose-examples', example);
    say('\n$ swarm node update --label-add zone=a m1; ... zone=b w1 w2');
    await swarm(m, ['node', 'update', '--label-add', 'zone=a', 'm1']);
    for (const w of ['w1', 'w2']) await swarm(m, ['node', 'update', '--label-add', 'zone=b', w]);
    say(`$ swarm stack deploy -c compose-examples/${example} demo`);
    t0 = Date.now();
    say((await swarm(m, ['stack', 'deploy', '-q', '-c', file, 'demo'])).trimEnd());
    say(`converged in ${Date.now() - t0} ms`);
    say('\n$ swarm stack services demo');
    say((await swarm(m, ['stack', 'services', 'demo'])).trimEnd());
    say('\n$ swarm stack ps demo');
    say((await swarm(m, ['stack', 'ps', 'demo'])).trimEnd());
    say(`\n$ swarm stack deploy -c compose-examples/${example} demo   (again: nothing changed)`);
    say((await swarm(m, ['stack', 'deploy', '-c', file, 'demo'])).trimEnd());
    say('\n$ swarm stack rm demo');
    say((await swarm(m, ['stack', 'rm', 'demo'])).trimEnd());

    if (docker) await votingApp(m, root);
    else say('\n(The voting app needs the Docker engine: its services are web servers on the same port.)');
  } finally {
    for (const d of Object.values(dirs)) {
      const pid = pidOf(d);
      if (pid) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // not running
        }
      }
    }
    await new Promise((r) => setTimeout(r, 1500));
    for (const d of Object.values(dirs)) {
      const pid = pidOf(d);
      try {
        if (pid) process.kill(pid, 'SIGKILL');
      } catch {
        // stopped
      }
    }
    if (docker) {
      // Containers of the killed worker's tasks outlive its daemon; remove whatever is left.
      const d = new Docker();
      for (const id of nodeIds) {
        for (const ci of await d.listContainers({ all: true, filters: { label: [`com.docker.swarm.node.id=${id}`] } })) {
          await d.getContainer(ci.Id).remove({ force: true }).catch(() => undefined);
        }
      }
    }
    rmSync(root, { recursive: true, force: true });
    say('\nEvery daemon stopped; data dirs removed.');
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});

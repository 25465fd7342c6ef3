// The service data path on real daemons against Docker's userland proxy, four
// ways to the same kind of busybox httpd, in one run:
//   direct        host -> the task's container address on the engine's bridge (the floor)
//   vip           host -> the service's VIP, served by the task's own node B (our
//                 userspace listener, which dials the container directly)
//   mesh          host -> the published port on node A, which runs no task: A's
//                 ingress listener -> HTTP/2 stream over mutual TLS -> B -> container
//   docker_proxy  host -> `docker run -p 127.0.0.1:P:80` of the same image and command;
//                 the engine runs with --iptables=false, so docker-proxy (a Go
//                 process per port) relays it: the anchor
// Three loads each, all wrk: short requests (64 connections on /small, a few
// hundred bytes; busybox httpd closes every connection, so each request is a
// new connection, a new accept and a new dial on every hop), the same with one
// connection (latency alone), and bulk (4 connections on /big, tens of MiB per
// request; bytes read per second, partial answers included). Read the
// 64-connection p99 with care: busybox httpd listens with a backlog of 9, so at
// 64 connections its accept queue overflows and SYNs are dropped and resent
// after 1 s (then 3 s), which is most of every way's p99; and wrk starts a
// request's clock once its own connect is done, so straight to the container
// such a wait is partly outside the figure, while through a proxy the proxy's
// own dial, SYNs resent and all, is inside it. The one-connection run has no
// overflow, and its p99 is what "within 1 ms of direct" can be judged on.
// The ways take turns, in a rotated order each round, and the figures are
// medians over the rounds: other work on a shared 2-core machine drifts, and
// must not favour one way.
//
// Setup: a manager B (--publish-addr 127.0.0.31, its own address pool so its
// subnets and routes cannot collide with another cluster's) runs one replica
// of `web` on network `bench`, published on a free port; a worker A
// (--publish-addr 127.0.0.32, joined drained so it never runs the task) is
// joined after B already serves the VIP, because nodes of one machine share
// the loopback and the first to bind a VIP serves it for all. Who holds each
// listening socket is checked with `ss` and printed.
//
// Cleanup, on success, failure, deadline or Ctrl-C: wrk killed, `swarm leave
// --force` on A then B (which also removes their local routes; checked, and any
// route of our pool left over removed), daemons stopped by pid, containers of
// our nodes and the anchor removed, temp dirs removed.
//
// --profile DIR runs both daemons under `node --cpu-prof` (in the foreground,
// as NODE_OPTIONS may not carry --cpu-prof) and prints where each spent its
// time; with --ways vip (or mesh) the profile is of that path alone.
//
//   npm run bench:mesh [-- --seconds S --rounds R --connections N --bulk-connections N
//                         --big-mib M --ways direct,vip,mesh,docker_proxy --profile DIR
//                         --pool CIDR --deadline-s S --keep-logs]
//
// Needs root (the nodes add local routes), iproute2 (ip, ss), a Docker engine,
// wrk, and the test image (built here from /bin/busybox when absent).

import { spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'fs';
import * as http from 'http';
import { loadavg, tmpdir } from 'os';
import { join } from 'path';
import { performance } from 'perf_hooks';
import { freePort } from '../lib/raft/process/process-cluster';
import { testImageName } from '../lib/testing/test-image';
import { eventually } from '../lib/util/eventually';
import { cidrContains, parseCidr, parseIpv4 } from '../lib/util/ipv4';
import { hasFlag, intArg, listArg, stringArg } from './lib/args';
import { Cluster, joinWorker, newWorkerNode, startCluster } from './lib/cluster';
import { profileText, summarizeProfile } from './lib/cpu-profile';
import { containersWithLabel, engine, NODE_LABEL, removeContainersWithLabel, SERVICE_NAME_LABEL } from './lib/engine';
import { execTool } from './lib/exec';
import { Cleanup, log, runBench, withTimeout } from './lib/lifecycle';
import { alive, readPid, swarmCli, SwarmNode } from './lib/nodes';
import { errorCount, haveWrk, runWrk, WrkResult, writeWrkScript } from './lib/wrk';

const WAYS = ['direct', 'vip', 'mesh', 'docker_proxy'] as const;
type Way = (typeof WAYS)[number];

const SECONDS = intArg('seconds', 5);
const ROUNDS = intArg('rounds', 3);
const CONNECTIONS = intArg('connections', 64);
const BULK_CONNECTIONS = intArg('bulk-connections', 4);
const BIG_MIB = intArg('big-mib', 64);
const DEADLINE_MS = intArg('deadline-s', 420) * 1000;
const ONLY = listArg('ways', WAYS);
const PROFILE_DIR = stringArg('profile');
const POOL = stringArg('pool', '100.101.0.0/16');
const KEEP_LOGS = hasFlag('keep-logs');

/** Where each node opens published ports: one loopback address per node, so A's and B's listeners are told apart. */
const B_PUBLISH = '127.0.0.31';
const A_PUBLISH = '127.0.0.32';
const SMALL_BYTES = 512;
const SERVICE = 'web';
const NETWORK = 'bench';
const SUFFIX = randomBytes(3).toString('hex');
const ANCHOR_LABEL = 'swarm-bench-mesh';

/** The task's command, the anchor's too: the files, then httpd, which thus answers only once /big is whole. */
const SERVE = [
  'sh',
  '-c',
  `mkdir -p /www && head -c ${SMALL_BYTES} /dev/zero | tr '\\0' x > /www/small && ` +
    `dd if=/dev/zero of=/www/big bs=1M count=${BIG_MIB} 2>/dev/null && exec httpd -f -p 80 -h /www`,
];

const load = () => Math.round(loadavg()[0] * 100) / 100;

// ---- preflight: fail within seconds, naming what to run ---------------------

function have(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 5_000 });
  return (r.error as NodeJS.ErrnoException | undefined)?.code !== 'ENOENT';
}

async function preflight(): Promise<string> {
  if (!haveWrk()) throw new Error('wrk is not installed: apt-get install -y wrk');
  if (!have('ip', ['-V']) || !have('ss', ['-V'])) throw new Error('ip and ss are missing: apt-get install -y iproute2');
  if (process.getuid?.() !== 0) throw new Error('run as root: the nodes add local routes for their subnets (CAP_NET_ADMIN), without which there are no VIPs');
  await withTimeout('the Docker engine', engine.ping(), 5_000).catch((e: unknown) => {
    throw new Error(`no Docker engine answers (${e instanceof Error ? e.message : String(e)}): start dockerd`);
  });
  const image = testImageName();
  const present = await engine
    .getImage(image)
    .inspect()
    .then(
      () => true,
      () => false,
    );
  if (!present) {
    log(`test image ${image} missing: building it with scripts/build-test-image.sh`);
    const script = join(__dirname, '..', '..', 'scripts', 'build-test-image.sh');
    await execTool('bash', [script], 120_000).catch((e: unknown) => {
      throw new Error(`the test image ${image} is missing and could not be built (${e instanceof Error ? e.message : String(e)}); run: bash scripts/build-test-image.sh`);
    });
  }
  // Another run of this bench (or one that died uncleanly) would share our subnets.
  const taken = ourRoutes();
  if (taken.length > 0) {
    throw new Error(
      `local routes in ${POOL} exist already (${taken.join(', ')}): another bench:mesh is running, or one left them; ` +
        `remove them with ${taken.map((r) => `'ip route del local ${r} dev lo table local'`).join(', ')}, or pass --pool CIDR`,
    );
  }
  return image;
}

/** Subnets of our pool with a local route on this machine. */
function ourRoutes(): string[] {
  const pool = parseCidr(POOL);
  const r = spawnSync('ip', ['-4', 'route', 'show', 'table', 'local'], { encoding: 'utf8', timeout: 5_000 });
  const found: string[] = [];
  for (const line of (r.stdout ?? '').split('\n')) {
    const m = /^local (\d+\.\d+\.\d+\.\d+)(\/\d+)?\s/.exec(line);
    const a = m ? parseIpv4(m[1]) : undefined;
    if (m && a !== undefined && cidrContains(pool, a)) found.push(`${m[1]}${m[2] ?? ''}`);
  }
  return found;
}

// ---- who serves what --------------------------------------------------------

interface Holder {
  process: string;
  pid: number;
}

/** The process listening on addr:port (TCP), from `ss -ltnp`. */
function listener(addr: string, port: number): Holder | undefined {
  const r = spawnSync('ss', ['-Hltnp'], { encoding: 'utf8', timeout: 5_000 });
  for (const line of (r.stdout ?? '').split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols[3] !== `${addr}:${port}`) continue;
    const m = /users:\(\("([^"]+)",pid=(\d+)/.exec(line);
    return m ? { process: m[1], pid: Number(m[2]) } : undefined;
  }
  return undefined;
}

function holderText(h: Holder | undefined, names: Record<number, string>): string {
  if (!h) return 'nobody (!)';
  return names[h.pid] ? `${names[h.pid]} (${h.process} pid ${h.pid})` : `${h.process} pid ${h.pid}`;
}

/** One GET with a fresh connection: the status and the body's length. */
function get(url: string, timeoutMs = 2_000): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

function answers(what: string, base: string, timeoutMs = 60_000): Promise<true> {
  return eventually(
    `${what} (${base}/small) to answer`,
    async () => {
      const r = await get(`${base}/small`);
      if (r.status !== 200 || r.bytes !== SMALL_BYTES) throw new Error(`status ${r.status}, ${r.bytes} bytes`);
      return true as const;
    },
    timeoutMs,
  );
}

// ---- the four ways ----------------------------------------------------------

interface Setup {
  bases: Record<Way, string>;
  /** Daemon pid -> node name, for the holder lines. */
  names: Record<number, string>;
  cluster: Cluster;
  a: SwarmNode;
  /** The anchor: docker-proxy serves it (checked), or the engine forwards some other way. */
  anchorBy: string;
}

/** `docker run -d -p 127.0.0.1:PORT:80` of the same image and command, through the engine API. */
async function startAnchor(cleanup: Cleanup, image: string): Promise<number> {
  const port = await freePort();
  cleanup.add('remove the docker-proxy anchor container', async () => {
    await removeContainersWithLabel(ANCHOR_LABEL, SUFFIX);
  });
  const c = await engine.createContainer({
    name: `swarm-bench-mesh-${SUFFIX}`,
    Image: image,
    Cmd: SERVE,
    Labels: { [ANCHOR_LABEL]: SUFFIX },
    ExposedPorts: { '80/tcp': {} },
    HostConfig: { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] } },
  });
  await c.start();
  return port;
}

/** The running container of our service on node B, and its address on the engine's bridge. */
async function taskContainer(nodeId: string): Promise<string> {
  return eventually(
    `the ${SERVICE} task's container on B`,
    async () => {
      const list = (await containersWithLabel(SERVICE_NAME_LABEL, SERVICE, false)).filter((c) => c.Labels[NODE_LABEL] === nodeId);
      if (list.length !== 1) return undefined;
      const info = await engine.getContainer(list[0].Id).inspect();
      const nets = info.NetworkSettings.Networks ?? {};
      const ip = (nets.bridge ?? Object.values(nets)[0])?.IPAddress;
      return ip ? ip : undefined;
    },
    60_000,
  );
}

async function setUp(cleanup: Cleanup, image: string): Promise<Setup> {
  const anchorPort = await startAnchor(cleanup, image);
  const publish = await freePort();

  const nodeFlags = PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR] : undefined;
  const initFlags = ['--publish-addr', B_PUBLISH, '--default-addr-pool', POOL, '--default-addr-pool-mask-length', '24'];
  const cluster = await startCluster(cleanup, 'mesh', 0, { initFlags, nodeFlags, keepLogs: KEEP_LOGS });
  const b = cluster.manager;
  // Registered after the daemons' stop, so it runs before it: leaving takes the routes away too.
  const a = await newWorkerNode(cluster, 'w1');
  cleanup.add('leave the swarm (A, then B)', () => leaveAll([a, b]), 90_000);

  await swarmCli(b, ['network', 'create', NETWORK]);
  await swarmCli(b, [
    'service', 'create', '-d', '--no-resolve-image', '--name', SERVICE, '--network', NETWORK,
    '--publish', `${publish}:80`, '--stop-grace-period', '1s', image, ...SERVE,
  ]); // prettier-ignore
  const bId = cluster.ids.get(b) as string;
  const containerIp = await taskContainer(bId);
  const inspect = JSON.parse((await swarmCli(b, ['service', 'inspect', SERVICE])).stdout) as { Endpoint?: { VirtualIPs?: { Addr: string }[] } }[];
  const vipCidr = inspect[0]?.Endpoint?.VirtualIPs?.[0]?.Addr;
  if (!vipCidr) throw new Error(`service ${SERVICE} has no virtual IP: ${JSON.stringify(inspect[0]?.Endpoint)}`);
  const vip = vipCidr.replace(/\/\d+$/, '');

  const bases: Record<Way, string> = {
    direct: `http://${containerIp}`,
    vip: `http://${vip}`,
    mesh: `http://${A_PUBLISH}:${publish}`,
    docker_proxy: `http://127.0.0.1:${anchorPort}`,
  };
  await answers('the task', bases.direct);
  await answers('the anchor', bases.docker_proxy);
  // B binds the VIP before A exists: A's attempts then fail with EADDRINUSE and B keeps serving it.
  await answers('the VIP', bases.vip);
  await answers("B's published port", `http://${B_PUBLISH}:${publish}`);

  const t0 = performance.now();
  await joinWorker(cluster, a, ['--publish-addr', A_PUBLISH, '--availability', 'drain']);
  await answers("A's published port", bases.mesh);
  log(`A joined (drained) and serves ${bases.mesh} after ${Math.round(performance.now() - t0)} ms`);

  const names: Record<number, string> = {};
  for (const n of [b, a]) {
    const pid = readPid(n);
    if (pid) names[pid] = n.name === b.name ? 'node B' : 'node A';
  }
  const vipBy = listener(vip, 80);
  const meshBy = listener(A_PUBLISH, publish);
  const anchorBy = listener('127.0.0.1', anchorPort);
  log(`task container ${containerIp}:80 (B is ${b.name}, pid ${readPid(b)}; A is ${a.name}, pid ${readPid(a)})`);
  log(`${vip}:80 (the VIP) is served by ${holderText(vipBy, names)}`);
  log(`${A_PUBLISH}:${publish} (A's published port) is served by ${holderText(meshBy, names)}`);
  log(`127.0.0.1:${anchorPort} (the anchor) is served by ${holderText(anchorBy, names)}`);
  if (vipBy?.pid !== readPid(b)) log('WARNING: the VIP is not served by B, the task\'s node: the "vip" figures include a mesh hop');
  if (meshBy?.pid !== readPid(a)) log('WARNING: A does not hold its published port: the "mesh" figures are not of the mesh');
  if (anchorBy?.process !== 'docker-proxy') log('WARNING: docker-proxy does not serve the anchor port (does the engine run with --userland-proxy=false?)');
  return { bases, names, cluster, a, anchorBy: anchorBy?.process ?? 'nobody' };
}

// ---- leaving ----------------------------------------------------------------

let left = false;

/** `swarm leave --force` on each node still running, then the routes check. Idempotent: the body's end and the cleanup both call it. */
async function leaveAll(nodes: SwarmNode[]): Promise<void> {
  if (left) return;
  left = true;
  for (const n of nodes) {
    const pid = readPid(n);
    if (pid === undefined || !alive(pid)) continue;
    await swarmCli(n, ['leave', '--force'], 60_000, true).catch((e: unknown) => log(`${n.name}: swarm leave failed: ${e instanceof Error ? e.message : String(e)}`));
    // A profiled daemon writes its profile on the way out: wait for the process, not just its socket.
    for (let i = 0; i < 150 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  }
  const still = ourRoutes();
  if (still.length === 0) {
    log(`no local route of ${POOL} left`);
    return;
  }
  log(`WARNING: local routes of ${POOL} left after leaving: ${still.join(', ')}; removing them`);
  for (const r of still) spawnSync('ip', ['route', 'del', 'local', r, 'dev', 'lo', 'table', 'local'], { timeout: 5_000 });
}

// ---- measuring --------------------------------------------------------------

interface WayRun {
  short: WrkResult;
  /** One connection at a time: latency without the backend's accept queue overflowing. */
  one: WrkResult;
  bulk: WrkResult;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const fixed = (x: number, d: number) => Number(x.toFixed(d));

function runText(way: Way, r: WayRun): string {
  const e = (w: WrkResult) => (errorCount(w) > 0 ? ` [errors ${JSON.stringify(w.errors)}]` : '');
  return (
    `${way.padEnd(12)} short ${r.short.rps.toFixed(0).padStart(6)} req/s p50 ${r.short.p50ms.toFixed(2)} p99 ${r.short.p99ms.toFixed(2)} ms${e(r.short)}; ` +
    `1 conn p50 ${r.one.p50ms.toFixed(2)} p99 ${r.one.p99ms.toFixed(2)} ms${e(r.one)}; ` +
    `bulk ${r.bulk.mbps.toFixed(0).padStart(5)} MB/s (${r.bulk.requests} whole answers)${e(r.bulk)}`
  );
}

async function measure(script: string, base: string, seconds: number): Promise<WayRun> {
  const short = await runWrk(script, { url: `${base}/small`, connections: CONNECTIONS, seconds, timeoutS: 10 });
  const one = await runWrk(script, { url: `${base}/small`, connections: 1, threads: 1, seconds, timeoutS: 10 });
  const bulk = await runWrk(script, { url: `${base}/big`, connections: BULK_CONNECTIONS, seconds, timeoutS: 60 });
  return { short, one, bulk };
}

// ---- the run ----------------------------------------------------------------

runBench('mesh bench', DEADLINE_MS, async (cleanup) => {
  const image = await preflight();
  const load0 = load();
  log(
    `mesh bench (load average ${load0}): ways ${ONLY.join(', ')}; ${ROUNDS} round(s) of ${SECONDS} s short (wrk -c${CONNECTIONS} on /small, ${SMALL_BYTES} B) ` +
      `and ${SECONDS} s bulk (wrk -c${BULK_CONNECTIONS} on /big, ${BIG_MIB} MiB) per way`,
  );
  const tmp = mkdtempSync(join(tmpdir(), 'swarm-bench-mesh-wrk-'));
  cleanup.add(`remove ${tmp}`, async () => rmSync(tmp, { recursive: true, force: true }));
  const script = writeWrkScript(tmp);
  if (PROFILE_DIR) mkdirSync(PROFILE_DIR, { recursive: true });

  const s = await setUp(cleanup, image);
  const b = s.cluster.manager;

  // Warm-up: the first connections of a path pay for things later ones do not (the mesh's TLS session, JIT).
  for (const way of ONLY) await measure(script, s.bases[way], 1);

  const runs: Record<Way, WayRun[]> = { direct: [], vip: [], mesh: [], docker_proxy: [] };
  for (let r = 0; r < ROUNDS; r++) {
    const order = ONLY.map((_, i) => ONLY[(i + r) % ONLY.length]);
    log(`round ${r + 1}/${ROUNDS} (load average ${load()}): ${order.join(', ')}`);
    for (const way of order) {
      const run = await measure(script, s.bases[way], SECONDS);
      runs[way].push(run);
      log(`  ${runText(way, run)}`);
    }
  }

  // Leaving now rather than in the cleanup: a profile is written as its daemon exits, and is read below.
  await leaveAll([s.a, b]);

  const med = (way: Way, f: (r: WayRun) => number) => (runs[way].length > 0 ? median(runs[way].map(f)) : undefined);
  const figures = Object.fromEntries(
    ONLY.map((w) => [
      w,
      {
        rps: med(w, (r) => r.short.rps) as number,
        p50: med(w, (r) => r.short.p50ms) as number,
        p99: med(w, (r) => r.short.p99ms) as number,
        p50one: med(w, (r) => r.one.p50ms) as number,
        p99one: med(w, (r) => r.one.p99ms) as number,
        mbps: med(w, (r) => r.bulk.mbps) as number,
      },
    ]),
  ) as Partial<Record<Way, { rps: number; p50: number; p99: number; p50one: number; p99one: number; mbps: number }>>;

  const out: string[] = [];
  out.push('');
  out.push(
    `medians of ${ROUNDS} round(s); short: wrk -t2 -c${CONNECTIONS} ${SECONDS}s on ${SMALL_BYTES} B (a new connection per request); ` +
      `1 conn: the same with -t1 -c1; bulk: wrk -t2 -c${BULK_CONNECTIONS} ${SECONDS}s on ${BIG_MIB} MiB; MB = 10^6 bytes`,
  );
  out.push(`way            req/s    p50 ms    p99 ms  1 conn p50  1 conn p99      MB/s   req/s vs docker-proxy   MB/s vs docker-proxy`);
  const dp = figures.docker_proxy;
  const vs = (x: number, y: number | undefined) => (y ? (x / y).toFixed(2) : '-');
  for (const w of ONLY) {
    const f = figures[w];
    if (!f) continue;
    out.push(
      `${w.padEnd(12)} ${f.rps.toFixed(0).padStart(7)} ${f.p50.toFixed(2).padStart(9)} ${f.p99.toFixed(2).padStart(9)} ` +
        `${f.p50one.toFixed(2).padStart(11)} ${f.p99one.toFixed(2).padStart(11)} ${f.mbps.toFixed(0).padStart(9)}` +
        `   ${vs(f.rps, dp?.rps).padStart(21)}   ${vs(f.mbps, dp?.mbps).padStart(20)}`,
    );
  }
  const targets: Record<string, boolean | null> = {};
  const target = (name: string, ok: boolean | undefined, text: string) => {
    targets[name] = ok ?? null;
    out.push(`  target ${text}: ${ok === undefined ? 'not measured' : ok ? 'met' : 'NOT met'}`);
  };
  const v = figures.vip;
  const m = figures.mesh;
  const d = figures.direct;
  out.push('');
  target('vip_rps', v && dp ? v.rps >= dp.rps : undefined, 'VIP req/s >= docker-proxy');
  target('mesh_rps', m && dp ? m.rps >= dp.rps : undefined, 'mesh req/s >= docker-proxy');
  target('vip_mbps', v && dp ? v.mbps >= dp.mbps : undefined, 'VIP MB/s >= docker-proxy');
  target('mesh_mbps', m && dp ? m.mbps >= dp.mbps : undefined, 'mesh MB/s >= docker-proxy');
  target('vip_p99', v && d ? v.p99 - d.p99 <= 1 : undefined, `VIP p99 within 1 ms of direct, ${CONNECTIONS} connections`);
  target('vip_p99_1conn', v && d ? v.p99one - d.p99one <= 1 : undefined, 'VIP p99 within 1 ms of direct, 1 connection');
  out.push(`  the anchor's port was served by: ${s.anchorBy}`);

  const profiles: Record<string, { busy_ms: number; total_ms: number; top_self: string[] }> = {};
  if (PROFILE_DIR) {
    for (const [pidText, name] of Object.entries(s.names)) {
      const file = readdirSync(PROFILE_DIR).find((f) => f.includes(`.${pidText}.`) && f.endsWith('.cpuprofile'));
      if (!file || !existsSync(join(PROFILE_DIR, file))) {
        out.push(`${name}: no profile in ${PROFILE_DIR} for pid ${pidText}`);
        continue;
      }
      const p = summarizeProfile(join(PROFILE_DIR, file));
      out.push('');
      out.push(profileText(`${name} (${join(PROFILE_DIR, file)})`, p));
      profiles[name] = { busy_ms: p.busyMs, total_ms: p.totalMs, top_self: p.self.slice(0, 5).map((e) => `${(e.share * 100).toFixed(1)}% ${e.name}`) };
    }
  }
  process.stdout.write(`${out.join('\n')}\n`);

  const rnd = (way: Way, k: 'rps' | 'mbps' | 'p50' | 'p99' | 'p50one' | 'p99one') => {
    const f = figures[way];
    if (!f) return null;
    return k === 'rps' || k === 'mbps' ? Math.round(f[k]) : fixed(f[k], 2);
  };
  const ratio = (x: number | undefined, y: number | undefined) => (x !== undefined && y ? fixed(x / y, 2) : null);
  return {
    bench: 'mesh',
    direct_rps: rnd('direct', 'rps'),
    vip_rps: rnd('vip', 'rps'),
    mesh_rps: rnd('mesh', 'rps'),
    docker_proxy_rps: rnd('docker_proxy', 'rps'),
    direct_mbps: rnd('direct', 'mbps'),
    vip_mbps: rnd('vip', 'mbps'),
    mesh_mbps: rnd('mesh', 'mbps'),
    docker_proxy_mbps: rnd('docker_proxy', 'mbps'),
    vip_p99_ms: rnd('vip', 'p99'),
    mesh_p99_ms: rnd('mesh', 'p99'),
    direct_p99_ms: rnd('direct', 'p99'),
    docker_proxy_p99_ms: rnd('docker_proxy', 'p99'),
    p50_ms: Object.fromEntries(ONLY.map((w) => [w, rnd(w, 'p50')])),
    p50_ms_1conn: Object.fromEntries(ONLY.map((w) => [w, rnd(w, 'p50one')])),
    p99_ms_1conn: Object.fromEntries(ONLY.map((w) => [w, rnd(w, 'p99one')])),
    vip_rps_vs_docker_proxy: ratio(v?.rps, dp?.rps),
    mesh_rps_vs_docker_proxy: ratio(m?.rps, dp?.rps),
    vip_mbps_vs_docker_proxy: ratio(v?.mbps, dp?.mbps),
    mesh_mbps_vs_docker_proxy: ratio(m?.mbps, dp?.mbps),
    targets_met: targets,
    rounds: ROUNDS,
    seconds: SECONDS,
    connections: CONNECTIONS,
    bulk_connections: BULK_CONNECTIONS,
    big_mib: BIG_MIB,
    anchor_served_by: s.anchorBy,
    load_avg_1m: { start: load0, end: load() },
    per_round: Object.fromEntries(
      ONLY.map((w) => [
        w,
        runs[w].map((r) => ({
          rps: Math.round(r.short.rps),
          p99_ms: fixed(r.short.p99ms, 2),
          p99_ms_1conn: fixed(r.one.p99ms, 2),
          mbps: Math.round(r.bulk.mbps),
          errors: errorCount(r.short) + errorCount(r.one) + errorCount(r.bulk),
        })),
      ]),
    ),
    ...(PROFILE_DIR ? { profiles } : {}),
  };
});

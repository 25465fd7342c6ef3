// The node's data path against docker-proxy, on loopback: short HTTP requests
// over 64 keep-alive connections (wrk), the same with a new connection per
// request, and a bulk transfer (iperf3), each through
//   direct       straight to the backend, the baseline
//   docker-proxy the engine's userland proxy (when installed)
//   local        our listener, backend on this node (dialed directly)
//   mesh         our listener on node A, backend on node B: A -> B's TLS port (HTTP/2) -> backend
// Each side runs in its own process, as it would in a cluster.
// Usage: node dist/bench/proxy.js [--seconds N] [--connections N]. Needs wrk
// and iperf3 on PATH (apt-get install wrk iperf3). The last line is JSON.

import { ChildProcess, execFile, spawn } from 'child_process';
import { promises as fsp } from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { createCSR, createNodeKey, createRootCA, signNodeCertificate } from '../lib/ca';
import { NodeServer } from '../lib/net/node-server';
import { MeshClient, MeshServer } from '../lib/network/mesh';
import { createDialer, ListenerSpec, ProxySet } from '../lib/network/proxy';
import { intArg } from './lib/args';

const BACKEND = '127.0.0.2';
const HTTP_PORT = 18080;
const IPERF_PORT = 15201;
const CLUSTER = 'bench-proxy';

interface Creds {
  keyPem: string;
  certPem: string;
  caCertPem: string;
}

interface Target {
  name: string;
  host: string;
}

// ---- roles, each in its own process -----------------------------------------

/** The HTTP backend: a 2-byte answer, so the proxy's per-request cost dominates. */
async function backend(): Promise<void> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
    res.end('ok');
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(HTTP_PORT, BACKEND, r));
}

function specs(host: string, backends: ListenerSpec['backends']): ListenerSpec[] {
  return [
    { key: 'http', address: host, port: HTTP_PORT, protocol: 'tcp', targetPort: HTTP_PORT, backends },
    { key: 'iperf', address: host, port: IPERF_PORT, protocol: 'tcp', targetPort: IPERF_PORT, backends },
  ];
}

/** Our listener with the backend as a task of this node. */
async function local(host: string): Promise<void> {
  const dialer = createDialer({
    selfNodeId: 'a',
    localAddr: () => BACKEND,
    nodeAddr: () => undefined,
    mesh: { connect: () => Promise.reject(new Error('no mesh')), datagrams: () => Promise.reject(new Error('no mesh')) },
  });
  const set = new ProxySet({ dialer });
  set.reconcile(specs(host, () => [{ taskId: 't', nodeId: 'a' }]));
}

/** Node B: its TLS port with the mesh route, the backend as its task. */
async function far(credsFile: string): Promise<void> {
  const creds = JSON.parse(await fsp.readFile(credsFile, 'utf8')) as { b: Creds };
  const server = await NodeServer.listen({
    listenAddr: '127.0.0.3:0',
    clusterId: CLUSTER,
    credentials: creds.b,
    mesh: new MeshServer({ resolveLocal: () => BACKEND }),
  });
  process.stdout.write(`ADDR ${server.address().addr}\n`);
}

/** Node A: our listener, the backend a task of node B. */
async function near(host: string, credsFile: string, farAddr: string): Promise<void> {
  const creds = JSON.parse(await fsp.readFile(credsFile, 'utf8')) as { a: Creds };
  const mesh = new MeshClient({ credentials: creds.a, clusterId: CLUSTER });
  const dialer = createDialer({ selfNodeId: 'a', localAddr: () => undefined, nodeAddr: () => farAddr, mesh });
  const set = new ProxySet({ dialer });
  set.reconcile(specs(host, () => [{ taskId: 't', nodeId: 'b' }]));
}

// ---- the driver -------------------------------------------------------------

const children: ChildProcess[] = [];

function start(cmd: string, args: string[], ready?: RegExp): Promise<string> {
  // fd 3: docker-proxy reports its start to its parent there, and exits without it.
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    if (!ready) return resolve('');
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = ready.exec(out);
      if (m) resolve(m[1] ?? '');
    });
    child.once('exit', (code) => reject(new Error(`${cmd} ${args.join(' ')} exited (${code}) before it was ready`)));
  });
}

function self(...args: string[]): Promise<string> {
  return start(process.execPath, [__filename, ...args], /(?:READY|ADDR (\S+))\n/);
}

function run(file: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} ${args.join(' ')}: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

async function waitPort(host: string, port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const req = http.get({ host, port, path: '/', agent: false }, (res) => {
        res.resume();
        resolve(true);
      });
      req.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${host}:${port} does not answer`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Wrk {
  rps: number;
  p50ms: number;
  p99ms: number;
  errors: number;
}

function ms(text: string): number {
  const m = /([\d.]+)(us|ms|s)/.exec(text);
  if (!m) return NaN;
  const v = Number(m[1]);
  return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
}

async function wrk(host: string, seconds: number, connections: number, close: boolean): Promise<Wrk> {
  const args = ['-t2', `-c${connections}`, `-d${seconds}s`, '--latency'];
  if (close) args.push('-H', 'Connection: close');
  const out = await run('wrk', [...args, `http://${host}:${HTTP_PORT}/`], (seconds + 30) * 1000);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]),
    p50ms: ms(/ 50%\s+(\S+)/.exec(out)?.[1] ?? ''),
    p99ms: ms(/ 99%\s+(\S+)/.exec(out)?.[1] ?? ''),
    // A connection closed by the server after its answer counts as a read error in wrk: only connect and timeouts say much.
    errors: (errors ? Number(errors[1]) + Number(errors[4]) : 0) + (non2xx ? Number(non2xx[1]) : 0),
  };
}

async function iperf(host: string, seconds: number): Promise<number> {
  const out = await run('iperf3', ['-c', host, '-p', String(IPERF_PORT), '-t', String(seconds), '-J'], (seconds + 30) * 1000);
  const j = JSON.parse(out) as { end: { sum_received: { bits_per_second: number } } };
  return j.end.sum_received.bits_per_second / 8 / 1e6;
}

async function credentials(dir: string): Promise<string> {
  const ca = await createRootCA({ clusterId: CLUSTER });
  const one = async (nodeId: string): Promise<Creds> => {
    const key = await createNodeKey();
    const certPem = await signNodeCertificate({ ca, csrPem: await createCSR(key), nodeId, role: 'worker', clusterId: CLUSTER });
    return { keyPem: key.keyPem, certPem, caCertPem: ca.certPem };
  };
  const file = path.join(dir, 'creds.json');
  await fsp.writeFile(file, JSON.stringify({ a: await one('a'), b: await one('b') }), { mode: 0o600 });
  return file;
}

async function onPath(tool: string): Promise<boolean> {
  return run('sh', ['-c', `command -v ${tool}`], 5000).then(
    () => true,
    () => false,
  );
}

async function main(): Promise<void> {
  const seconds = intArg('seconds', 8);
  const connections = intArg('connections', 64);
  for (const tool of ['wrk', 'iperf3']) if (!(await onPath(tool))) throw new Error(`${tool} is not installed (apt-get install ${tool})`);
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'swarm-bench-proxy-'));
  try {
    const creds = await credentials(dir);
    await self('--role', 'backend');
    await start('iperf3', ['-s', '-B', BACKEND, '-p', String(IPERF_PORT)]);
    const targets: Target[] = [{ name: 'direct', host: BACKEND }];
    if (await onPath('docker-proxy')) {
      for (const port of [HTTP_PORT, IPERF_PORT]) {
        const args = ['-proto', 'tcp', '-host-ip', '127.0.0.21', '-host-port', String(port), '-container-ip', BACKEND, '-container-port', String(port)];
        await start('docker-proxy', args);
      }
      targets.push({ name: 'docker-proxy', host: '127.0.0.21' });
    }
    await self('--role', 'local', '--host', '127.0.0.22');
    targets.push({ name: 'local', host: '127.0.0.22' });
    const farAddr = await self('--role', 'far', '--creds', creds);
    await self('--role', 'near', '--host', '127.0.0.23', '--creds', creds, '--far', farAddr);
    targets.push({ name: 'mesh', host: '127.0.0.23' });

    const results: Record<string, unknown> = {};
    console.log(`${connections} connections, ${seconds} s per run; wrk -t2, iperf3 one stream`);
    console.log('path          keep-alive req/s  p50 ms  p99 ms | conn-per-request req/s  p99 ms | bulk MB/s');
    for (const t of targets) {
      await waitPort(t.host, HTTP_PORT);
      const keep = await wrk(t.host, seconds, connections, false);
      const fresh = await wrk(t.host, seconds, connections, true);
      const bulk = await iperf(t.host, seconds);
      results[t.name] = { keepAlive: keep, connPerRequest: fresh, bulkMBps: Math.round(bulk) };
      console.log(
        `${t.name.padEnd(13)} ${keep.rps.toFixed(0).padStart(16)}  ${keep.p50ms.toFixed(2).padStart(6)}  ${keep.p99ms.toFixed(2).padStart(6)} | ` +
          `${fresh.rps.toFixed(0).padStart(22)}  ${fresh.p99ms.toFixed(2).padStart(6)} | ${bulk.toFixed(0).padStart(9)}` +
          (keep.errors + fresh.errors > 0 ? `  (errors: ${keep.errors + fresh.errors})` : ''),
      );
    }
    console.log(JSON.stringify(results));
  } finally {
    for (const c of children) c.kill();
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

function flag(name: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0 || i + 1 >= process.argv.length) throw new Error(`--${name} is required for this role`);
  return process.argv[i + 1];
}

async function role(name: string): Promise<void> {
  if (name === 'backend') await backend();
  else if (name === 'local') await local(flag('host'));
  else if (name === 'far') await far(flag('creds'));
  else if (name === 'near') await near(flag('host'), flag('creds'), flag('far'));
  else throw new Error(`unknown role ${name}`);
  if (name !== 'far') process.stdout.write('READY\n');
}

const roleArg = process.argv.indexOf('--role');
(roleArg >= 0 ? role(process.argv[roleArg + 1]) : main()).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

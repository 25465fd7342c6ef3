// `npm run docs:screenshot`: the dashboard's pictures in docs/, taken from a
// real manager daemon (process runtime, drained) with 150 simulated nodes
// (lib/testing/sim-nodes) running four services, through Debian's chromium.
// Also prints how long the cluster view takes to draw at that size.
// Needs `npm run build` and /usr/bin/chromium (or SWARM_TEST_CHROMIUM).

import { execFile } from 'child_process';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { defaultServiceSpec } from '../lib/api/service-defaults';
import { callDaemon } from '../lib/daemon/control-client';
import { loadAssets, pageWeight } from '../lib/dashboard/assets';
import { DashboardServer } from '../lib/dashboard/server';
import { freePort } from '../lib/raft/process/process-cluster';
import { SimFleet } from '../lib/testing/sim-nodes';
import { eventually } from '../lib/util/eventually';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'swarm');
const NODES = Number(process.env.NODES ?? 150);

function swarm(dir: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [BIN, '--data-dir', dir, ...args], { timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`swarm ${args.join(' ')}: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'swarm-dash-shot-'));
  const dir = join(root, 'm1');
  const socket = join(dir, 'swarm.sock');
  let fleet: SimFleet | undefined;
  let server: DashboardServer | undefined;
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: process.env.SWARM_TEST_CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const addr = `127.0.0.1:${await freePort()}`;
    await swarm(dir, ['init', '--runtime', 'process', '--availability', 'drain', '--listen-addr', addr, '--hostname', 'manager-1']);
    const token = (await swarm(dir, ['join-token', '-q', 'worker'])).trim();
    console.log(`joining ${NODES} simulated nodes…`);
    fleet = await SimFleet.start({ token, managerAddr: addr, count: NODES, joinAttempts: 3, delays: { accept: 10, prepare: 20, start: 20, stop: 10 } });
    const api = <T>(method: string, path: string, body?: unknown) => callDaemon<T>(socket, dir, method, path, body, 30_000);
    const services: [string, number][] = [['web', 150], ['api', 90], ['worker', 120], ['cache', 12]];
    for (const [name, replicas] of services) {
      await api('POST', '/v1/services', { spec: { ...defaultServiceSpec(name, `registry.example/${name}:1.4`), replicas }, resolveImage: false });
    }
    const total = services.reduce((n, [, r]) => n + r, 0);
    await eventually(`${total} tasks running`, async () => (fleet!.count('running') === total ? true : undefined), 120_000, 250);
    const node = await api<{ nodes: { id: string; description?: { hostname: string } }[] }>('GET', '/v1/nodes');
    const drainMe = node.nodes.find((n) => n.description?.hostname === 'sim-7');
    if (drainMe) await api('POST', `/v1/nodes/${drainMe.id}/update`, { availability: 'drain' });

    const ctx = { dataDir: dir, call: api, out: () => undefined };
    const assets = loadAssets(ROOT);
    server = new DashboardServer({ ctx, socketPath: socket, host: '127.0.0.1', port: 0, assets });
    await server.start();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const t0 = Date.now();
    await page.goto(`${server.url}#/cluster`);
    await page.locator('.node-card').nth(NODES - 1).waitFor();
    console.log(`cluster view with ${NODES + 1} nodes and ${total} tasks drawn ${Date.now() - t0} ms after navigation; page ${Math.round(pageWeight(assets) / 1024)} KiB`);
    await page.screenshot({ path: join(ROOT, 'docs', 'dashboard.png') });
    await page.goto(`${server.url}#/services`);
    await page.locator('tr[data-service="web"]').waitFor();
    await page.screenshot({ path: join(ROOT, 'docs', 'dashboard-services.png') });
    console.log('wrote docs/dashboard.png and docs/dashboard-services.png');
  } finally {
    await browser.close();
    await server?.stop();
    await fleet?.stop();
    await swarm(dir, ['stop']).catch(() => undefined);
    const pid = (() => {
      try {
        return Number(readFileSync(join(dir, 'swarm.pid'), 'utf8').trim());
      } catch {
        return 0;
      }
    })();
    if (pid) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // stopped already
      }
    }
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
});

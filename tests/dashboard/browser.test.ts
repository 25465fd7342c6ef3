// The dashboard in a real browser (Debian's chromium via playwright-core)
// against a real one-node swarm on the process runtime: the page lists the
// node and the service, a scale click shows the new tasks running without a
// reload, a bad pasted compose file shows its line number, and off loopback
// the dashboard wants HTTPS and its token.

import { ChildProcess, execFileSync, spawn } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { get as httpsGet } from 'https';
import { tmpdir } from 'os';
import { join } from 'path';
import type { Browser, Page } from 'playwright-core';
import { KeyObject } from 'crypto';
import { derToPem } from '../../lib/ca/pem';
import { EC_ALG, SIGNING_ALG, subtle, x509 } from '../../lib/ca/x509';
import { freePort } from '../../lib/raft/process/process-cluster';
import { eventually } from '../../lib/util/eventually';
import { killHard, swarm, swarmOk } from '../cluster/cli';
import { describeWithBrowser, launchChromium } from '../helpers/browser';

jest.setTimeout(120_000);

const BIN = join(__dirname, '..', '..', 'bin', 'swarm');
const MARK = `${700000 + (process.pid % 100000)}`;

function pids(pattern: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Starts `swarm dashboard ARGS` and resolves with the URL it prints. */
async function startDashboard(dataDir: string, args: string[], children: ChildProcess[]): Promise<string> {
  const child = spawn(process.execPath, [BIN, '--data-dir', dataDir, 'dashboard', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
  return eventually('the dashboard to print its URL', async () => {
    if (child.exitCode !== null) throw new Error(`swarm dashboard exited ${child.exitCode}: ${err}`);
    return /at (https?:\/\/\S+)/.exec(out)?.[1];
  }, 15_000, 50);
}

/** A self-signed server certificate, as an operator would bring one with --cert/--key. */
async function serverCertificate(): Promise<{ certPem: string; keyPem: string }> {
  const keys = await subtle.generateKey(EC_ALG, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=dashboard.test',
    notBefore: new Date(now - 3600_000),
    notAfter: new Date(now + 86400_000),
    keys,
    signingAlgorithm: SIGNING_ALG,
    extensions: [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '0.0.0.0' }, { type: 'ip', value: '127.0.0.1' }]),
    ],
  });
  const keyPem = KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' }) as string;
  return { certPem: derToPem(cert.rawData, 'CERTIFICATE'), keyPem };
}

async function texts(page: Page, selector: string): Promise<string[]> {
  return page.locator(selector).allInnerTexts();
}

describeWithBrowser('the dashboard in a browser', () => {
  const root = mkdtempSync(join(tmpdir(), 'swarm-e2e-dash-'));
  const dir = join(root, 'm1');
  const children: ChildProcess[] = [];
  let browser: Browser;
  let url = '';

  beforeAll(async () => {
    await swarmOk(dir, ['init', '--runtime', 'process', '--listen-addr', `127.0.0.1:${await freePort()}`, '--hostname', 'm1', '--raft-tick', '50ms']);
    await swarmOk(dir, ['service', 'create', '-d', '--name', 'web', '--replicas', '1', '--stop-grace-period', '1s', 'swarm-test/busybox:latest', 'sleep', MARK]);
    await swarmOk(dir, ['service', 'create', '-d', '--name', 'talker', '--replicas', '1', '--stop-grace-period', '1s', 'swarm-test/busybox:latest', 'sh', '-c', `echo hello from talker; exec sleep ${MARK}`]);
    await swarmOk(dir, ['service', 'create', '-d', '--name', 'api', '--replicas', '1', '--stop-grace-period', '1s', 'swarm-test/busybox:latest', 'sleep', MARK]);
    url = await startDashboard(dir, ['--listen', '127.0.0.1:0'], children);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    for (const c of children) c.kill('SIGKILL');
    killHard(dir);
    for (const pid of pids(`sleep ${MARK}`)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    rmSync(root, { recursive: true, force: true });
  });

  test('lists the node (as leader) and the service', async () => {
    const page = await browser.newPage();
    await page.goto(`${url}#/cluster`);
    const node = page.locator('tr[data-node="m1"]');
    await node.waitFor();
    expect(await node.innerText()).toMatch(/m1\s+ready\s+active\s+Leader/);
    await page.getByRole('link', { name: 'Services' }).click();
    const row = page.locator('tr[data-service="web"]');
    await row.waitFor();
    expect(await row.innerText()).toContain('swarm-test/busybox:latest');
    await page.close();
  });

  test('a scale click changes the replicas, and the new tasks show running without a reload', async () => {
    const page = await browser.newPage();
    let loads = 0;
    page.on('load', () => loads++);
    await page.goto(`${url}#/service/web`);
    await page.locator('tr.current[data-state="running"]').first().waitFor();
    await page.getByLabel('Replicas').fill('3');
    await page.getByRole('button', { name: 'Scale' }).click();
    const running = page.locator('tr.current[data-state="running"]');
    await eventually('3 running tasks on the page', async () => ((await running.count()) === 3 ? true : undefined), 30_000);
    expect(await texts(page, 'dd[data-fact="replicas"]')).toEqual(['3/3 running']);
    expect(loads).toBe(1);
    const ls = (await swarmOk(dir, ['service', 'ls', '--format', 'json']))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { Name: string; Replicas: string });
    expect(ls.find((r) => r.Name === 'web')).toMatchObject({ Replicas: '3/3' });
    await page.close();
  });

  test('live: a scale made with the CLI shows without a reload, the events view lists it, the logs follow', async () => {
    const page = await browser.newPage();
    let loads = 0;
    page.on('load', () => loads++);
    await page.goto(`${url}#/services`);
    const row = page.locator('tr[data-service="talker"]');
    await eventually('talker 1/1 on the page', async () => ((await row.innerText()).includes('1/1') ? true : undefined), 20_000);
    await swarmOk(dir, ['service', 'scale', '-d', 'talker=2']);
    await eventually('talker 2/2 on the page, from the event stream', async () => ((await row.innerText()).includes('2/2') ? true : undefined), 20_000);

    await page.getByRole('link', { name: 'Events' }).click();
    await page.getByLabel('Show').selectOption('service');
    const scaled = page.locator('tr', { hasText: 'replicas.new=2' }).filter({ hasText: 'talker' });
    await scaled.first().waitFor();
    expect(await scaled.first().innerText()).toMatch(/service\s+update\s+talker/);

    await page.goto(`${url}#/service/talker`);
    await page.getByRole('button', { name: 'Follow logs' }).click();
    await eventually('a log line on the page', async () => ((await page.locator('pre.logs').innerText()).includes('hello from talker') ? true : undefined), 20_000);
    expect(await page.locator('pre.logs').innerText()).toMatch(/^talker\.\d\.[a-z0-9]{12}@m1 \| hello from talker$/m);
    await page.getByRole('button', { name: 'Stop following' }).click();
    // Changing the address's #fragment is no page load either.
    expect(loads).toBe(1);
    await page.close();
  });

  test('a bad compose file shows its line and column, as the CLI does', async () => {
    const compose = ['version: "3.8"', 'services:', '  app:', '    image: swarm-test/busybox:latest', '    deploy:', '      replicas: lots', ''].join('\n');
    const page = await browser.newPage();
    await page.goto(`${url}#/deploy`);
    await page.getByLabel('Stack name').fill('bad');
    await page.getByLabel('Compose file (YAML)').fill(compose);
    await page.getByRole('button', { name: 'Deploy' }).click();
    const issue = page.locator('.issues li').first();
    await issue.waitFor();
    const shown = await issue.innerText();
    writeFileSync(join(root, 'bad.yml'), compose);
    const cli = await swarm(dir, ['stack', 'deploy', '-c', join(root, 'bad.yml'), 'bad']);
    expect(cli.code).toBe(1);
    // The CLI names the file by its path; the page calls the pasted text compose.yml.
    expect(cli.stderr).toContain(shown.replace(/^compose\.yml/, join(root, 'bad.yml')));
    expect(shown).toMatch(/^compose\.yml:6:17: services\.app\.deploy\.replicas: /);
    expect(await swarm(dir, ['stack', 'services', 'bad'])).toMatchObject({ code: 1 });
    await page.close();
  });

  test('actions: a new image from the keyboard, roll back, drain and activate the node, remove with confirmation', async () => {
    const page = await browser.newPage();
    const image = async () => (await page.locator('dd[data-fact="image"]').innerText()).trim();
    const inspectImage = async () => (JSON.parse(await swarmOk(dir, ['service', 'inspect', 'api'])) as { Spec: { TaskTemplate: { ContainerSpec: { Image: string } } } }[])[0].Spec.TaskTemplate.ContainerSpec.Image;
    await page.goto(`${url}#/service/api`);
    await page.locator('tr.current[data-state="running"]').first().waitFor();

    const field = page.getByRole('textbox', { name: 'Image', exact: true });
    await field.fill('swarm-test/busybox:2');
    await field.press('Enter');
    await eventually('the page to show the new image', async () => ((await image()) === 'swarm-test/busybox:2' ? true : undefined), 15_000);
    expect(await inspectImage()).toMatch(/^swarm-test\/busybox:2/);

    await page.getByRole('button', { name: 'Roll back' }).click();
    await eventually('the page to show the image rolled back', async () => ((await image()) === 'swarm-test/busybox:latest' ? true : undefined), 15_000);
    expect(await inspectImage()).toMatch(/^swarm-test\/busybox:latest/);

    await page.getByRole('link', { name: 'Cluster' }).click();
    const row = page.locator('tr[data-node="m1"]');
    await page.getByRole('button', { name: 'Drain m1' }).click();
    await eventually('m1 drained on the page', async () => ((await row.innerText()).includes('drain') ? true : undefined), 15_000);
    expect(JSON.parse((await swarmOk(dir, ['node', 'ls', '--format', 'json'])).trim())).toMatchObject({ Hostname: 'm1', Availability: 'Drain' });
    await page.getByRole('button', { name: 'Activate m1' }).click();
    await eventually('m1 active on the page', async () => ((await row.innerText()).includes('active') ? true : undefined), 15_000);
    expect(JSON.parse((await swarmOk(dir, ['node', 'ls', '--format', 'json'])).trim())).toMatchObject({ Hostname: 'm1', Availability: 'Active' });

    await page.goto(`${url}#/service/api`);
    await page.locator('dd[data-fact="image"]').waitFor();
    let asked = '';
    page.once('dialog', (d) => {
      asked = d.message();
      void d.accept();
    });
    await page.getByRole('button', { name: 'Remove…' }).click();
    await page.locator('tr[data-service="web"]').waitFor();
    expect(asked).toMatch(/^Remove service api\?/);
    expect(await page.locator('tr[data-service="api"]').count()).toBe(0);
    expect(await swarmOk(dir, ['service', 'ls', '--format', 'json'])).not.toContain('"Name":"api"');
    await page.close();
  });

  test('off loopback without --cert/--key: HTTPS with a certificate from the cluster CA, trusted through the printed ca.crt', async () => {
    const port = await freePort();
    const printed = await startDashboard(dir, ['--listen', `0.0.0.0:${port}`], children);
    expect(printed).toMatch(/^https:\/\/0\.0\.0\.0:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
    // A client that trusts only the manager's CA file, with full verification.
    const caPem = readFileSync(join(dir, 'certificates', 'ca.crt'), 'utf8');
    const status = await new Promise<number>((resolve, reject) => {
      httpsGet(`https://0.0.0.0:${port}/`, { ca: caPem }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    });
    expect(status).toBe(200);
    // chromium cannot be handed a CA here, so it skips verification; the page works with the token.
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await page.goto(printed);
    await page.locator('tr[data-node="m1"]').waitFor();
    await context.close();
  });

  test('off loopback with --cert/--key: HTTPS with that certificate and the printed token', async () => {

    const tls = await serverCertificate();
    writeFileSync(join(root, 'cert.pem'), tls.certPem);
    writeFileSync(join(root, 'key.pem'), tls.keyPem, { mode: 0o600 });
    const printed = await startDashboard(dir, ['--listen', `0.0.0.0:${await freePort()}`, '--cert', join(root, 'cert.pem'), '--key', join(root, 'key.pem')], children);
    expect(printed).toMatch(/^https:\/\/0\.0\.0\.0:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    const bare = new URL(printed);
    bare.search = '';
    const noToken = await page.request.get(`${bare.origin}/api/v1/nodes`);
    expect(noToken.status()).toBe(401);
    await page.goto(printed);
    await page.locator('tr[data-node="m1"]').waitFor();
    // The token left the address bar (and so the history) once the page kept it.
    expect(page.url()).not.toContain('token=');
    await context.close();
  });
});

// Stacks from the compose examples on a manager and a worker (zone a and b),
// through the CLI: deploy, redeploy changing only what changed, prune,
// published host port, templates, all-or-nothing on bad input, rm.

import Docker from 'dockerode';
import { get } from 'http';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { freePort } from '../../lib/raft/process/process-cluster';
import { eventually } from '../../lib/util/eventually';
import { describeWithDocker } from '../helpers/docker';
import { killHard, swarm, swarmOk } from './cli';
import { psRows, runningPerNode, untilRunning } from './services-helpers';

jest.setTimeout(240_000);

const EXAMPLES = join(__dirname, '..', '..', 'compose-examples');
const ex = (name: string) => join(EXAMPLES, name);

function httpGet(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path: '/', timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
  });
}

describeWithDocker('stacks', (docker: Docker) => {
  const root = mkdtempSync(join(tmpdir(), 'swarm-e2e-stack-'));
  const m = join(root, 'm1');
  const w = join(root, 'w1');
  const nodeIds: string[] = [];

  const stackNames = async () => (await swarmOk(m, ['stack', 'ls'])).trim().split('\n').slice(1).map((l) => l.split(/\s+/)[0]);
  const taskIds = async (svc: string) => (await psRows(m, svc)).map((r) => r.ID).sort();

  beforeAll(async () => {
    const addr = `127.0.0.1:${await freePort()}`;
    await swarmOk(m, ['init', '--listen-addr', addr, '--hostname', 'm1', '--raft-tick', '50ms', '--dispatcher-heartbeat', '500ms']);
    const token = (await swarmOk(m, ['join-token', '-q', 'worker'])).trim();
    await swarmOk(w, ['join', '--token', token, addr, '--listen-addr', `127.0.0.1:${await freePort()}`, '--hostname', 'w1']);
    await swarmOk(m, ['node', 'update', '--label-add', 'zone=a', 'm1']);
    await swarmOk(m, ['node', 'update', '--label-add', 'zone=b', 'w1']);
    nodeIds.push(...(await swarmOk(m, ['node', 'ls', '-q'])).trim().split('\n'));
  });

  afterAll(async () => {
    killHard(m);
    killHard(w);
    for (const id of nodeIds) {
      for (const c of await docker.listContainers({ all: true, filters: { label: [`com.docker.swarm.node.id=${id}`] } })) {
        await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
      }
    }
    rmSync(root, { recursive: true, force: true });
  });

  test('deploy places by node labels and waits for convergence', async () => {
    const r = await swarm(m, ['stack', 'deploy', '-c', ex('app.yml'), 'app']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Creating service app_api\nCreating service app_cache\nCreating service app_frontend\n/);
    expect(r.stdout).toMatch(/verify: Service app_frontend converged/);
    expect(await runningPerNode(m, 'app_api')).toEqual({ m1: 2 });
    expect(await runningPerNode(m, 'app_cache')).toEqual({ w1: 1 });
    expect(await runningPerNode(m, 'app_frontend')).toEqual({ m1: 2, w1: 2 });
    const services = (await swarmOk(m, ['stack', 'services', '--format', 'json', 'app'])).trim().split('\n').map((l) => JSON.parse(l) as { Name: string; Replicas: string });
    expect(services.map((s) => [s.Name, s.Replicas])).toEqual([
      ['app_api', '2/2'],
      ['app_cache', '1/1 (max 1 per node)'],
      ['app_frontend', '4/4'],
    ]);
    const [svc] = JSON.parse(await swarmOk(m, ['service', 'inspect', 'app_cache'])) as { Spec: { Labels: Record<string, string> } }[];
    expect(svc.Spec.Labels).toMatchObject({ 'com.docker.stack.namespace': 'app', 'com.docker.stack.image': 'swarm-test/busybox:latest' });
  });

  test('a redeploy changes only what changed; --prune removes what is gone', async () => {
    const apiBefore = await taskIds('app_api');
    let r = await swarm(m, ['stack', 'deploy', '-d', '-c', ex('app.yml'), 'app']);
    expect(r.stdout).toBe('Service app_api is up to date\nService app_cache is up to date\nService app_frontend is up to date\n');
    const override = join(root, 'override.yml');
    writeFileSync(override, 'version: "3.8"\nservices:\n  frontend:\n    deploy:\n      replicas: 2\n');
    r = await swarm(m, ['stack', 'deploy', '-d', '-c', ex('app.yml'), '-c', override, 'app']);
    expect(r.stdout).toMatch(/Updating service app_frontend/);
    expect(r.stdout).not.toMatch(/Updating service app_(api|cache)/);
    await untilRunning(m, 'app_frontend', 2, eventually);
    expect(await taskIds('app_api')).toEqual(apiBefore);
    const slim = join(root, 'slim.yml');
    writeFileSync(slim, 'version: "3.8"\nservices:\n  api:\n    image: swarm-test/busybox:latest\n    command: ["sleep", "100000"]\n    stop_grace_period: 1s\n    deploy:\n      replicas: 2\n      placement:\n        constraints:\n          - node.labels.zone == a\n');
    r = await swarm(m, ['stack', 'deploy', '-d', '--prune', '-c', slim, 'app']);
    expect(r.stdout).toMatch(/Removing service app_cache\nRemoving service app_frontend\n/);
    expect((await swarmOk(m, ['stack', 'services', '-q', 'app'])).trim().split('\n')).toHaveLength(1);
    expect(await taskIds('app_api')).toEqual(apiBefore);
  });

  test('bad input: the file, path, line and column are named, and nothing is deployed', async () => {
    const bad = join(root, 'bad.yml');
    writeFileSync(bad, 'version: "3.8"\nservices:\n  web:\n    image: swarm-test/busybox:latest\n    deploy:\n      replicas: many\n');
    let r = await swarm(m, ['stack', 'deploy', '-c', bad, 'bad']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${bad}:6:17: services.web.deploy.replicas`);
    // One good service and one with an image that cannot be had: neither is created.
    const half = join(root, 'half.yml');
    writeFileSync(half, 'version: "3.8"\nservices:\n  ok:\n    image: swarm-test/busybox:latest\n    command: ["true"]\n  nope:\n    image: swarm-test/nope:1\n');
    r = await swarm(m, ['stack', 'deploy', '-c', half, 'half']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/service half_nope: image swarm-test\/nope:1 could not be found or pulled/);
    expect(await stackNames()).toEqual(['app']);
    r = await swarm(m, ['stack', 'deploy', '-c', ex('app.yml'), 'Not-A/Name']);
    expect(r.code).toBe(1);
  });

  test('batch: every run completes once; agent: one per node with its templates expanded', async () => {
    await swarmOk(m, ['stack', 'deploy', '-d', '-c', ex('batch.yml'), 'batch']);
    await eventually('3 complete', async () => ((await psRows(m, 'batch_job')).filter((x) => x.CurrentState.startsWith('Complete')).length === 3) || undefined, 30_000, 200);
    const logs = await swarmOk(m, ['service', 'logs', 'batch_job']);
    expect(logs.match(/\| job [123] done$/gm)?.sort()).toEqual(['| job 1 done', '| job 2 done', '| job 3 done']);
    await swarmOk(m, ['stack', 'deploy', '-c', ex('agent.yml'), 'agent']);
    expect(await runningPerNode(m, 'agent_agent')).toEqual({ m1: 1, w1: 1 });
    const out = await eventually('agent lines', async () => {
      const o = await swarmOk(m, ['service', 'logs', 'agent_agent']);
      return /@m1 +\| agent on m1$/m.test(o) && /@w1 +\| agent on w1$/m.test(o) ? o : undefined;
    }, 20_000, 300);
    // Each task prints its line once. A loaded machine can lose a node's session for a moment, and the
    // replacement on that node prints again: there are as many lines as agent tasks ever started, never more,
    // and still one running per node.
    const started = (await psRows(m, 'agent_agent')).filter((r) => !/^(New|Pending|Assigned|Rejected)/.test(r.CurrentState));
    expect(out.match(/\| agent on /g)?.length).toBeLessThanOrEqual(Math.max(2, started.length));
    expect(out.match(/\| agent on /g)?.length).toBeGreaterThanOrEqual(2);
    expect(await runningPerNode(m, 'agent_agent')).toEqual({ m1: 1, w1: 1 });
    expect(await psRows(m, 'batch_job')).toHaveLength(3);
  });

  test('web: the published host port serves, with the hostname template expanded', async () => {
    // A port known to be free here, through the example's ${WEB_PORT} variable.
    const port = await freePort();
    const envFile = join(root, 'web.env');
    writeFileSync(envFile, `WEB_PORT=${port}\n`);
    await swarmOk(m, ['stack', 'deploy', '-c', ex('web.yml'), '--env-file', envFile, 'web']);
    const body = await eventually('the page', async () => (await httpGet(port).catch(() => undefined)), 30_000, 300);
    expect(body.trim()).toBe('hello from httpd-1');
    expect((await psRows(m, 'web_httpd')).find((x) => x.DesiredState === 'Running')?.Ports).toBe(`*:${port}->80/tcp`);
  });

  test('stack rm removes every service, container and volume of the stacks', async () => {
    // The pruned cache service left its named volume; it goes with the stack.
    expect((await docker.listVolumes({ filters: { label: ['com.docker.stack.namespace=app'] } })).Volumes?.map((v) => v.Name)).toEqual(['app_cache-data']);
    await swarmOk(m, ['stack', 'rm', 'app', 'batch', 'agent', 'web']);
    expect(await stackNames()).toEqual([]);
    for (const ns of ['app', 'batch', 'agent', 'web']) {
      expect(await docker.listContainers({ all: true, filters: { label: [`com.docker.stack.namespace=${ns}`] } })).toEqual([]);
    }
    await eventually(
      'the stack volumes gone',
      async () => ((await docker.listVolumes({ filters: { label: ['com.docker.stack.namespace=app'] } })).Volumes ?? []).length === 0 || undefined,
      20_000,
      300,
    );
    const r = await swarm(m, ['stack', 'rm', 'app']);
    expect(r.stderr).toMatch(/nothing found in stack: app/);
  });
});

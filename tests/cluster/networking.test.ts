// Service networking on two engines that act as two hosts (their containers
// cannot reach each other): names, VIPs, tasks.NAME, isolation between
// networks, the routing mesh from every node, a task killed, a node restarted,
// and nothing left behind by stack rm.

import Docker from 'dockerode';
import { execFileSync } from 'child_process';
import { Resolver } from 'dns/promises';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { get } from 'http';
import { tmpdir } from 'os';
import { join } from 'path';
import { freePort } from '../../lib/raft/process/process-cluster';
import { eventually } from '../../lib/util/eventually';
import { describeWithTwoEngines } from '../helpers/docker';
import { killHard, swarm, swarmOk } from './cli';
import { execIn, nslookupAddresses } from './docker-exec';
import { psRows, runningPerNode, untilRunning } from './services-helpers';

jest.setTimeout(300_000);

// A pool of its own, so nothing here meets another test's addresses.
const POOL = '100.100.0.0/16';
const DNS_ADDR = '100.100.0.2';
const PUBLISH_M1 = '127.0.0.11';
const PUBLISH_W1 = '127.0.0.12';

const STACK = `version: "3.8"
services:
  api:
    image: swarm-test/busybox:latest
    hostname: "api-{{.Task.Slot}}"
    command: ["sh", "-c", "mkdir -p /www && echo api-$$(hostname) > /www/index.html && exec httpd -f -p 8080 -h /www"]
    stop_grace_period: 1s
    networks: [back]
    deploy:
      replicas: 2
      placement:
        constraints: [node.labels.engine == two]
  web:
    image: swarm-test/busybox:latest
    command:
      - sh
      - -c
      - |
        mkdir -p /www/cgi-bin
        cat > /www/cgi-bin/api <<'CGI'
        #!/bin/sh
        printf 'Content-Type: text/plain\\r\\n\\r\\n'
        timeout 10 wget -qO- http://api:8080/
        CGI
        chmod +x /www/cgi-bin/api
        exec httpd -f -p 80 -h /www
    stop_grace_period: 1s
    networks: [front, back]
    ports: ["PORT:80"]
    deploy:
      placement:
        constraints: [node.labels.engine == one]
  spy:
    image: swarm-test/busybox:latest
    command: ["sleep", "100000"]
    stop_grace_period: 1s
    networks: [other]
    deploy:
      placement:
        constraints: [node.labels.engine == one]
networks:
  front: {}
  back: {}
  other: {}
`;

function httpGet(host: string, port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get({ host, port, path, timeout: 15_000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${res.statusCode}: ${body}`))));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
  });
}

function localRoutes(): string {
  return execFileSync('ip', ['route', 'show', 'table', 'local'], { encoding: 'utf8' });
}

describeWithTwoEngines('service networking across two engines', (docker: Docker, docker2: Docker, host2: string) => {
  const root = mkdtempSync(join(tmpdir(), 'swarm-e2e-net-'));
  const m = join(root, 'm1');
  const w = join(root, 'w1');
  const nodeIds: string[] = [];
  let port = 0;
  let subnets: Record<string, string> = {};

  const containerOf = async (engine: Docker, service: string): Promise<Docker.ContainerInfo> =>
    eventually(`a running container of ${service}`, async () => {
      const list = await engine.listContainers({ filters: { label: [`com.docker.swarm.service.name=${service}`], status: ['running'] } });
      return list[0];
    }, 60_000, 300);

  beforeAll(async () => {
    const addr = `127.0.0.1:${await freePort()}`;
    await swarmOk(m, [
      'init', '--listen-addr', addr, '--hostname', 'm1', '--raft-tick', '50ms', '--dispatcher-heartbeat', '500ms',
      '--default-addr-pool', POOL, '--default-addr-pool-mask-length', '24', '--publish-addr', PUBLISH_M1,
    ]);
    const token = (await swarmOk(m, ['join-token', '-q', 'worker'])).trim();
    await swarmOk(w, [
      'join', '--token', token, addr, '--listen-addr', `127.0.0.1:${await freePort()}`, '--hostname', 'w1',
      '--docker-host', host2, '--publish-addr', PUBLISH_W1,
    ]);
    await swarmOk(m, ['node', 'update', '--label-add', 'engine=one', 'm1']);
    await swarmOk(m, ['node', 'update', '--label-add', 'engine=two', 'w1']);
    nodeIds.push(...(await swarmOk(m, ['node', 'ls', '-q'])).trim().split('\n'));
    port = await freePort();
    const file = join(root, 'stack.yml');
    writeFileSync(file, STACK.replace('PORT:80', `${port}:80`));
    const r = await swarm(m, ['stack', 'deploy', '-c', file, 'app']);
    if (r.code !== 0) throw new Error(`stack deploy failed: ${r.stderr}${r.stdout}`);
    expect(r.stdout).toMatch(/Creating network app_back\nCreating network app_front\nCreating network app_other\n/);
    const nets = (await swarmOk(m, ['network', 'ls', '--format', 'json'])).trim().split('\n').map((l) => JSON.parse(l) as { Name: string });
    for (const n of nets) {
      const [info] = JSON.parse(await swarmOk(m, ['network', 'inspect', n.Name])) as { IPAM: { Config: { Subnet: string }[] } }[];
      subnets[n.Name] = info.IPAM.Config[0].Subnet;
    }
  });

  afterAll(async () => {
    killHard(m);
    killHard(w);
    for (const engine of [docker, docker2]) {
      for (const id of nodeIds) {
        for (const c of await engine.listContainers({ all: true, filters: { label: [`com.docker.swarm.node.id=${id}`] } })) {
          await engine.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
        }
      }
    }
    rmSync(root, { recursive: true, force: true });
    subnets = {};
  });

  test('the tasks run where they must, each engine on its own', async () => {
    expect(await untilRunning(m, 'app_api', 2, eventually)).toEqual({ w1: 2 });
    expect(await runningPerNode(m, 'app_web')).toEqual({ m1: 1 });
    const web = await containerOf(docker, 'app_web');
    const api = await containerOf(docker2, 'app_api');
    // The two hosts: web's container cannot reach api's container address.
    const apiAddr = Object.values((await docker2.getContainer(api.Id).inspect()).NetworkSettings.Networks)[0].IPAddress;
    const direct = await execIn(docker, web.Id, ['sh', '-c', `timeout 3 wget -qO- http://${apiAddr}:8080/`]);
    expect(direct.code).not.toBe(0);
  });

  test('a published port on every node answers with what web got from api by name', async () => {
    for (const host of [PUBLISH_M1, PUBLISH_W1]) {
      const body = await eventually(`the page through ${host}`, () => httpGet(host, port, '/cgi-bin/api').catch(() => undefined), 60_000, 500);
      expect(body.trim()).toMatch(/^api-api-[12]$/);
    }
  });

  test('inside web: api resolves to its VIP on back, tasks.api to both tasks', async () => {
    const web = await containerOf(docker, 'app_web');
    const [svc] = JSON.parse(await swarmOk(m, ['service', 'inspect', 'app_api'])) as { Endpoint: { VirtualIPs: { Addr: string }[] } }[];
    const vip = svc.Endpoint.VirtualIPs[0].Addr.split('/')[0];
    const byName = await execIn(docker, web.Id, ['nslookup', 'api']);
    expect(nslookupAddresses(byName.stdout)).toEqual([vip]);
    const tasks = await eventually('two task addresses', async () => {
      const r = await execIn(docker, web.Id, ['nslookup', 'tasks.api']);
      const a = nslookupAddresses(r.stdout);
      return a.length === 2 ? a : undefined;
    }, 30_000, 500);
    const back = subnets.app_back.split('.').slice(0, 3).join('.');
    expect(tasks.every((a) => a.startsWith(`${back}.`))).toBe(true);
    // And a task address serves too, not only the VIP.
    const one = await execIn(docker, web.Id, ['sh', '-c', `timeout 10 wget -qO- http://${tasks[0]}:8080/`]);
    expect(one.stdout.trim()).toMatch(/^api-api-[12]$/);
  });

  test('spy, on another network, can neither resolve nor reach api', async () => {
    const spy = await containerOf(docker, 'app_spy');
    const byName = await execIn(docker, spy.Id, ['nslookup', 'api']);
    expect(nslookupAddresses(byName.stdout)).toEqual([]);
    expect(byName.stdout + byName.stderr).toMatch(/NXDOMAIN|can't find/i);
    const [svc] = JSON.parse(await swarmOk(m, ['service', 'inspect', 'app_api'])) as { Endpoint: { VirtualIPs: { Addr: string }[] } }[];
    const vip = svc.Endpoint.VirtualIPs[0].Addr.split('/')[0];
    const reach = await execIn(docker, spy.Id, ['sh', '-c', `timeout 5 wget -qO- http://${vip}:8080/`]);
    expect(reach.code).not.toBe(0);
    expect(reach.stdout).not.toMatch(/api-/);
    // The host itself (an operator) may look everything up.
    const resolver = new Resolver();
    resolver.setServers([DNS_ADDR]);
    await expect(resolver.resolve4('app_api')).resolves.toEqual([vip]);
  });

  test('a restarted node serves its published port again', async () => {
    await swarmOk(w, ['stop']);
    await swarmOk(w, ['start']);
    await untilRunning(m, 'app_api', 2, eventually, 90_000);
    const body = await eventually('the page through the restarted node', () => httpGet(PUBLISH_W1, port, '/cgi-bin/api').catch(() => undefined), 60_000, 500);
    expect(body.trim()).toMatch(/^api-api-[12]$/);
  });

  test('killing one api task loses no request made after it left the pool', async () => {
    const victim = await containerOf(docker2, 'app_api');
    const victimTask = victim.Labels['com.docker.swarm.task.id'];
    await docker2.getContainer(victim.Id).kill();
    await eventually('the task out of the pool', async () => {
      const row = (await psRows(m, 'app_api')).find((r) => r.ID === victimTask);
      return row && !row.CurrentState.startsWith('Running') ? row : undefined;
    }, 30_000, 100);
    const bodies: string[] = [];
    for (let i = 0; i < 20; i++) bodies.push((await httpGet(PUBLISH_M1, port, '/cgi-bin/api')).trim());
    expect(bodies.filter((b) => !/^api-api-[12]$/.test(b))).toEqual([]);
  });

  test('service rm leaves no listener or DNS name', async () => {
    await swarmOk(m, [
      'service', 'create', '--name', 'solo', '--network', 'app_back', '--stop-grace-period', '1s', '--constraint', 'node.labels.engine==one',
      'swarm-test/busybox:latest', 'sh', '-c', 'mkdir -p /www && echo solo > /www/index.html && exec httpd -f -p 8081 -h /www',
    ]);
    const [svc] = JSON.parse(await swarmOk(m, ['service', 'inspect', 'solo'])) as { Endpoint: { VirtualIPs: { Addr: string }[] } }[];
    const vip = svc.Endpoint.VirtualIPs[0].Addr.split('/')[0];
    const resolver = new Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([DNS_ADDR]);
    await expect(resolver.resolve4('solo')).resolves.toEqual([vip]);
    // The host reaches the VIP (once the task's listening socket is seen).
    const body = await eventually('solo through its VIP', () => httpGet(vip, 8081, '/').catch(() => undefined), 30_000, 300);
    expect(body.trim()).toBe('solo');
    await swarmOk(m, ['service', 'rm', 'solo']);
    await eventually('the name gone', async () => (await resolver.resolve4('solo').then(() => false, (e: NodeJS.ErrnoException) => e.code === 'ENOTFOUND')) || undefined, 20_000, 200);
    // app_back stays routed (api is on it): nothing listens on solo's VIP any more.
    await eventually('the VIP closed', () => httpGet(vip, 8081, '/').then(() => undefined, (e: NodeJS.ErrnoException) => (e.code === 'ECONNREFUSED' ? true : undefined)), 20_000, 200);
  });

  test('stack rm leaves no VIP route, listener or DNS name', async () => {
    const [svc] = JSON.parse(await swarmOk(m, ['service', 'inspect', 'app_api'])) as { Endpoint: { VirtualIPs: { Addr: string }[] } }[];
    const vip = svc.Endpoint.VirtualIPs[0].Addr.split('/')[0];
    const r = await swarm(m, ['stack', 'rm', 'app']);
    expect(r.stdout).toMatch(/Removing network app_back\nRemoving network app_front\nRemoving network app_other\n/);
    const resolver = new Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([DNS_ADDR]);
    await eventually('the name gone', async () => (await resolver.resolve4('app_api').then(() => false, (e: NodeJS.ErrnoException) => e.code === 'ENOTFOUND')) || undefined, 20_000, 200);
    await eventually('the stack networks unrouted', async () => {
      const routes = localRoutes();
      return ['app_back', 'app_front', 'app_other'].every((n) => !routes.includes(subnets[n])) || undefined;
    }, 20_000, 200);
    // The ingress network stays routed: it carries the DNS address.
    expect(localRoutes()).toContain(subnets.ingress);
    for (const host of [PUBLISH_M1, PUBLISH_W1]) {
      await eventually(`${host}:${port} closed`, () => httpGet(host, port, '/').then(() => undefined, (e: NodeJS.ErrnoException) => (e.code === 'ECONNREFUSED' ? true : undefined)), 20_000, 200);
    }
    expect(vip).toMatch(/^100\.100\./);
  });
});

// The dashboard's relay against a fake daemon socket: what it passes on, what
// it refuses before the daemon hears of it (routes off the allow-list, foreign
// Host or Origin, a missing or wrong token), and a pasted compose file's
// positioned errors.

import { request as httpRequest } from 'http';
import { request as httpsRequest } from 'https';
import { join } from 'path';
import { createRootCA } from '../../lib/ca';
import { newObjectId } from '../../lib/api/ids';
import type { CliContext } from '../../lib/cli/context';
import { callDaemon } from '../../lib/daemon/control-client';
import { Asset } from '../../lib/dashboard/assets';
import { DashboardServer } from '../../lib/dashboard/server';
import { FakeDaemon, startFakeDaemon } from '../cli/helpers/fake-daemon';

const assets = new Map<string, Asset>([['/', { type: 'text/html; charset=utf-8', body: Buffer.from('<!doctype html><title>swarm dashboard</title>') }]]);

interface Reply {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

function call(server: DashboardServer, method: string, path: string, o: { host?: string; headers?: Record<string, string>; body?: unknown } = {}): Promise<Reply> {
  const a = server.address();
  const tls = server.url.startsWith('https:');
  const data = o.body === undefined ? undefined : JSON.stringify(o.body);
  return new Promise((resolve, reject) => {
    const req = (tls ? httpsRequest : httpRequest)(
      {
        host: '127.0.0.1',
        port: a.port,
        method,
        path,
        rejectUnauthorized: false,
        headers: { host: o.host ?? `127.0.0.1:${a.port}`, ...(data ? { 'content-type': 'application/json' } : {}), ...o.headers },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

function contextFor(d: FakeDaemon): CliContext {
  const socket = join(d.dataDir, 'swarm.sock');
  return { dataDir: d.dataDir, call: (m, p, b, t) => callDaemon(socket, d.dataDir, m, p, b, t), out: () => undefined };
}

describe('dashboard relay on loopback', () => {
  let daemon: FakeDaemon;
  let server: DashboardServer;

  beforeAll(async () => {
    daemon = await startFakeDaemon({
      'GET /v1/info': { body: { clusterId: 'c1', managers: [] } },
      'POST /v1/services/web/rollback': { status: 409, error: 'service web has no previous spec to roll back to' },
      'POST /v1/stop': { body: { stopping: true } },
    });
    server = new DashboardServer({ ctx: contextFor(daemon), socketPath: join(daemon.dataDir, 'swarm.sock'), host: '127.0.0.1', port: 0, assets });
    await server.start();
  });
  afterAll(async () => {
    await server.stop();
    await daemon.stop();
  });
  beforeEach(() => daemon.sent.splice(0));

  test('the page is served with a policy that runs only its own scripts', async () => {
    const r = await call(server, 'GET', '/');
    expect(r.status).toBe(200);
    expect(r.body).toContain('swarm dashboard');
    expect(r.headers['content-security-policy']).toContain("script-src 'self'");
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    expect((await call(server, 'GET', '/etc/passwd')).status).toBe(404);
  });

  test('an allow-listed call reaches the daemon and its answer comes back as it is, errors included', async () => {
    const ok = await call(server, 'GET', '/api/v1/info');
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ clusterId: 'c1', managers: [] });
    const refused = await call(server, 'POST', '/api/v1/services/web/rollback', { body: {} });
    expect(refused.status).toBe(409);
    expect(JSON.parse(refused.body)).toEqual({ error: 'service web has no previous spec to roll back to' });
    expect(daemon.sent.map((s) => `${s.method} ${s.path}`)).toEqual(['GET /v1/info', 'POST /v1/services/web/rollback']);
  });

  test('a route off the allow-list never reaches the daemon, however it is spelled', async () => {
    for (const path of ['/api/v1/stop', '/api/v1/services/../stop', '/api/v1/services/%2e%2e/stop', '/api/v1/join-token/manager']) {
      const r = path.includes('join') ? await call(server, 'GET', path) : await call(server, 'POST', path, { body: {} });
      expect({ path, status: r.status, body: r.body }).toEqual({ path, status: 404, body: expect.stringMatching(/not something the dashboard relays/) });
    }
    expect(daemon.sent).toEqual([]);
  });

  test('a rebound DNS name or another site as Origin is refused before the daemon hears of it', async () => {
    const rebound = await call(server, 'GET', '/api/v1/info', { host: `attacker.example:${server.address().port}` });
    expect(rebound.status).toBe(403);
    const page = await call(server, 'GET', '/', { host: 'attacker.example' });
    expect(page.status).toBe(403);
    const csrf = await call(server, 'POST', '/api/services/web/scale', { headers: { origin: 'http://attacker.example' }, body: { replicas: 9 } });
    expect(csrf.status).toBe(403);
    expect(daemon.sent).toEqual([]);
  });

  test('a pasted compose file with an error answers the loader\'s line:column, and nothing is deployed', async () => {
    const compose = ['version: "3.8"', 'services:', '  web:', '    image: nginx', '    deploy:', '      replicas: lots', ''].join('\n');
    const r = await call(server, 'POST', '/api/stacks/app/deploy', { body: { compose } });
    expect(r.status).toBe(400);
    const answer = JSON.parse(r.body) as { ok: boolean; issues: { line: number; column: number; text: string }[] };
    expect(answer.ok).toBe(false);
    expect(answer.issues).toEqual([expect.objectContaining({ line: 6, column: 17, text: expect.stringMatching(/^compose\.yml:6:17: services\.web\.deploy\.replicas: /) })]);
    expect(daemon.sent).toEqual([]);
  });

  test('a pasted compose file may not read files on the dashboard\'s machine', async () => {
    const compose = ['services:', '  web:', '    image: nginx', '    env_file: /etc/hostname', ''].join('\n');
    const r = await call(server, 'POST', '/api/stacks/app/deploy', { body: { compose } });
    expect(r.status).toBe(400);
    expect(r.body).toMatch(/cannot read files/);
    expect(daemon.sent).toEqual([]);
  });

  test('bad action input gets a clear error', async () => {
    const r = await call(server, 'POST', '/api/services/web/scale', { body: { replicas: -1 } });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).error).toMatch(/whole number/);
    expect(daemon.sent).toEqual([]);
  });
});

describe('dashboard off loopback', () => {
  let daemon: FakeDaemon;
  let server: DashboardServer;
  const token = 'tok_' + 'x'.repeat(28);

  beforeAll(async () => {
    daemon = await startFakeDaemon({ 'GET /v1/info': { body: { clusterId: 'c1' } } });
    const ca = await createRootCA({ clusterId: newObjectId() });
    server = new DashboardServer({
      ctx: contextFor(daemon),
      socketPath: join(daemon.dataDir, 'swarm.sock'),
      host: '0.0.0.0',
      port: 0,
      token,
      tls: { cert: ca.certPem, key: ca.keyPem },
      assets,
    });
    await server.start();
  });
  afterAll(async () => {
    await server.stop();
    await daemon.stop();
  });

  test('is refused outright without a token or without HTTPS', () => {
    const base = { ctx: contextFor(daemon), socketPath: 'x', host: '0.0.0.0', port: 0, assets };
    expect(() => new DashboardServer(base)).toThrow(/needs a token and HTTPS/);
    expect(() => new DashboardServer({ ...base, token })).toThrow(/needs a token and HTTPS/);
  });

  test('serves HTTPS; the API wants the printed token, and only that one', async () => {
    expect(server.url).toMatch(/^https:\/\/0\.0\.0\.0:\d+\/$/);
    const host = `0.0.0.0:${server.address().port}`;
    const none = await call(server, 'GET', '/api/v1/info', { host });
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body).error).toMatch(/token/);
    const wrong = await call(server, 'GET', '/api/v1/info', { host, headers: { authorization: `Bearer ${token}y` } });
    expect(wrong.status).toBe(401);
    expect(daemon.sent).toEqual([]);
    const right = await call(server, 'GET', '/api/v1/info', { host, headers: { authorization: `Bearer ${token}` } });
    expect(right.status).toBe(200);
    expect(daemon.sent.map((s) => s.path)).toEqual(['/v1/info']);
  });
});

describe('pasted compose text and the dashboard machine', () => {
  let daemon: FakeDaemon;
  let server: DashboardServer;
  let deployed: unknown;

  beforeAll(async () => {
    process.env.SWARM_DASHBOARD_TEST_SECRET = 'hunter2';
    daemon = await startFakeDaemon({
      'POST /v1/stacks/app/deploy': (body) => {
        deployed = body;
        return { body: { created: ['app_web'], updated: [], unchanged: [], removed: [], networksCreated: ['app_default'], networksRemoved: [] } };
      },
    });
    server = new DashboardServer({ ctx: contextFor(daemon), socketPath: join(daemon.dataDir, 'swarm.sock'), host: '127.0.0.1', port: 0, assets });
    await server.start();
  });
  afterAll(async () => {
    delete process.env.SWARM_DASHBOARD_TEST_SECRET;
    await server.stop();
    await daemon.stop();
  });

  test("${VAR} comes from an empty environment, not the dashboard process's; defaults apply", async () => {
    const compose = ['services:', '  web:', '    image: nginx:${TAG:-1.27}', '    environment:', '      LEAK: "${SWARM_DASHBOARD_TEST_SECRET}"', ''].join('\n');
    const r = await call(server, 'POST', '/api/stacks/app/deploy', { body: { compose } });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ ok: true, result: { created: ['app_web'] } });
    const sent = JSON.stringify(deployed);
    expect(sent).not.toContain('hunter2');
    expect(sent).toContain('nginx:1.27');
  });
});

// /v1/secrets and /v1/configs on a real manager: a secret's data goes in and
// never comes back out, in any answer; a config's does (base64), as docker's
// `config inspect` shows it; bad input is a 400 that stores nothing.

import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ControlError, ControlRequest, ControlResponse } from '../../lib/daemon/control-server';
import { Router } from '../../lib/daemon/router';
import { secretsRoutes } from '../../lib/daemon/secrets-route';
import { ManagerError } from '../../lib/manager/errors';
import { Manager } from '../../lib/manager/manager';
import { startLocalManager } from '../../lib/testing/local-managers';

const PLAINTEXT = 'correct horse battery staple';
const B64 = Buffer.from(PLAINTEXT).toString('base64');

describe('secret and config routes', () => {
  const root = mkdtempSync(join(tmpdir(), 'swarm-secret-route-'));
  let m: Manager;
  let call: (method: string, path: string, body?: unknown) => Promise<ControlResponse>;

  beforeAll(async () => {
    m = await startLocalManager(root);
    await m.raft.waitForLeader();
    const r = new Router();
    const fail = (e: unknown): never => {
      if (e instanceof ManagerError) throw new ControlError(e.code === 'NotFound' ? 404 : e.code === 'Conflict' ? 409 : 400, e.message);
      throw e;
    };
    secretsRoutes(r, m, fail, async () => true);
    const h = r.handler();
    call = (method, path, body) => h({ method, path, query: new URLSearchParams(), body, signal: new AbortController().signal } as ControlRequest);
  });

  afterAll(async () => {
    await m.stop();
    rmSync(root, { recursive: true, force: true });
  });

  test("a secret's data is in no answer: create, list, inspect, update", async () => {
    const created = await call('POST', '/v1/secrets', { name: 'pw', labels: { a: 'b' }, data: B64 });
    expect(Object.keys(created.body as object)).toEqual(['id']);
    const answers = [
      created,
      await call('GET', '/v1/secrets'),
      await call('GET', '/v1/secrets/pw'),
      await call('POST', '/v1/secrets/pw/update', { labels: { a: 'c' } }),
    ];
    for (const a of answers) {
      const text = JSON.stringify(a.body);
      expect(text).not.toContain(B64);
      expect(text).not.toContain(PLAINTEXT);
      expect(text).not.toContain('"data"');
    }
    expect(answers[2].body).toMatchObject({ secret: { spec: { name: 'pw', labels: { a: 'b' } } } });
    expect(answers[3].body).toMatchObject({ spec: { name: 'pw', labels: { a: 'c' } } });
    // It is stored all the same.
    expect(m.store.findByName('secret', 'pw')[0].spec.data).toBe(B64);
  });

  test("a config's data is shown, base64, as docker does", async () => {
    await call('POST', '/v1/configs', { name: 'conf', data: B64 });
    const a = await call('GET', '/v1/configs/conf');
    expect(a.body).toMatchObject({ config: { spec: { name: 'conf', data: B64 } } });
  });

  test('bad input is a 400 naming the problem; an unknown ref a 404; nothing stored', async () => {
    const err = (p: Promise<unknown>) => p.catch((e: unknown) => e);
    expect(await err(call('POST', '/v1/secrets', undefined))).toMatchObject({ status: 400, message: "the request must carry the secret's name and data" });
    expect(await err(call('POST', '/v1/secrets', { name: 'x y', data: B64 }))).toMatchObject({ status: 400, message: expect.stringMatching(/invalid secret name "x y"/) });
    expect(await err(call('POST', '/v1/secrets/pw/update', { name: 'other' }))).toMatchObject({ status: 400, message: "the request must carry the secret's labels (only labels can be updated)" });
    expect(await err(call('GET', '/v1/secrets/ghost'))).toMatchObject({ status: 404, message: 'no such secret: ghost' });
    expect(await err(call('POST', '/v1/configs/ghost/remove'))).toMatchObject({ status: 404, message: 'no such config: ghost' });
    expect(m.store.list('secret').map((s) => s.spec.name)).toEqual(['pw']);
  });

  test('remove answers the id', async () => {
    const id = m.store.findByName('secret', 'pw')[0].id;
    expect((await call('POST', '/v1/secrets/pw/remove')).body).toEqual({ id });
    expect(m.store.list('secret')).toEqual([]);
  });
});

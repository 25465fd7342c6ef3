import { writeFileSync } from 'fs';
import { join } from 'path';
import type { StackBlobRequest } from '../../lib/api/stack-blobs';
import type { ServiceSpec } from '../../lib/api/service-types';
import { type FakeDaemon, runCli, startFakeDaemon } from './helpers/fake-daemon';

// `swarm secret|config …` and the secrets of `stack deploy` against a fake
// control socket: what is sent, and docker's output for what comes back.

let daemon: FakeDaemon | undefined;
afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
});

const T = '2026-12-03T10:00:00.5Z';
const stored = (id: string, name: string, labels: Record<string, string> = {}, data?: string) => ({
  id,
  meta: { version: 12, createdAt: T, updatedAt: T },
  spec: { name, labels, ...(data !== undefined ? { data } : {}) },
});

test('secret create reads the file, sends it base64 with the labels, prints the id', async () => {
  daemon = await startFakeDaemon({ 'POST /v1/secrets': { body: { id: 'abc123' } } });
  const f = join(daemon.dataDir, 'pw.txt');
  writeFileSync(f, 'hunter2');
  const run = await runCli(['secret', 'create', '-l', 'team=db', 'db_pw', f], daemon.dataDir);
  expect(run).toEqual({ exitCode: 0, stdout: 'abc123\n', stderr: '' });
  expect(daemon.sent[0].body).toEqual({ name: 'db_pw', labels: { team: 'db' }, data: Buffer.from('hunter2').toString('base64') });
});

test('secret create: a missing, empty or too large file is refused before anything is sent', async () => {
  daemon = await startFakeDaemon({});
  const empty = join(daemon.dataDir, 'empty');
  writeFileSync(empty, '');
  const big = join(daemon.dataDir, 'big');
  writeFileSync(big, Buffer.alloc(500 * 1024 + 1));
  const missing = await runCli(['secret', 'create', 'a', join(daemon.dataDir, 'nope')], daemon.dataDir);
  expect(missing.stderr).toBe(`Error: cannot read secret file ${join(daemon.dataDir, 'nope')}: no such file\n`);
  expect((await runCli(['secret', 'create', 'a', empty], daemon.dataDir)).stderr).toBe(`Error: secret data is empty: ${empty} holds nothing\n`);
  expect((await runCli(['config', 'create', 'a', big], daemon.dataDir)).stderr).toBe(`Error: config data is too large: ${big} holds more than 512000 bytes (500 KiB)\n`);
  expect(daemon.sent).toEqual([]);
});

test("secret ls: docker's columns, sorted by name; -q; --format json; --filter", async () => {
  daemon = await startFakeDaemon({ 'GET /v1/secrets': { body: { stale: false, secrets: [stored('id2', 'web_tls', { env: 'prod' }), stored('id1', 'db_pw')] } } });
  const table = await runCli(['secret', 'ls'], daemon.dataDir);
  const lines = table.stdout.trimEnd().split('\n');
  expect(lines[0].split(/\s{2,}/)).toEqual(['ID', 'NAME', 'DRIVER', 'CREATED', 'UPDATED']);
  expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 2))).toEqual([
    ['id1', 'db_pw'],
    ['id2', 'web_tls'],
  ]);
  expect((await runCli(['secret', 'ls', '-q'], daemon.dataDir)).stdout).toBe('id1\nid2\n');
  const json = (await runCli(['secret', 'ls', '--format', 'json', '--filter', 'label=env=prod'], daemon.dataDir)).stdout.trim().split('\n');
  expect(json.map((l) => JSON.parse(l) as Record<string, string>)).toEqual([
    expect.objectContaining({ ID: 'id2', Name: 'web_tls', Driver: '', Labels: 'env=prod' }),
  ]);
  expect((await runCli(['secret', 'ls', '-q', '--filter', 'name=db'], daemon.dataDir)).stdout).toBe('id1\n');
  const bad = await runCli(['secret', 'ls', '--filter', 'colour=red'], daemon.dataDir);
  expect(bad).toMatchObject({ exitCode: 1, stderr: "Error: invalid filter 'colour'\n" });
});

test("secret inspect: docker's JSON without data; --pretty; a missing one is reported after the rest", async () => {
  daemon = await startFakeDaemon({
    'GET /v1/secrets/db_pw': { body: { stale: false, secret: stored('id1', 'db_pw', { team: 'db' }) } },
    'GET /v1/secrets/nope': { status: 404, error: 'no such secret: nope' },
  });
  const run = await runCli(['secret', 'inspect', 'db_pw', 'nope'], daemon.dataDir);
  expect(run.exitCode).toBe(1);
  expect(JSON.parse(run.stdout)).toEqual([{ ID: 'id1', Version: { Index: 12 }, CreatedAt: T, UpdatedAt: T, Spec: { Name: 'db_pw', Labels: { team: 'db' } } }]);
  expect(run.stderr).toBe('Error: No such secret: nope\n');
  const pretty = await runCli(['secret', 'inspect', '--pretty', 'db_pw'], daemon.dataDir);
  expect(pretty.stdout).toBe(
    ['ID:              id1', 'Name:              db_pw', 'Labels:', ' - team=db', 'Driver:            ', 'Created at:        2026-12-03 10:00:00.5 +0000 UTC', 'Updated at:        2026-12-03 10:00:00.5 +0000 UTC', ''].join('\n'),
  );
});

test("config inspect shows the data, base64 in JSON and as text with --pretty", async () => {
  const data = Buffer.from('listen 80;').toString('base64');
  daemon = await startFakeDaemon({ 'GET /v1/configs/conf': { body: { stale: false, config: stored('c1', 'conf', {}, data) } } });
  const run = await runCli(['config', 'inspect', 'conf'], daemon.dataDir);
  expect(JSON.parse(run.stdout)[0].Spec).toEqual({ Name: 'conf', Labels: {}, Data: data });
  expect((await runCli(['config', 'inspect', '--pretty', 'conf'], daemon.dataDir)).stdout).toContain('Data:\nlisten 80;\n');
});

test('secret rm: each one named, a failure does not stop the others, exit 1', async () => {
  daemon = await startFakeDaemon({
    'POST /v1/secrets/a/remove': { body: { id: 'id1' } },
    'POST /v1/secrets/used/remove': { status: 400, error: 'cannot delete secret id9: secret used is in use by the following service: web' },
    'POST /v1/secrets/b/remove': { body: { id: 'id2' } },
  });
  const run = await runCli(['secret', 'rm', 'a', 'used', 'b'], daemon.dataDir);
  expect(run).toEqual({ exitCode: 1, stdout: 'a\nb\n', stderr: 'Error: cannot delete secret id9: secret used is in use by the following service: web\n' });
});

describe('stack deploy with secrets and configs', () => {
  const STACK = [
    'services:',
    '  db:',
    '    image: postgres:16',
    '    secrets: [db_pw, {source: token, target: tok, mode: 0400}]',
    '    configs: [{source: conf, target: /etc/db.conf}]',
    'secrets:',
    '  db_pw: {file: ./secrets/pw.txt}',
    '  token: {external: true, name: shared_token}',
    'configs:',
    '  conf: {file: ./db.conf, name: db_conf_v1}',
    '',
  ].join('\n');

  test("files are read from the compose file's directory and sent; docker's lines for what was created", async () => {
    daemon = await startFakeDaemon({
      'POST /v1/stacks/app/deploy': {
        body: { created: ['app_db'], updated: [], unchanged: [], removed: [], networksCreated: ['app_default'], secretsCreated: ['app_db_pw'], secretsUpdated: [], configsCreated: ['db_conf_v1'], configsUpdated: [] },
      },
    });
    const { mkdirSync } = await import('fs');
    mkdirSync(join(daemon.dataDir, 'secrets'));
    writeFileSync(join(daemon.dataDir, 'secrets', 'pw.txt'), 's3cret');
    writeFileSync(join(daemon.dataDir, 'db.conf'), 'max_connections=10');
    writeFileSync(join(daemon.dataDir, 'stack.yml'), STACK);
    const run = await runCli(['stack', 'deploy', '-d', '-c', join(daemon.dataDir, 'stack.yml'), 'app'], daemon.dataDir);
    expect(run).toEqual({ exitCode: 0, stdout: 'Creating secret app_db_pw\nCreating config db_conf_v1\nCreating network app_default\nCreating service app_db\n', stderr: '' });
    const body = daemon.sent[0].body as { services: ServiceSpec[]; secrets: StackBlobRequest[]; configs: StackBlobRequest[] };
    expect(body.secrets).toEqual([
      { name: 'app_db_pw', external: false, labels: { 'com.docker.stack.namespace': 'app' }, data: Buffer.from('s3cret').toString('base64') },
      { name: 'shared_token', external: true },
    ]);
    expect(body.configs).toEqual([{ name: 'db_conf_v1', external: false, labels: { 'com.docker.stack.namespace': 'app' }, data: Buffer.from('max_connections=10').toString('base64') }]);
    expect(body.services[0].task.container.secrets?.map((r) => [r.secretName, r.file.name, r.file.mode])).toEqual([
      ['app_db_pw', 'db_pw', 0o444],
      ['shared_token', 'tok', 0o400],
    ]);
  });

  test('a missing file is an error at its line; nothing is sent', async () => {
    daemon = await startFakeDaemon({});
    writeFileSync(join(daemon.dataDir, 'stack.yml'), STACK);
    const run = await runCli(['stack', 'deploy', '-d', '-c', join(daemon.dataDir, 'stack.yml'), 'app'], daemon.dataDir);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(`stack.yml:7:17: secrets.db_pw.file: secret db_pw: file ${join(daemon.dataDir, 'secrets', 'pw.txt')} does not exist`);
    expect(run.stderr).toContain(`stack.yml:10:16: configs.conf.file: config conf: file ${join(daemon.dataDir, 'db.conf')} does not exist`);
    expect(daemon.sent).toEqual([]);
  });

  test('stack rm: services, then secrets, configs and networks', async () => {
    daemon = await startFakeDaemon({
      'POST /v1/stacks/app/remove': { body: { removed: ['app_db'], networksRemoved: ['app_default'], secretsRemoved: ['app_db_pw'], configsRemoved: ['db_conf_v1'] } },
    });
    const run = await runCli(['stack', 'rm', '-d', 'app'], daemon.dataDir);
    expect(run).toEqual({ exitCode: 0, stdout: 'Removing service app_db\nRemoving secret app_db_pw\nRemoving config db_conf_v1\nRemoving network app_default\n', stderr: '' });
  });
});

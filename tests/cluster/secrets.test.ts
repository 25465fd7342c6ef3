// Secrets and configs through the real CLI on a one-manager swarm: created
// from stdin and from a file, listed and inspected without their data, used
// by a service (and then not removable), removed once it is gone; a stack's
// file: secret and config created as STACK_… objects and removed with it.
// (That a container reads them is the delivery's test.)

import Docker from 'dockerode';
import { spawn } from 'child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { freePort } from '../../lib/raft/process/process-cluster';
import { testImageName } from '../../lib/testing/test-image';
import { describeWithDocker } from '../helpers/docker';
import { CliResult, killHard, swarm, swarmOk } from './cli';

jest.setTimeout(120_000);

const BIN = join(__dirname, '..', '..', 'bin', 'swarm');
const IMG = testImageName();
const PLAINTEXT = 'hunter2-e2e-plaintext';

/** `swarm ARGS` with `input` on its standard input. */
function swarmWithStdin(dataDir: string, args: string[], input: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, '--data-dir', dataDir, ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(input);
  });
}

describeWithDocker('secrets and configs', (docker: Docker) => {
  const root = mkdtempSync(join(tmpdir(), 'swarm-e2e-secrets-'));
  const m = join(root, 'm1');
  let nodeId = '';

  const names = async (kind: 'secret' | 'config') =>
    (await swarmOk(m, [kind, 'ls', '--format', 'json'])).trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { Name: string }).Name);

  beforeAll(async () => {
    await swarmOk(m, ['init', '--listen-addr', `127.0.0.1:${await freePort()}`, '--hostname', 'm1', '--raft-tick', '50ms']);
    nodeId = (await swarmOk(m, ['node', 'ls', '-q'])).trim();
  });

  afterAll(async () => {
    killHard(m);
    for (const c of await docker.listContainers({ all: true, filters: { label: [`com.docker.swarm.node.id=${nodeId}`] } })) {
      await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
    }
    rmSync(root, { recursive: true, force: true });
  });

  test('created from stdin and from a file; ls and inspect never show the data', async () => {
    const fromStdin = await swarmWithStdin(m, ['secret', 'create', '--label', 'team=db', 'db_pw', '-'], PLAINTEXT);
    expect(fromStdin).toMatchObject({ code: 0, stderr: '' });
    expect(fromStdin.stdout).toMatch(/^[a-z0-9]{25}\n$/);
    const file = join(root, 'tls.key');
    writeFileSync(file, 'KEY MATERIAL');
    expect((await swarmOk(m, ['secret', 'create', 'tls_key', file])).trim()).toMatch(/^[a-z0-9]{25}$/);
    expect(await names('secret')).toEqual(['db_pw', 'tls_key']);
    const dup = await swarmWithStdin(m, ['secret', 'create', 'db_pw', '-'], 'x');
    expect(dup).toMatchObject({ code: 1, stderr: 'Error: secret db_pw already exists\n' });

    const inspect = await swarmOk(m, ['secret', 'inspect', 'db_pw']);
    const [s] = JSON.parse(inspect) as { ID: string; Spec: Record<string, unknown> }[];
    expect(s.ID).toBe(fromStdin.stdout.trim());
    expect(s.Spec).toEqual({ Name: 'db_pw', Labels: { team: 'db' } });
    const everything = inspect + (await swarmOk(m, ['secret', 'ls'])) + (await swarmOk(m, ['secret', 'inspect', '--pretty', 'db_pw']));
    expect(everything).not.toContain(PLAINTEXT);
    expect(everything).not.toContain(Buffer.from(PLAINTEXT).toString('base64'));
  });

  test('a service uses it by name; rm is refused naming the service; after the service, rm works', async () => {
    await swarmOk(m, ['service', 'create', '-d', '--name', 'web', '--secret', 'source=db_pw,target=pw,mode=0400', IMG, 'sleep', '3600']);
    const [svc] = JSON.parse(await swarmOk(m, ['service', 'inspect', 'web'])) as { Spec: { TaskTemplate: { ContainerSpec: { Secrets: unknown[] } } } }[];
    expect(svc.Spec.TaskTemplate.ContainerSpec.Secrets).toEqual([
      { File: { Name: 'pw', UID: '0', GID: '0', Mode: 0o400 }, SecretID: expect.stringMatching(/^[a-z0-9]{25}$/), SecretName: 'db_pw' },
    ]);
    const missing = await swarm(m, ['service', 'create', '-d', '--name', 'api', '--secret', 'ghost', IMG, 'sleep', '3600']);
    expect(missing).toMatchObject({ code: 1, stderr: 'Error: service api: secret not found: ghost\n' });

    const refused = await swarm(m, ['secret', 'rm', 'db_pw', 'tls_key']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/secret db_pw is in use by the following service: web/);
    // The other one was removed all the same.
    expect(refused.stdout).toBe('tls_key\n');
    expect(await names('secret')).toEqual(['db_pw']);

    await swarmOk(m, ['service', 'rm', 'web']);
    expect(await swarmOk(m, ['secret', 'rm', 'db_pw'])).toBe('db_pw\n');
    expect(await names('secret')).toEqual([]);
  });

  test('a stack creates its file: secret and config as STACK_… objects; stack rm removes them', async () => {
    const dir = join(root, 'stack');
    mkdirSync(dir);
    writeFileSync(join(dir, 'pw.txt'), PLAINTEXT);
    writeFileSync(join(dir, 'app.conf'), 'greeting=hello\n');
    writeFileSync(
      join(dir, 'docker-stack.yml'),
      [
        'services:',
        '  app:',
        `    image: ${IMG}`,
        '    command: ["sleep", "3600"]',
        '    secrets: [pw]',
        '    configs: [{source: conf, target: /etc/app.conf}]',
        'secrets:',
        '  pw: {file: ./pw.txt}',
        'configs:',
        '  conf: {file: ./app.conf}',
        '',
      ].join('\n'),
    );
    const r = await swarm(m, ['stack', 'deploy', '-d', '-c', join(dir, 'docker-stack.yml'), 'shop']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe('Creating secret shop_pw\nCreating config shop_conf\nCreating network shop_default\nCreating service shop_app\n');
    expect(await names('secret')).toEqual(['shop_pw']);
    expect(await names('config')).toEqual(['shop_conf']);
    const [conf] = JSON.parse(await swarmOk(m, ['config', 'inspect', 'shop_conf'])) as { Spec: { Labels: Record<string, string>; Data: string } }[];
    expect(conf.Spec.Labels).toEqual({ 'com.docker.stack.namespace': 'shop' });
    expect(Buffer.from(conf.Spec.Data, 'base64').toString()).toBe('greeting=hello\n');

    // The same files again change nothing; a changed secret under the same name is refused.
    expect((await swarmOk(m, ['stack', 'deploy', '-d', '-c', join(dir, 'docker-stack.yml'), 'shop'])).trim()).toBe('Service shop_app is up to date');
    writeFileSync(join(dir, 'pw.txt'), 'another password');
    const changed = await swarm(m, ['stack', 'deploy', '-d', '-c', join(dir, 'docker-stack.yml'), 'shop']);
    expect(changed.code).toBe(1);
    expect(changed.stderr).toMatch(/secret shop_pw already exists with other content.*name: shop_pw_v2/);

    const rm = await swarmOk(m, ['stack', 'rm', 'shop']);
    expect(rm).toBe('Removing service shop_app\nRemoving secret shop_pw\nRemoving config shop_conf\nRemoving network shop_default\n');
    expect(await names('secret')).toEqual([]);
    expect(await names('config')).toEqual([]);
  });
});

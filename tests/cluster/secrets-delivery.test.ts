// A stack's file: secret and config reach the one container that needs them,
// through the real daemons: two managers (snapshots every few entries, so the
// secret also passes through snapshot files) and a worker that runs the task.
// The container reads both; the secret's plaintext (or its base64) is in no
// file of any node's data dir (Raft log, snapshots, logs, state), the nodes
// that run no task needing it never hold it on their tmpfs, and the task's
// files go when the stack does.

import Docker from 'dockerode';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { freePort } from '../../lib/raft/process/process-cluster';
import { testImageName } from '../../lib/testing/test-image';
import { eventually } from '../../lib/util/eventually';
import { defaultTmpfsRoot } from '../../lib/worker/executor/tmpfs-files';
import { describeWithDocker } from '../helpers/docker';
import { killHard, swarm, swarmOk } from './cli';
import { execIn } from './docker-exec';
import { untilRunning } from './services-helpers';
import { filesContaining, filesUnder } from '../helpers/files';

jest.setTimeout(180_000);

const IMG = testImageName();
const PLAINTEXT = 'tr0ub4dor-e2e-delivery-plaintext';
const CONFIG = 'greeting=hello from a config\n';

describeWithDocker('secrets and configs reach the containers that need them, and only those', (docker: Docker) => {
  const root = mkdtempSync(join(tmpdir(), 'swarm-e2e-secret-delivery-'));
  const [m1, m2, w1] = ['m1', 'm2', 'w1'].map((n) => join(root, n));
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    const addr = `127.0.0.1:${await freePort()}`;
    await swarmOk(m1, ['init', '--listen-addr', addr, '--hostname', 'm1', '--raft-tick', '50ms', '--snapshot-interval', '5']);
    const managerToken = (await swarmOk(m1, ['join-token', '-q', 'manager'])).trim();
    const workerToken = (await swarmOk(m1, ['join-token', '-q', 'worker'])).trim();
    await swarmOk(m2, ['join', '--token', managerToken, addr, '--listen-addr', `127.0.0.1:${await freePort()}`, '--hostname', 'm2']);
    await swarmOk(w1, ['join', '--token', workerToken, addr, '--listen-addr', `127.0.0.1:${await freePort()}`, '--hostname', 'w1']);
    for (const line of (await swarmOk(m1, ['node', 'ls', '--format', 'json'])).trim().split('\n')) {
      const n = JSON.parse(line) as { ID: string; Hostname: string };
      ids[n.Hostname] = n.ID;
    }
    expect(Object.keys(ids).sort()).toEqual(['m1', 'm2', 'w1']);
  });

  afterAll(async () => {
    for (const d of [w1, m2, m1]) killHard(d);
    for (const id of Object.values(ids)) {
      for (const c of await docker.listContainers({ all: true, filters: { label: [`com.docker.swarm.node.id=${id}`] } })) {
        await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
      }
      rmSync(defaultTmpfsRoot(id), { recursive: true, force: true });
    }
    rmSync(root, { recursive: true, force: true });
  });

  test('the container reads both; the plaintext is in no data dir, and only the running node holds it, on its tmpfs', async () => {
    const dir = join(root, 'stack');
    mkdirSync(dir);
    writeFileSync(join(dir, 'db_password.txt'), PLAINTEXT);
    writeFileSync(join(dir, 'app.conf'), CONFIG);
    writeFileSync(
      join(dir, 'stack.yml'),
      [
        'services:',
        '  app:',
        `    image: ${IMG}`,
        '    command: ["sleep", "3600"]',
        '    secrets: [db_password]',
        '    configs: [{source: app_conf, target: /etc/app.conf, mode: 0440}]',
        '    deploy:',
        '      placement: {constraints: [node.hostname == w1]}',
        'secrets:',
        '  db_password: {file: ./db_password.txt}',
        'configs:',
        '  app_conf: {file: ./app.conf}',
        '',
      ].join('\n'),
    );
    const deployed = await swarm(m1, ['stack', 'deploy', '-c', join(dir, 'stack.yml'), 'vault']);
    expect(deployed).toMatchObject({ code: 0, stderr: '' });
    expect(await untilRunning(m1, 'vault_app', 1, eventually, 90_000)).toEqual({ w1: 1 });

    const [container] = await docker.listContainers({ filters: { label: ['com.docker.swarm.service.name=vault_app'], status: ['running'] } });
    const read = await execIn(docker, container.Id, ['sh', '-c', 'cat /run/secrets/db_password; echo; cat /etc/app.conf; stat -c %a /run/secrets/db_password /etc/app.conf']);
    expect(read.stdout).toBe(`${PLAINTEXT}\n${CONFIG}444\n440\n`);

    // Enough entries went through Raft for both managers to have snapshotted.
    for (const d of [m1, m2]) {
      await eventually(`a snapshot in ${d}`, async () => ((await filesUnder(d)).some((f) => f.endsWith('.snap')) ? true : undefined), 30_000, 200);
    }
    for (const needle of [PLAINTEXT, Buffer.from(PLAINTEXT).toString('base64')]) {
      for (const d of [m1, m2, w1]) expect({ dir: d, needle, hits: await filesContaining(d, needle) }).toEqual({ dir: d, needle, hits: [] });
    }
    // On tmpfs, on the node that runs the task only.
    expect(await filesContaining(defaultTmpfsRoot(ids.w1), PLAINTEXT)).toHaveLength(1);
    expect(await filesContaining(defaultTmpfsRoot(ids.m1), PLAINTEXT)).toEqual([]);
    expect(await filesContaining(defaultTmpfsRoot(ids.m2), PLAINTEXT)).toEqual([]);

    // A secret in use stays.
    const rm = await swarm(m1, ['secret', 'rm', 'vault_db_password']);
    expect(rm.code).toBe(1);
    expect(rm.stderr).toMatch(/secret vault_db_password is in use by the following service: vault_app/);
  });

  test("stack rm takes the task's files off the node's tmpfs", async () => {
    await swarmOk(m1, ['stack', 'rm', 'vault']);
    await eventually(
      "the worker's task files gone",
      async () => (!existsSync(defaultTmpfsRoot(ids.w1)) || readdirSync(defaultTmpfsRoot(ids.w1)).length === 0 ? true : undefined),
      60_000,
      200,
    );
    expect(await filesContaining(defaultTmpfsRoot(ids.w1), PLAINTEXT)).toEqual([]);
  });
});

import { writeFileSync } from 'fs';
import { join } from 'path';
import type { StackNetworkRequest } from '../../lib/api/network-api';
import type { ServiceSpec } from '../../lib/api/service-types';
import { type FakeDaemon, runCli, startFakeDaemon } from './helpers/fake-daemon';

// `swarm stack deploy` and `stack rm` against a fake control socket: the
// networks sent with the services, and docker's lines for what the manager did.

let daemon: FakeDaemon | undefined;
afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
});

const STACK = [
  'services:',
  '  web:',
  '    image: nginx:1.25',
  '    ports: ["8080:80"]',
  '    networks:',
  '      front: {aliases: [www]}',
  '  db:',
  '    image: postgres:16',
  'networks:',
  '  front: {attachable: true}',
  '  shared: {external: true}',
  '',
].join('\n');

test('deploy sends the services with the networks they use; prints pruned services, created networks, then services', async () => {
  daemon = await startFakeDaemon({
    'POST /v1/stacks/app/deploy': {
      body: { created: ['app_web'], updated: ['app_db'], unchanged: [], removed: ['app_old'], networksCreated: ['app_default', 'app_front'] },
    },
  });
  const file = join(daemon.dataDir, 'docker-stack.yml');
  writeFileSync(file, STACK);
  const run = await runCli(['stack', 'deploy', '-d', '--prune', '-c', file, 'app'], daemon.dataDir);
  expect(run).toEqual({
    exitCode: 0,
    stdout: 'Removing service app_old\nCreating network app_default\nCreating network app_front\nCreating service app_web\nUpdating service app_db\n',
    // The routing mesh exists: publishing 8080 is no longer worth a notice.
    stderr: '',
  });
  const body = daemon.sent[0].body as { services: ServiceSpec[]; networks: StackNetworkRequest[]; prune: boolean; resolveImage: boolean };
  expect(body.prune).toBe(true);
  expect(body.resolveImage).toBe(true);
  // `shared` is declared but unused: docker neither creates nor checks it.
  expect(body.networks.map((n) => [n.name, n.external, n.spec?.attachable])).toEqual([
    ['app_default', false, false],
    ['app_front', false, true],
  ]);
  expect(Object.fromEntries(body.services.map((s) => [s.name, s.task.networks]))).toEqual({
    app_db: [{ target: 'app_default', aliases: ['db'] }],
    app_web: [{ target: 'app_front', aliases: ['www', 'web'] }],
  });
});

test('deploy: a network driver a swarm cannot use is refused with its position, nothing sent', async () => {
  daemon = await startFakeDaemon({});
  const file = join(daemon.dataDir, 'docker-stack.yml');
  writeFileSync(file, ['services:', '  web:', '    image: nginx', '    networks: [lan]', 'networks:', '  lan:', '    driver: bridge', ''].join('\n'));
  const run = await runCli(['stack', 'deploy', '-c', file, 'app'], daemon.dataDir);
  expect(run.exitCode).toBe(1);
  expect(run.stderr).toBe(`Error: ${file}:7:13: networks.lan.driver: network lan: driver bridge is not supported on a swarm; use overlay\n`);
  expect(daemon.sent).toEqual([]);
});

test("rm prints docker's lines: services by name, then the stack's networks", async () => {
  daemon = await startFakeDaemon({
    'POST /v1/stacks/app/remove': { body: { removed: ['app_web', 'app_db'], networksRemoved: ['app_front', 'app_default'] } },
    'POST /v1/stacks/none/remove': { body: { removed: [], networksRemoved: [] } },
  });
  const run = await runCli(['stack', 'rm', '-d', 'app', 'none'], daemon.dataDir);
  expect(run).toEqual({
    exitCode: 0,
    stdout: 'Removing service app_db\nRemoving service app_web\nRemoving network app_default\nRemoving network app_front\n',
    stderr: 'Nothing found in stack: none\n',
  });
});

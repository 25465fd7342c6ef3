import type { Service } from '../../lib/api/service-types';
import { buildServiceSpec } from '../../lib/cli/service-flags';
import { type FakeDaemon, runCli, startFakeDaemon } from './helpers/fake-daemon';

// `swarm service scale` on an autoscaled service, against a fake control
// socket: accepted within the bounds with a word that the autoscaler decides
// next, refused outside them before anything is sent.

let daemon: FakeDaemon | undefined;
afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
});

const META = { version: 7, createdAt: '2024-05-01T10:00:00Z', updatedAt: '2024-05-01T10:00:00Z' };

function stored(): Service {
  const spec = buildServiceSpec({ name: 'web', replicas: '2', autoscaleMax: '4', autoscaleCpu: '50' }, 'nginx:1.25', [], { env: {}, cwd: '/', readFile: () => '' });
  return { id: 'svc000000000000000000000a', meta: META, spec };
}

const view = { body: { service: stored(), running: 2, desired: 2, tasks: [], nodeNames: {}, activeNodeIds: [], stale: false } };

test('scale within the bounds is sent, with a notice that the next decision may overrule it', async () => {
  daemon = await startFakeDaemon({ 'GET /v1/services/web': view, 'POST /v1/services/svc000000000000000000000a/update': { body: {} } });
  const run = await runCli(['service', 'scale', '-d', 'web=3'], daemon.dataDir);
  expect(run).toEqual({
    exitCode: 0,
    stdout: 'web scaled to 3\n',
    stderr: 'web autoscales between 1 and 4 replicas: the autoscaler will overrule this at its next decision if the load asks for another count\n',
  });
  expect(daemon.sent.filter((r) => r.method === 'POST').map((r) => (r.body as { spec: { replicas: number } }).spec.replicas)).toEqual([3]);
});

test('scale outside the bounds is refused in one line and nothing is written', async () => {
  daemon = await startFakeDaemon({ 'GET /v1/services/web': view });
  const run = await runCli(['service', 'scale', '-d', 'web=9'], daemon.dataDir);
  expect(run.exitCode).toBe(1);
  expect(run.stderr).toMatch(/^Error: web autoscales between 1 and 4 replicas: scale within those bounds, change them \(service update --autoscale-min\/--autoscale-max\), or stop autoscaling \(service update --autoscale-off\)\n$/);
  expect(daemon.sent.filter((r) => r.method === 'POST')).toEqual([]);
});

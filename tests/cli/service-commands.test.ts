import type { Service, ServiceSpec } from '../../lib/api/service-types';
import { buildServiceSpec } from '../../lib/cli/service-flags';
import { type FakeDaemon, runCli, startFakeDaemon } from './helpers/fake-daemon';

// `swarm service create/update/inspect` with networks against a fake control
// socket: the spec sent, and the network names the service view supplies.

let daemon: FakeDaemon | undefined;
afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
});

const META = { version: 7, createdAt: '2024-05-01T10:00:00Z', updatedAt: '2024-05-01T10:00:00Z' };

/** The service as the manager keeps it: its attachments name the networks by id. */
function stored(): Service {
  const spec = buildServiceSpec({ name: 'web' }, 'nginx:1.25', [], { env: {}, cwd: '/', readFile: () => '' });
  spec.task.networks = [
    { target: 'f1r0nt00000000000000000zz', aliases: ['www'] },
    { target: 'b4ck0000000000000000000zz', aliases: [] },
  ];
  return { id: 'svc000000000000000000000a', meta: META, spec };
}

const serviceView = (s: Service) => ({
  body: {
    service: s,
    running: 1,
    desired: 1,
    tasks: [],
    nodeNames: {},
    activeNodeIds: [],
    networkNames: { f1r0nt00000000000000000zz: 'front', b4ck0000000000000000000zz: 'back' },
    stale: false,
  },
});

test('create: --network values go into spec.task.networks as named; an ingress port prints no notice any more', async () => {
  daemon = await startFakeDaemon({ 'POST /v1/services': { body: { id: 'new0000000000000000000000' } } });
  const run = await runCli(['service', 'create', '-d', '--name', 'api', '-p', '8080:80', '--network', 'name=front,alias=www', '--network', 'back', 'nginx:1.25'], daemon.dataDir);
  expect(run).toEqual({ exitCode: 0, stdout: 'new0000000000000000000000\n', stderr: '' });
  const body = daemon.sent[0].body as { spec: ServiceSpec };
  expect(body.spec.task.networks).toEqual([
    { target: 'front', aliases: ['www'] },
    { target: 'back', aliases: [] },
  ]);
  expect(body.spec.endpoint.ports).toEqual([{ protocol: 'tcp', targetPort: 80, publishedPort: 8080, publishMode: 'ingress' }]);
});

test('create: a bad --network is one line and nothing is sent', async () => {
  daemon = await startFakeDaemon({});
  const run = await runCli(['service', 'create', '--network', 'ingress', 'nginx:1.25'], daemon.dataDir);
  expect(run.exitCode).toBe(1);
  expect(run.stderr).toBe(
    'Error: invalid argument "ingress" for "--network" flag: service cannot be explicitly attached to the ingress network "ingress"; publish a port instead\n',
  );
  expect(daemon.sent).toEqual([]);
});

test('update: --network-rm by name through the view\'s networkNames; --network-add appended; the version sent back', async () => {
  daemon = await startFakeDaemon({
    'GET /v1/services/web': serviceView(stored()),
    'POST /v1/services/svc000000000000000000000a/update': { body: {} },
  });
  const run = await runCli(['service', 'update', '-d', '--network-rm', 'front', '--network-add', 'name=db,alias=pg', 'web'], daemon.dataDir);
  expect(run).toEqual({ exitCode: 0, stdout: 'web\n', stderr: '' });
  const body = daemon.sent[1].body as { spec: ServiceSpec; version: number };
  expect(body.version).toBe(7);
  expect(body.spec.task.networks).toEqual([
    { target: 'b4ck0000000000000000000zz', aliases: [] },
    { target: 'db', aliases: ['pg'] },
  ]);
});

test('update: adding a network the service is on is refused before the update is sent', async () => {
  daemon = await startFakeDaemon({ 'GET /v1/services/web': serviceView(stored()) });
  const run = await runCli(['service', 'update', '--network-add', 'back', 'web'], daemon.dataDir);
  expect(run.stderr).toBe('Error: invalid argument "back" for "--network-add" flag: service is already attached to network back\n');
  expect(daemon.sent.map((r) => r.method)).toEqual(['GET']);
});

test('inspect --pretty names the networks', async () => {
  daemon = await startFakeDaemon({ 'GET /v1/services/web': serviceView(stored()) });
  const run = await runCli(['service', 'inspect', '--pretty', 'web'], daemon.dataDir);
  expect(run.stdout).toContain('\nNetworks: front back\nEndpoint Mode:\tvip\n');
});

test("update: a write that finds the service changed since the read (the leader gave it a VIP) is redone on a fresh read", async () => {
  let reads = 0;
  let writes = 0;
  daemon = await startFakeDaemon({
    'GET /v1/services/web': () => {
      reads++;
      return serviceView({ ...stored(), meta: { ...META, version: 7 + reads } });
    },
    'POST /v1/services/svc000000000000000000000a/update': (body) => {
      writes++;
      if ((body as { version: number }).version === 8) {
        return { status: 409, error: 'cannot update service svc (web): expected version 8 but it is at version 9; it changed since it was read (someone changed it meanwhile; retry)' };
      }
      return { body: {} };
    },
  });
  const run = await runCli(['service', 'update', '-d', '--replicas', '3', 'web'], daemon.dataDir);
  expect(run).toEqual({ exitCode: 0, stdout: 'web\n', stderr: '' });
  expect([reads, writes]).toEqual([2, 2]);
  const last = daemon.sent[daemon.sent.length - 1].body as { spec: ServiceSpec; version: number };
  expect(last.version).toBe(9);
  expect(last.spec.replicas).toBe(3);
});

test('update: another conflict (a port taken) is not retried', async () => {
  daemon = await startFakeDaemon({
    'GET /v1/services/web': serviceView(stored()),
    'POST /v1/services/svc000000000000000000000a/update': { status: 409, error: 'port 8080/tcp is already published by service other' },
  });
  const run = await runCli(['service', 'update', '-d', '--publish-add', '8080:80', 'web'], daemon.dataDir);
  expect(run.exitCode).toBe(1);
  expect(run.stderr).toBe('Error: port 8080/tcp is already published by service other\n');
  expect(daemon.sent.filter((r) => r.method === 'POST')).toHaveLength(1);
});

describe('rollback', () => {
  test('`service rollback` asks the manager to roll back, conditioned on the version read', async () => {
    daemon = await startFakeDaemon({
      'GET /v1/services/web': serviceView(stored()),
      'POST /v1/services/svc000000000000000000000a/rollback': { body: {} },
    });
    const run = await runCli(['service', 'rollback', '-d', 'web'], daemon.dataDir);
    expect(run).toEqual({ exitCode: 0, stdout: 'web\n', stderr: '' });
    expect(daemon.sent[1]).toMatchObject({ method: 'POST', path: '/v1/services/svc000000000000000000000a/rollback', body: { version: 7 } });
  });

  test('`service update --rollback` does the same; with other flags it is refused before anything is sent', async () => {
    daemon = await startFakeDaemon({
      'GET /v1/services/web': serviceView(stored()),
      'POST /v1/services/svc000000000000000000000a/rollback': { status: 400, error: 'service web does not have a previous spec to roll back to' },
    });
    const run = await runCli(['service', 'update', '-d', '--rollback', 'web'], daemon.dataDir);
    expect(run).toMatchObject({ exitCode: 1, stderr: 'Error: service web does not have a previous spec to roll back to\n' });
    const mixed = await runCli(['service', 'update', '-d', '--rollback', '--image', 'x', 'web'], daemon.dataDir);
    expect(mixed).toMatchObject({ exitCode: 1, stderr: 'Error: other flags may not be combined with --rollback\n' });
    expect(daemon.sent.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  test('the progress of an update that pauses ends with the reason, exit 1', async () => {
    const s = stored();
    const paused: Service = { ...s, meta: { ...META, version: 9 }, updateStatus: { state: 'paused', startedAt: '2024-05-01T10:00:00Z', message: 'update paused due to failure or early termination of task abc', sinceVersion: 8 } };
    let reads = 0;
    daemon = await startFakeDaemon({
      'GET /v1/services/web': () => (reads++ === 0 ? serviceView(s) : serviceView(paused)),
      'POST /v1/services/svc000000000000000000000a/update': { body: {} },
      'GET /v1/services/svc000000000000000000000a/progress': serviceView(paused),
    });
    const run = await runCli(['service', 'update', '--image', 'nginx:2', 'web'], daemon.dataDir);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe('Error: service update paused: update paused due to failure or early termination of task abc\n');
  });
});

describe('progress without -d', () => {
  /** The service's one task, in `state`, on the service's current spec. */
  const viewWith = (s: Service, state: 'preparing' | 'running') => ({
    body: {
      service: s,
      tasks: [
        {
          id: 'task00000000000000000000a',
          serviceId: s.id,
          serviceName: 'web',
          slot: 1,
          nodeId: 'node0000000000000000000a',
          spec: s.spec.task,
          ports: s.spec.endpoint.ports,
          specVersion: s.meta.version,
          desiredState: 'running',
          // Long ago: the update monitor period is over once it runs.
          status: { state, timestamp: '2024-05-01T10:00:00Z', message: state },
          meta: META,
        },
      ],
      activeNodeIds: ['node0000000000000000000a'],
      stale: false,
    },
  });

  test("asks only for the service's progress view, less often while nothing changes, and ends once it runs", async () => {
    const s = stored();
    const polls: number[] = [];
    daemon = await startFakeDaemon({
      'POST /v1/services': { body: s },
      [`GET /v1/services/${s.id}/progress`]: () => {
        polls.push(Date.now());
        return viewWith(s, polls.length <= 4 ? 'preparing' : 'running');
      },
    });
    const run = await runCli(['service', 'create', '--name', 'web', 'nginx:1.25'], daemon.dataDir);
    expect(run.exitCode).toBe(0);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe(`verify: Service ${s.id} converged`);
    expect(daemon.sent.filter((r) => r.method === 'GET').every((r) => r.path === `/v1/services/${s.id}/progress`)).toBe(true);
    expect(polls).toHaveLength(5);
    // Nothing changed between the first four answers: 400, 800 ms apart, not 200 (a slower machine only widens the gaps).
    expect(polls[2] - polls[1]).toBeGreaterThanOrEqual(390);
    expect(polls[3] - polls[2]).toBeGreaterThanOrEqual(790);
  });
});

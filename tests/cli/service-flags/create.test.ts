import type { ServiceSpec } from '../../../lib/api/service-types';
import { buildServiceSpec, type CreateOptions } from '../../../lib/cli/service-flags';
import { fakeContext } from './helpers';

const ctx = fakeContext({ 'web.env': '# web\nPORT=80\nMODE=prod\n' }, { TOKEN: 's3cret' });
const build = (opts: CreateOptions, args: string[] = []) => buildServiceSpec(opts, 'nginx:1.25', args, ctx);

describe('service create: defaults', () => {
  test("docker's defaults when no flag is given", () => {
    const expected: ServiceSpec = {
      name: '',
      labels: {},
      task: {
        container: { image: 'nginx:1.25', env: [], labels: {}, mounts: [], stopGracePeriodMs: 10_000 },
        resources: { limits: { nanoCPUs: 0, memoryBytes: 0 }, reservations: { nanoCPUs: 0, memoryBytes: 0 } },
        restartPolicy: { condition: 'any', delayMs: 5000, maxAttempts: 0, windowMs: 0 },
        placement: { constraints: [], preferences: [], maxReplicas: 0 },
        forceUpdate: 0,
      },
      mode: 'replicated',
      replicas: 1,
      endpoint: { mode: 'vip', ports: [] },
    };
    expect(build({})).toEqual(expected);
    // No key holding undefined: specs are stored and compared as JSON.
    expect(JSON.parse(JSON.stringify(build({})))).toEqual(build({}));
  });

  test('commander\'s defaults (empty lists, healthcheck: true) change nothing', () => {
    const commanderDefaults: CreateOptions = {
      env: [],
      envFile: [],
      label: [],
      containerLabel: [],
      constraint: [],
      placementPref: [],
      publish: [],
      mount: [],
      healthcheck: true,
    };
    expect(build(commanderDefaults)).toEqual(build({}));
  });

  test('the words after IMAGE become the container args', () => {
    expect(build({}, ['sh', '-c', 'sleep 1']).task.container.args).toEqual(['sh', '-c', 'sleep 1']);
  });

  test('each call returns a fresh spec', () => {
    const a = build({});
    a.task.restartPolicy.delayMs = 1;
    expect(build({}).task.restartPolicy.delayMs).toBe(5000);
  });
});

describe('service create: every flag', () => {
  test('name, mode, replicas', () => {
    const s = build({ name: 'web', replicas: '3' });
    expect([s.name, s.mode, s.replicas]).toEqual(['web', 'replicated', 3]);
    const g = build({ name: 'agent', mode: 'global' });
    expect([g.mode, g.replicas]).toEqual(['global', 0]);
    expect(build({ mode: 'replicated', replicas: '0' }).replicas).toBe(0);
  });

  test('env: files first, then -e; later values of a name replace earlier ones in place', () => {
    const s = build({ envFile: ['web.env'], env: ['MODE=dev', 'TOKEN', 'NEW=1', 'UNSET'] });
    expect(s.task.container.env).toEqual(['PORT=80', 'MODE=dev', 'TOKEN=s3cret', 'NEW=1', 'UNSET']);
  });

  test('labels and container labels', () => {
    const s = build({ label: ['tier=front', 'owner'], containerLabel: ['com.example.log=json'] });
    expect(s.labels).toEqual({ tier: 'front', owner: '' });
    expect(s.task.container.labels).toEqual({ 'com.example.log': 'json' });
  });

  test('constraints, preferences and max replicas per node', () => {
    const s = build({
      constraint: ['node.role==worker', 'node.labels.zone != east', 'engine.labels.ssd==true'],
      placementPref: ['spread=node.labels.zone', 'spread=node.labels.rack'],
      replicasMaxPerNode: '2',
    });
    expect(s.task.placement).toEqual({
      constraints: ['node.role==worker', 'node.labels.zone != east', 'engine.labels.ssd==true'],
      preferences: [{ spread: 'node.labels.zone' }, { spread: 'node.labels.rack' }],
      maxReplicas: 2,
    });
  });

  test('resources', () => {
    const s = build({ reserveCpu: '0.5', reserveMemory: '64M', limitCpu: '2', limitMemory: '1g' });
    expect(s.task.resources).toEqual({
      reservations: { nanoCPUs: 500_000_000, memoryBytes: 64 * 1024 * 1024 },
      limits: { nanoCPUs: 2_000_000_000, memoryBytes: 1024 ** 3 },
    });
  });

  test('ports, both forms; ingress unless mode=host', () => {
    const s = build({ publish: ['8080:80', '53:53/udp', 'published=9000,target=9000,mode=host', '443'] });
    expect(s.endpoint).toEqual({
      mode: 'vip',
      ports: [
        { protocol: 'tcp', targetPort: 80, publishedPort: 8080, publishMode: 'ingress' },
        { protocol: 'udp', targetPort: 53, publishedPort: 53, publishMode: 'ingress' },
        { protocol: 'tcp', targetPort: 9000, publishedPort: 9000, publishMode: 'host' },
        { protocol: 'tcp', targetPort: 443, publishedPort: 0, publishMode: 'ingress' },
      ],
    });
  });

  test('restart policy and stop grace period', () => {
    const s = build({
      restartCondition: 'on-failure',
      restartDelay: '10s',
      restartMaxAttempts: '3',
      restartWindow: '2m',
      stopGracePeriod: '30s',
    });
    expect(s.task.restartPolicy).toEqual({ condition: 'on-failure', delayMs: 10_000, maxAttempts: 3, windowMs: 120_000 });
    expect(s.task.container.stopGracePeriodMs).toBe(30_000);
    expect(build({ restartCondition: 'none' }).task.restartPolicy).toEqual({
      condition: 'none',
      delayMs: 5000,
      maxAttempts: 0,
      windowMs: 0,
    });
  });

  test('mounts', () => {
    const s = build({ mount: ['type=bind,src=/srv/www,dst=/usr/share/nginx/html,ro', 'source=cache,target=/cache'] });
    expect(s.task.container.mounts).toEqual([
      { type: 'bind', source: '/srv/www', target: '/usr/share/nginx/html', readOnly: true },
      { type: 'volume', source: 'cache', target: '/cache', readOnly: false },
    ]);
  });

  test('workdir, user, hostname, entrypoint (split like a shell)', () => {
    const c = build({ workdir: '/app', user: '1000:1000', hostname: 'web-host', entrypoint: '/bin/sh -c "exec nginx"' }).task
      .container;
    expect([c.dir, c.user, c.hostname, c.command]).toEqual(['/app', '1000:1000', 'web-host', ['/bin/sh', '-c', 'exec nginx']]);
    // Empty values mean "not set", as docker stores "".
    const e = build({ workdir: '', entrypoint: '' }).task.container;
    expect('dir' in e || 'command' in e).toBe(false);
  });

  test('healthcheck: the command runs in a shell, timings in ms', () => {
    const s = build({
      healthCmd: 'curl -f http://localhost/ || exit 1',
      healthInterval: '30s',
      healthTimeout: '3s',
      healthRetries: '5',
      healthStartPeriod: '1m',
    });
    expect(s.task.container.healthcheck).toEqual({
      test: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'],
      intervalMs: 30_000,
      timeoutMs: 3000,
      retries: 5,
      startPeriodMs: 60_000,
    });
  });

  test("timings without a command keep the image's test (an empty test)", () => {
    expect(build({ healthInterval: '10s' }).task.container.healthcheck).toEqual({ test: [], intervalMs: 10_000 });
  });

  test('--no-healthcheck disables the image check', () => {
    expect(build({ healthcheck: false }).task.container.healthcheck).toEqual({ test: ['NONE'] });
  });

  test('endpoint mode, update and rollback configs', () => {
    const s = build({
      endpointMode: 'DNSRR',
      publish: ['published=80,target=80,mode=host'],
      updateParallelism: '2',
      updateDelay: '10s',
      updateFailureAction: 'rollback',
      updateMonitor: '30s',
      updateMaxFailureRatio: '0.25',
      updateOrder: 'start-first',
      rollbackParallelism: '0',
      rollbackFailureAction: 'continue',
    });
    expect(s.endpoint.mode).toBe('dnsrr');
    expect(s.update).toEqual({
      parallelism: 2,
      delayMs: 10_000,
      failureAction: 'rollback',
      monitorMs: 30_000,
      maxFailureRatio: 0.25,
      order: 'start-first',
    });
    // Fields not given come from swarmkit's defaults.
    expect(s.rollback).toEqual({
      parallelism: 0,
      delayMs: 0,
      failureAction: 'continue',
      monitorMs: 5000,
      maxFailureRatio: 0,
      order: 'stop-first',
    });
  });
});

describe('service create: errors, one line naming flag and value', () => {
  test.each<[CreateOptions, string]>([
    [{ mode: 'replicated-job' }, 'invalid argument "replicated-job" for "--mode" flag: unknown mode, only replicated and global are supported'],
    [{ mode: 'global', replicas: '2' }, '--replicas can only be used with replicated mode (this service is global)'],
    [{ mode: 'global', replicasMaxPerNode: '1' }, '--replicas-max-per-node can only be used with replicated mode (this service is global)'],
    [{ replicas: 'three' }, 'invalid argument "three" for "--replicas" flag: must be a non-negative integer'],
    [{ replicasMaxPerNode: '-1' }, 'invalid argument "-1" for "--replicas-max-per-node" flag: must be a non-negative integer'],
    [{ name: 'my web' }, 'invalid argument "my web" for "--name" flag: must be valid as a DNS name component'],
    [{ name: '-web' }, 'invalid argument "-web" for "--name" flag'],
    [{ name: 'a'.repeat(64) }, 'for "--name" flag'],
    [{ env: ['=1'] }, 'invalid argument "=1" for "--env" flag: invalid environment variable: the name is empty'],
    [{ envFile: ['nope.env'] }, 'invalid argument "nope.env" for "--env-file" flag: no such file'],
    [{ label: ['=x'] }, 'invalid argument "=x" for "--label" flag: invalid label: empty name'],
    [{ containerLabel: ['a b'] }, 'invalid argument "a b" for "--container-label" flag'],
    [{ constraint: ['node.role=manager'] }, 'invalid argument "node.role=manager" for "--constraint" flag'],
    [{ constraint: ['node.colour==red'] }, 'invalid argument "node.colour==red" for "--constraint" flag'],
    [{ constraint: ['node.labels.==x'] }, 'invalid argument "node.labels.==x" for "--constraint" flag'],
    [{ placementPref: ['binpack=node.labels.zone'] }, 'invalid argument "binpack=node.labels.zone" for "--placement-pref" flag'],
    [{ placementPref: ['spread'] }, 'invalid argument "spread" for "--placement-pref" flag'],
    [{ placementPref: ['spread=node.colour'] }, 'invalid argument "spread=node.colour" for "--placement-pref" flag'],
    [{ reserveCpu: 'lots' }, 'invalid argument "lots" for "--reserve-cpu" flag'],
    [{ reserveMemory: '64Q' }, `invalid argument "64Q" for "--reserve-memory" flag: invalid suffix: 'q'`],
    [{ limitCpu: '-2' }, 'invalid argument "-2" for "--limit-cpu" flag'],
    [{ limitMemory: 'big' }, 'invalid argument "big" for "--limit-memory" flag'],
    [{ publish: ['8080:80/icmp'] }, 'invalid argument "8080:80/icmp" for "--publish" flag'],
    [{ publish: ['8080:80', '8080:81'] }, 'published port 8080/tcp is given more than once'],
    [{ endpointMode: 'dnsrr', publish: ['8080:80'] }, 'port 8080:80/tcp is published in ingress mode, which cannot be used with --endpoint-mode dnsrr (use mode=host)'],
    [{ endpointMode: 'round-robin' }, 'invalid argument "round-robin" for "--endpoint-mode" flag: must be "vip" or "dnsrr"'],
    [{ restartCondition: 'always' }, 'invalid argument "always" for "--restart-condition" flag: must be "none", "on-failure" or "any"'],
    [{ restartDelay: '5' }, 'invalid argument "5" for "--restart-delay" flag'],
    [{ restartMaxAttempts: 'x' }, 'invalid argument "x" for "--restart-max-attempts" flag'],
    [{ restartWindow: '1d' }, 'invalid argument "1d" for "--restart-window" flag'],
    [{ stopGracePeriod: 'ten' }, 'invalid argument "ten" for "--stop-grace-period" flag'],
    [{ mount: ['type=bind,target=/x'] }, 'invalid argument "type=bind,target=/x" for "--mount" flag'],
    [{ mount: ['target=/x', 'source=v,target=/x'] }, 'duplicate mount point: /x'],
    [{ entrypoint: '"unclosed' }, 'invalid argument ""unclosed" for "--entrypoint" flag: unterminated quote'],
    [{ healthcheck: false, healthCmd: 'true' }, '--no-healthcheck conflicts with --health-* options'],
    [{ healthcheck: false, healthRetries: '3' }, '--no-healthcheck conflicts with --health-* options'],
    [{ healthInterval: '500us' }, 'invalid argument "500us" for "--health-interval" flag: must be 0 or at least 1ms'],
    [{ healthTimeout: 'x' }, 'invalid argument "x" for "--health-timeout" flag'],
    [{ healthStartPeriod: '-1s' }, 'invalid argument "-1s" for "--health-start-period" flag'],
    [{ healthRetries: '-1' }, 'invalid argument "-1" for "--health-retries" flag'],
    [{ updateFailureAction: 'explode' }, 'invalid argument "explode" for "--update-failure-action" flag: must be one of "pause", "continue", "rollback"'],
    [{ rollbackFailureAction: 'rollback' }, 'invalid argument "rollback" for "--rollback-failure-action" flag: must be one of "pause", "continue"'],
    [{ updateOrder: 'random' }, 'invalid argument "random" for "--update-order" flag: must be "start-first" or "stop-first"'],
    [{ rollbackOrder: 'x' }, 'invalid argument "x" for "--rollback-order" flag'],
    [{ updateMaxFailureRatio: '1.5' }, 'invalid argument "1.5" for "--update-max-failure-ratio" flag: must be a number from 0 to 1'],
    [{ rollbackMaxFailureRatio: '' }, 'for "--rollback-max-failure-ratio" flag'],
    [{ updateParallelism: '-1' }, 'invalid argument "-1" for "--update-parallelism" flag'],
    [{ rollbackParallelism: 'x' }, 'for "--rollback-parallelism" flag'],
    [{ updateDelay: '1' }, 'for "--update-delay" flag'],
    [{ updateMonitor: 'x' }, 'for "--update-monitor" flag'],
    [{ rollbackDelay: 'x' }, 'for "--rollback-delay" flag'],
    [{ rollbackMonitor: 'x' }, 'for "--rollback-monitor" flag'],
  ])('%o', (opts, message) => {
    let error: unknown;
    try {
      build(opts);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).not.toContain('\n');
  });

  test('an image is required', () => {
    expect(() => buildServiceSpec({}, ' ', [], ctx)).toThrow('an image is required');
  });

  test('valid names', () => {
    for (const name of ['web', 'my-web_2', 'A1', 'a'.repeat(63), 'a--b']) expect(build({ name }).name).toBe(name);
  });
});

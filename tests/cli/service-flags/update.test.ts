import type { ServiceSpec } from '../../../lib/api/service-types';
import { applyServiceUpdate, buildServiceSpec, isRollbackRequest, type UpdateOptions } from '../../../lib/cli/service-flags';
import { deepFreeze } from '../../../lib/manager/store/deep-freeze';
import { fakeContext } from './helpers';

const ctx = fakeContext({}, { TOKEN: 'from-env' });

/** A service as the store hands it out: frozen, so any mutation would throw. */
function stored(extra: Parameters<typeof buildServiceSpec>[0] = {}): ServiceSpec {
  const spec = buildServiceSpec(
    {
      name: 'web',
      replicas: '2',
      env: ['A=1', 'B=2'],
      label: ['tier=front', 'team=core'],
      containerLabel: ['log=json', 'keep=yes'],
      constraint: ['node.role==worker', 'node.labels.zone==east'],
      placementPref: ['spread=node.labels.zone'],
      publish: ['8080:80', '53:53/udp', 'published=9000,target=9000,mode=host'],
      mount: ['type=bind,src=/srv/a,dst=/a', 'source=cache,target=/cache'],
      ...extra,
    },
    'nginx:1.25',
    ['nginx', '-g', 'daemon off;'],
    ctx,
  );
  return deepFreeze(spec) as ServiceSpec;
}

const update = (opts: UpdateOptions, spec = stored()) => applyServiceUpdate(spec, opts, ctx);

describe('service update: the input stays as it was', () => {
  test('no flags: an equal but separate spec', () => {
    const spec = stored();
    const out = update({}, spec);
    expect(out).toEqual(spec);
    expect(out).not.toBe(spec);
    expect(Object.isFrozen(out)).toBe(false);
  });
  test("commander's defaults for an update change nothing", () => {
    const spec = stored();
    const defaults: UpdateOptions = {
      envAdd: [],
      envRm: [],
      labelAdd: [],
      labelRm: [],
      containerLabelAdd: [],
      containerLabelRm: [],
      constraintAdd: [],
      constraintRm: [],
      placementPrefAdd: [],
      placementPrefRm: [],
      publishAdd: [],
      publishRm: [],
      mountAdd: [],
      mountRm: [],
      healthcheck: true,
    };
    expect(update(defaults, spec)).toEqual(spec);
  });
});

describe('service update: single values', () => {
  test('image, args, replicas, force', () => {
    const out = update({ image: 'nginx:1.26', args: 'nginx -T', replicas: '5', force: true });
    expect(out.task.container.image).toBe('nginx:1.26');
    expect(out.task.container.args).toEqual(['nginx', '-T']);
    expect(out.replicas).toBe(5);
    expect(out.task.forceUpdate).toBe(1);
    expect(update({ force: true }, deepFreeze(out) as ServiceSpec).task.forceUpdate).toBe(2);
    expect('args' in update({ args: '' }).task.container).toBe(false);
  });

  test('resources change only where given', () => {
    const base = stored({ reserveCpu: '1', reserveMemory: '1g', limitCpu: '2', limitMemory: '2g' });
    const out = update({ reserveMemory: '512m', limitCpu: '0.5' }, base);
    expect(out.task.resources).toEqual({
      reservations: { nanoCPUs: 1e9, memoryBytes: 512 * 1024 ** 2 },
      limits: { nanoCPUs: 5e8, memoryBytes: 2 * 1024 ** 3 },
    });
  });

  test('restart policy, stop grace period, container settings, endpoint mode', () => {
    const out = update({
      restartCondition: 'none',
      restartMaxAttempts: '4',
      stopGracePeriod: '1m',
      workdir: '/srv',
      user: 'www',
      hostname: 'h1',
      entrypoint: 'tini --',
      replicasMaxPerNode: '1',
      publishRm: ['80', '53/udp'],
      endpointMode: 'dnsrr',
    });
    expect(out.task.restartPolicy).toEqual({ condition: 'none', delayMs: 5000, maxAttempts: 4, windowMs: 0 });
    expect(out.task.container.stopGracePeriodMs).toBe(60_000);
    expect([out.task.container.dir, out.task.container.user, out.task.container.hostname]).toEqual(['/srv', 'www', 'h1']);
    expect(out.task.container.command).toEqual(['tini', '--']);
    expect(out.task.placement.maxReplicas).toBe(1);
    expect(out.endpoint.mode).toBe('dnsrr');
    // Empty strings clear.
    const cleared = update({ workdir: '', user: '', hostname: '', entrypoint: '' }, deepFreeze(out) as ServiceSpec).task.container;
    expect(['dir', 'user', 'hostname', 'command'].filter((k) => k in cleared)).toEqual([]);
  });

  test('update config: the first flag starts from the defaults, later ones keep the rest', () => {
    const first = update({ updateParallelism: '3' });
    expect(first.update).toEqual({ parallelism: 3, delayMs: 0, failureAction: 'pause', monitorMs: 5000, maxFailureRatio: 0, order: 'stop-first' });
    expect('rollback' in first).toBe(false);
    const second = update({ updateOrder: 'start-first', rollbackMonitor: '1s' }, deepFreeze(first) as ServiceSpec);
    expect(second.update).toEqual({ ...first.update, order: 'start-first' });
    expect(second.rollback?.monitorMs).toBe(1000);
  });
});

describe('service update: healthcheck', () => {
  test('--no-healthcheck, then a --health-* flag starts from an empty test again', () => {
    const off = update({ healthcheck: false });
    expect(off.task.container.healthcheck).toEqual({ test: ['NONE'] });
    const again = update({ healthRetries: '2' }, deepFreeze(off) as ServiceSpec);
    expect(again.task.container.healthcheck).toEqual({ test: [], retries: 2 });
  });
  test('only the given fields change; an empty --health-cmd drops the command', () => {
    const base = stored({ healthCmd: 'true', healthInterval: '5s', healthTimeout: '1s' });
    expect(update({ healthTimeout: '2s' }, base).task.container.healthcheck).toEqual({
      test: ['CMD-SHELL', 'true'],
      intervalMs: 5000,
      timeoutMs: 2000,
    });
    expect(update({ healthCmd: '' }, base).task.container.healthcheck).toEqual({ test: [], intervalMs: 5000, timeoutMs: 1000 });
    expect(() => update({ healthcheck: false, healthInterval: '1s' }, base)).toThrow('--no-healthcheck conflicts with --health-* options');
  });
});

describe('service update: add/rm pairs', () => {
  test('env: rm by name, then add replacing in place', () => {
    const out = update({ envRm: ['A'], envAdd: ['B=3', 'C=4', 'TOKEN'] });
    expect(out.task.container.env).toEqual(['B=3', 'C=4', 'TOKEN=from-env']);
  });

  test('labels and container labels', () => {
    const out = update({
      labelRm: ['team'],
      labelAdd: ['tier=back', 'new'],
      containerLabelRm: ['log'],
      containerLabelAdd: ['x=y'],
    });
    expect(out.labels).toEqual({ tier: 'back', new: '' });
    expect(out.task.container.labels).toEqual({ keep: 'yes', x: 'y' });
  });

  test("constraints: appended, exact matches removed, sorted like docker's", () => {
    const out = update({ constraintAdd: ['node.labels.ssd==true'], constraintRm: ['node.role==worker', 'not==there'] });
    expect(out.task.placement.constraints).toEqual(['node.labels.ssd==true', 'node.labels.zone==east']);
  });

  test('placement preferences: removed by descriptor, added at the end', () => {
    const out = update({ placementPrefAdd: ['spread=node.labels.rack'], placementPrefRm: ['spread=node.labels.zone'] });
    expect(out.task.placement.preferences).toEqual([{ spread: 'node.labels.rack' }]);
    const both = update({ placementPrefAdd: ['spread=node.labels.rack'] });
    expect(both.task.placement.preferences).toEqual([{ spread: 'node.labels.zone' }, { spread: 'node.labels.rack' }]);
  });

  test('ports: rm by target[/proto], published:target, or long form; add skips duplicates; sorted by key', () => {
    expect(update({ publishRm: ['80'] }).endpoint.ports.map((p) => p.targetPort)).toEqual([53, 9000]);
    expect(update({ publishRm: ['53'] }).endpoint.ports.map((p) => p.targetPort)).toEqual([53, 80, 9000]); // tcp 53: none
    expect(update({ publishRm: ['53/udp', '9000'] }).endpoint.ports.map((p) => p.targetPort)).toEqual([80]);
    expect(update({ publishRm: ['8081:80'] }).endpoint.ports).toHaveLength(3); // published differs
    expect(update({ publishRm: ['target=9000,mode=ingress'] }).endpoint.ports).toHaveLength(3); // mode differs
    const out = update({ publishAdd: ['8080:80', '443', 'published=9001,target=9001,mode=host'], publishRm: ['53/udp'] });
    expect(out.endpoint.ports).toEqual([
      { protocol: 'tcp', targetPort: 443, publishedPort: 0, publishMode: 'ingress' },
      { protocol: 'tcp', targetPort: 80, publishedPort: 8080, publishMode: 'ingress' },
      { protocol: 'tcp', targetPort: 9000, publishedPort: 9000, publishMode: 'host' },
      { protocol: 'tcp', targetPort: 9001, publishedPort: 9001, publishMode: 'host' },
    ]);
    // Removing and adding the same port in one go ends with the port.
    expect(update({ publishRm: ['80'], publishAdd: ['8080:80'] }).endpoint.ports).toHaveLength(3);
  });

  test('mounts: an added mount replaces the one at its target, rm by target, sorted by source then target', () => {
    const out = update({ mountAdd: ['type=bind,src=/srv/b,dst=/a,ro', 'source=logs,target=/logs'], mountRm: ['/cache'] });
    expect(out.task.container.mounts).toEqual([
      { type: 'bind', source: '/srv/b', target: '/a', readOnly: true },
      { type: 'volume', source: 'logs', target: '/logs', readOnly: false },
    ]);
  });
});

describe('service update: errors', () => {
  test.each<[UpdateOptions, string]>([
    [{ image: '' }, 'invalid argument "" for "--image" flag: the image may not be empty'],
    [{ args: "'x" }, `invalid argument "'x" for "--args" flag: unterminated quote: no closing '`],
    [{ replicas: 'x' }, 'invalid argument "x" for "--replicas" flag: must be a non-negative integer'],
    [{ envAdd: ['=v'] }, 'invalid argument "=v" for "--env-add" flag'],
    [{ labelAdd: ['=v'] }, 'invalid argument "=v" for "--label-add" flag'],
    [{ labelRm: [''] }, 'invalid argument "" for "--label-rm" flag: the label key is empty'],
    [{ containerLabelAdd: [' =v'] }, 'invalid argument " =v" for "--container-label-add" flag'],
    [{ constraintAdd: ['zone=east'] }, 'invalid argument "zone=east" for "--constraint-add" flag'],
    [{ placementPrefAdd: ['spread='] }, 'invalid argument "spread=" for "--placement-pref-add" flag'],
    [{ placementPrefRm: ['zone'] }, 'invalid argument "zone" for "--placement-pref-rm" flag'],
    [{ publishAdd: ['x:80'] }, 'invalid argument "x:80" for "--publish-add" flag: invalid hostPort: x'],
    [{ publishRm: ['eighty'] }, 'invalid argument "eighty" for "--publish-rm" flag'],
    [{ publishAdd: ['8080:81'] }, 'published port 8080/tcp is given more than once'],
    [{ mountAdd: ['type=bind,dst=/a'] }, 'invalid argument "type=bind,dst=/a" for "--mount-add" flag'],
    [{ mountAdd: ['target=/x', 'source=v,target=/x'] }, 'invalid argument "source=v,target=/x" for "--mount-add" flag: duplicate mount target /x'],
    [{ endpointMode: 'dnsrr' }, 'is published in ingress mode, which cannot be used with --endpoint-mode dnsrr'],
    [{ reserveCpu: '1.2.3' }, 'invalid argument "1.2.3" for "--reserve-cpu" flag'],
    [{ healthRetries: 'many' }, 'invalid argument "many" for "--health-retries" flag'],
  ])('%o', (opts, message) => {
    expect(() => update(opts)).toThrow(message);
  });

  test('--replicas and --replicas-max-per-node are refused on a global service', () => {
    const global = deepFreeze(buildServiceSpec({ name: 'agent', mode: 'global' }, 'agent:1', [], ctx)) as ServiceSpec;
    expect(() => update({ replicas: '3' }, global)).toThrow('--replicas can only be used with replicated mode (this service is global)');
    expect(() => update({ replicasMaxPerNode: '1' }, global)).toThrow('--replicas-max-per-node can only be used with replicated mode');
  });
});

describe('--rollback', () => {
  test('alone it asks for a rollback and changes nothing here', () => {
    expect(isRollbackRequest({ rollback: true, detach: true, quiet: true, healthcheck: true, envAdd: [] })).toBe(true);
    expect(isRollbackRequest({ image: 'x' })).toBe(false);
    const spec = stored();
    expect(update({ rollback: true }, spec)).toEqual(spec);
  });
  test.each<UpdateOptions>([
    { rollback: true, image: 'x' },
    { rollback: true, force: true },
    { rollback: true, healthcheck: false },
    { rollback: true, envAdd: ['A=1'] },
  ])('other spec flags are refused with it: %o', (opts) => {
    expect(() => isRollbackRequest(opts)).toThrow('other flags may not be combined with --rollback');
    expect(() => update(opts)).toThrow('other flags may not be combined with --rollback');
  });
});

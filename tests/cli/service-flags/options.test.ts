import { Command } from 'commander';
import {
  addServiceSpecOptions,
  applyServiceUpdate,
  buildServiceSpec,
  type CreateOptions,
  type UpdateOptions,
} from '../../../lib/cli/service-flags';
import { fakeContext } from './helpers';

/** A `service create IMAGE [ARG...]` command wired the way the CLI would, capturing what commander hands over. */
function parseCreate(argv: string[]): { opts: CreateOptions; image: string; args: string[] } {
  let seen: { opts: CreateOptions; image: string; args: string[] } | undefined;
  const program = new Command().exitOverride().configureOutput({ writeErr: () => undefined }).enablePositionalOptions();
  const create = program
    .command('create')
    .argument('<image>')
    .argument('[args...]')
    .passThroughOptions()
    .action((image: string, args: string[], opts: CreateOptions) => {
      seen = { opts, image, args };
    });
  addServiceSpecOptions(create, 'create');
  program.parse(['node', 'swarm', 'create', ...argv]);
  if (!seen) throw new Error('action not run');
  return seen;
}

function parseUpdate(argv: string[]): UpdateOptions {
  let seen: UpdateOptions | undefined;
  const program = new Command().exitOverride().configureOutput({ writeErr: () => undefined });
  const update = program
    .command('update')
    .argument('<service>')
    .action((_s: string, opts: UpdateOptions) => {
      seen = opts;
    });
  addServiceSpecOptions(update, 'update');
  program.parse(['node', 'swarm', 'update', ...argv]);
  if (!seen) throw new Error('action not run');
  return seen;
}

describe('addServiceSpecOptions on commander', () => {
  test('create: every flag arrives under the name CreateOptions declares', () => {
    const { opts, image, args } = parseCreate([
      '--name', 'web', '--mode', 'replicated', '--replicas', '3', '--replicas-max-per-node', '2',
      '-e', 'A=1', '--env', 'B=2', '--env-file', 'x.env', '-l', 'tier=front', '--label', 'team=core',
      '--container-label', 'log=json', '--constraint', 'node.role==worker', '--placement-pref', 'spread=node.labels.zone',
      '--reserve-cpu', '0.5', '--reserve-memory', '64M', '--limit-cpu', '1', '--limit-memory', '128M',
      '-p', '8080:80', '--publish', 'target=53,protocol=udp', '--restart-condition', 'on-failure', '--restart-delay', '1s',
      '--restart-max-attempts', '3', '--restart-window', '1m', '--stop-grace-period', '20s',
      '--mount', 'type=bind,src=/a,dst=/b', '--network', 'back', '--network', 'name=front,alias=www', '--secret', 'db_pw', '--config', 'source=conf,target=/etc/app.conf', '-w', '/app', '-u', 'www', '--hostname', 'h', '--entrypoint', 'sh -c',
      '--health-cmd', 'true', '--health-interval', '5s', '--health-timeout', '1s', '--health-retries', '2',
      '--health-start-period', '10s', '--endpoint-mode', 'vip', '--update-parallelism', '2', '--update-delay', '1s',
      '--update-failure-action', 'continue', '--update-monitor', '2s', '--update-max-failure-ratio', '0.5',
      '--update-order', 'start-first', '--rollback-parallelism', '1', '--rollback-delay', '1s',
      '--rollback-failure-action', 'pause', '--rollback-monitor', '1s', '--rollback-max-failure-ratio', '0',
      '--rollback-order', 'stop-first', '-d', '-q',
      'nginx:1.25', 'nginx', '-g', 'daemon off;',
    ]);
    expect(image).toBe('nginx:1.25');
    // Options after IMAGE belong to the container.
    expect(args).toEqual(['nginx', '-g', 'daemon off;']);
    expect(opts).toEqual({
      name: 'web', mode: 'replicated', replicas: '3', replicasMaxPerNode: '2',
      env: ['A=1', 'B=2'], envFile: ['x.env'], label: ['tier=front', 'team=core'], containerLabel: ['log=json'],
      constraint: ['node.role==worker'], placementPref: ['spread=node.labels.zone'],
      reserveCpu: '0.5', reserveMemory: '64M', limitCpu: '1', limitMemory: '128M',
      publish: ['8080:80', 'target=53,protocol=udp'], restartCondition: 'on-failure', restartDelay: '1s',
      restartMaxAttempts: '3', restartWindow: '1m', stopGracePeriod: '20s', mount: ['type=bind,src=/a,dst=/b'],
      network: ['back', 'name=front,alias=www'], secret: ['db_pw'], config: ['source=conf,target=/etc/app.conf'],
      workdir: '/app', user: 'www', hostname: 'h', entrypoint: 'sh -c',
      healthCmd: 'true', healthInterval: '5s', healthTimeout: '1s', healthRetries: '2', healthStartPeriod: '10s',
      healthcheck: true, endpointMode: 'vip', updateParallelism: '2', updateDelay: '1s', updateFailureAction: 'continue',
      updateMonitor: '2s', updateMaxFailureRatio: '0.5', updateOrder: 'start-first', rollbackParallelism: '1',
      rollbackDelay: '1s', rollbackFailureAction: 'pause', rollbackMonitor: '1s', rollbackMaxFailureRatio: '0',
      rollbackOrder: 'stop-first', detach: true, quiet: true,
    });
    // And the parser takes them as they come.
    const spec = buildServiceSpec(opts, image, args, fakeContext({ 'x.env': 'C=3\n' }));
    expect(spec.task.container.env).toEqual(['C=3', 'A=1', 'B=2']);
    expect(spec.endpoint.ports).toHaveLength(2);
    expect(spec.task.networks).toEqual([{ target: 'back', aliases: [] }, { target: 'front', aliases: ['www'] }]);
  });

  test('create: --no-healthcheck arrives as healthcheck: false', () => {
    const { opts } = parseCreate(['--no-healthcheck', 'busybox']);
    expect(opts.healthcheck).toBe(false);
    expect(buildServiceSpec(opts, 'busybox', [], fakeContext()).task.container.healthcheck).toEqual({ test: ['NONE'] });
  });

  test('update: the add/rm pairs, image, args, force and rollback', () => {
    const opts = parseUpdate([
      'web', '--image', 'nginx:2', '--args', 'a b', '--force', '--env-add', 'A=1', '--env-rm', 'B',
      '--label-add', 'x=1', '--label-rm', 'y', '--container-label-add', 'c=1', '--container-label-rm', 'd',
      '--constraint-add', 'node.role==manager', '--constraint-rm', 'node.role==worker',
      '--placement-pref-add', 'spread=node.labels.rack', '--placement-pref-rm', 'spread=node.labels.zone',
      '--publish-add', '80:80', '--publish-rm', '8080', '--mount-add', 'target=/v', '--mount-rm', '/old', '--replicas', '2',
      '--network-add', 'name=db,alias=pg', '--network-rm', 'old',
      '--secret-add', 'new_pw', '--secret-rm', 'old_pw', '--config-add', 'new_conf', '--config-rm', 'old_conf',
    ]);
    expect(opts).toEqual({
      image: 'nginx:2', args: 'a b', force: true, envAdd: ['A=1'], envRm: ['B'], labelAdd: ['x=1'], labelRm: ['y'],
      containerLabelAdd: ['c=1'], containerLabelRm: ['d'], constraintAdd: ['node.role==manager'],
      constraintRm: ['node.role==worker'], placementPrefAdd: ['spread=node.labels.rack'],
      placementPrefRm: ['spread=node.labels.zone'], publishAdd: ['80:80'], publishRm: ['8080'], mountAdd: ['target=/v'],
      mountRm: ['/old'], networkAdd: ['name=db,alias=pg'], networkRm: ['old'], replicas: '2', healthcheck: true,
      secretAdd: ['new_pw'], secretRm: ['old_pw'], configAdd: ['new_conf'], configRm: ['old_conf'],
    });
    expect(parseUpdate(['web', '--rollback']).rollback).toBe(true);
    const base = buildServiceSpec({ network: ['old'], secret: ['old_pw'], config: ['old_conf'] }, 'nginx:1', [], fakeContext());
    const updated = applyServiceUpdate(base, opts, fakeContext());
    expect(updated.task.container.image).toBe('nginx:2');
    expect(updated.task.container.secrets?.map((r) => r.secretName)).toEqual(['new_pw']);
    expect(updated.task.container.configs?.map((r) => [r.configName, r.file.name])).toEqual([['new_conf', '/new_conf']]);
    expect(updated.task.networks).toEqual([{ target: 'db', aliases: ['pg'] }]);
  });

  test('each command gets only its own flags', () => {
    expect(() => parseUpdate(['web', '--name', 'x'])).toThrow(/unknown option '--name'/);
    expect(() => parseUpdate(['web', '--env', 'A=1'])).toThrow(/unknown option '--env'/);
    expect(() => parseCreate(['--image', 'x', 'busybox'])).toThrow(/unknown option '--image'/);
    expect(() => parseCreate(['--env-add', 'A=1', 'busybox'])).toThrow(/unknown option '--env-add'/);
    expect(() => parseUpdate(['web', '--network', 'back'])).toThrow(/unknown option '--network'/);
    expect(() => parseCreate(['--network-add', 'back', 'busybox'])).toThrow(/unknown option '--network-add'/);
  });
});

// `service create` options to a ServiceSpec: docker's defaults, then every
// flag, then the checks swarmkit would make. Pure apart from what the
// FlagContext supplies (environment, env files, working directory).

import type { ServiceSpec } from '../../api/service-types';
import { defaultFlagContext, type FlagContext } from './context';
import { defaultServiceSpec } from '../../api/service-defaults';
import { mergeEnv, parseEnvFlag, readEnvFile } from './env';
import { flagError } from './errors';
import { parseLabels } from './labels';
import { parseMount } from './mounts';
import { parseNetworkFlags } from './networks';
import type { CreateOptions } from './options';
import { checkConstraint, parsePlacementPref } from './placement';
import { parsePublish } from './ports';
import { parseConfigFlag, parseSecretFlag } from './secrets';
import { applySingleValueFlags } from './single-value';
import { checkServiceSpec } from './validate';

export function buildServiceSpec(
  opts: CreateOptions,
  image: string,
  args: readonly string[],
  ctx: FlagContext = defaultFlagContext(),
): ServiceSpec {
  const spec = defaultServiceSpec('', image);
  if (opts.name !== undefined) spec.name = opts.name;

  const mode = opts.mode ?? 'replicated';
  if (mode !== 'replicated' && mode !== 'global') {
    throw flagError('mode', mode, 'unknown mode, only replicated and global are supported');
  }
  spec.mode = mode;
  // A global service runs one task per eligible node; its replica count means nothing.
  if (mode === 'global') spec.replicas = 0;

  spec.labels = parseLabels('label', opts.label);
  const container = spec.task.container;
  if (args.length > 0) container.args = [...args];
  container.labels = parseLabels('container-label', opts.containerLabel);
  // Env files first, then -e, a later variable of the same name replacing an earlier one.
  const fromFiles = (opts.envFile ?? []).flatMap((f) => readEnvFile('env-file', f, ctx));
  const fromFlags = (opts.env ?? []).map((e) => parseEnvFlag('env', e, ctx));
  container.env = mergeEnv([], [...fromFiles, ...fromFlags]);
  container.mounts = (opts.mount ?? []).map((m) => parseMount('mount', m, ctx.cwd));

  const placement = spec.task.placement;
  placement.constraints = (opts.constraint ?? []).map((c) => checkConstraint('constraint', c));
  placement.preferences = (opts.placementPref ?? []).map((p) => parsePlacementPref('placement-pref', p));
  spec.endpoint.ports = (opts.publish ?? []).flatMap((p) => parsePublish('publish', p));
  const networks = parseNetworkFlags('network', opts.network);
  // Left out when empty, so a spec without networks stays as it was before networks existed.
  if (networks.length > 0) spec.task.networks = networks;

  // Left out when empty, like networks; the manager puts in the ids and refuses two at one target.
  const secrets = (opts.secret ?? []).map((v) => parseSecretFlag('secret', v));
  if (secrets.length > 0) container.secrets = secrets;
  const configs = (opts.config ?? []).map((v) => parseConfigFlag('config', v));
  if (configs.length > 0) container.configs = configs;

  applySingleValueFlags(spec, opts);
  checkServiceSpec(spec);
  return spec;
}

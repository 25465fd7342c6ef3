// `service update` options applied to the current spec, docker's way: each
// -rm flag before its -add flag, single-value flags only where given, and a
// new spec returned (the stored one is frozen and must stay as it was).

import type { Mount, ServiceSpec } from '../../api/service-types';
import { defaultFlagContext, type FlagContext } from './context';
import { mergeEnv, parseEnvFlag, removeEnv } from './env';
import { flagError } from './errors';
import { updateLabels } from './labels';
import { parseMount } from './mounts';
import { updateNetworks } from './networks';
import { updateConfigRefs, updateSecretRefs } from './secrets';
import type { UpdateOptions } from './options';
import { checkConstraint, parsePlacementPref } from './placement';
import { dedupePorts, parsePublish, parsePublishRm, portKey, portMatches } from './ports';
import { applySingleValueFlags, parseCommandWords, setOptional } from './single-value';
import { checkServiceSpec } from './validate';

/** Options that only steer the command (waiting, output), never the spec. */
const NOT_SPEC_FLAGS = new Set<string>(['detach', 'quiet', 'rollback']);

/** True when some option other than -d/-q/--rollback was given. */
function anySpecFlag(opts: UpdateOptions): boolean {
  return Object.entries(opts).some(([key, value]) => {
    if (NOT_SPEC_FLAGS.has(key) || value === undefined) return false;
    if (Array.isArray(value)) return value.length > 0;
    // commander leaves healthcheck true unless --no-healthcheck; force is false unless given.
    if (key === 'healthcheck') return value === false;
    if (key === 'force') return value === true;
    return true;
  });
}

/**
 * Whether the command asks for a rollback to the previous spec, which the
 * manager performs; refused, as in docker, when combined with spec flags.
 */
export function isRollbackRequest(opts: UpdateOptions): boolean {
  if (!opts.rollback) return false;
  if (anySpecFlag(opts)) throw new Error('other flags may not be combined with --rollback');
  return true;
}

function updateMounts(current: readonly Mount[], opts: UpdateOptions, cwd: string): Mount[] {
  const added = new Map<string, Mount>();
  for (const text of opts.mountAdd ?? []) {
    const m = parseMount('mount-add', text, cwd);
    if (added.has(m.target)) throw flagError('mount-add', text, `duplicate mount target ${m.target}`);
    added.set(m.target, m);
  }
  const byTarget = new Map(added);
  for (const m of current) if (!byTarget.has(m.target)) byTarget.set(m.target, m);
  const removed = new Set(opts.mountRm ?? []);
  // docker's order: by source, then target.
  return [...byTarget.values()]
    .filter((m) => !removed.has(m.target))
    .sort((a, b) => (a.source === b.source ? cmp(a.target, b.target) : cmp(a.source, b.source)));
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * `networkNames` maps the network ids stored in the spec's attachments to
 * their names (the manager's service view carries it), so --network-rm and
 * --network-add can be given names.
 */
export function applyServiceUpdate(
  current: ServiceSpec,
  opts: UpdateOptions,
  ctx: FlagContext = defaultFlagContext(),
  networkNames: Readonly<Record<string, string>> = {},
): ServiceSpec {
  if (isRollbackRequest(opts)) return structuredClone(current);
  const spec = structuredClone(current);
  const task = spec.task;
  const container = task.container;

  spec.labels = updateLabels(spec.labels, 'label-rm', opts.labelRm, 'label-add', opts.labelAdd);
  container.labels = updateLabels(container.labels, 'container-label-rm', opts.containerLabelRm, 'container-label-add', opts.containerLabelAdd);
  if (opts.image !== undefined) {
    if (opts.image.trim() === '') throw flagError('image', opts.image, 'the image may not be empty');
    container.image = opts.image;
  }
  if (opts.args !== undefined) setOptional(container, 'args', parseCommandWords('args', opts.args));

  const envRm = opts.envRm ?? [];
  const envAdd = (opts.envAdd ?? []).map((e) => parseEnvFlag('env-add', e, ctx));
  if (envRm.length > 0 || envAdd.length > 0) container.env = mergeEnv(removeEnv(container.env, envRm), envAdd);

  if ((opts.mountAdd ?? []).length > 0 || (opts.mountRm ?? []).length > 0) {
    container.mounts = updateMounts(container.mounts, opts, ctx.cwd);
  }

  const placement = task.placement;
  const constraintAdd = (opts.constraintAdd ?? []).map((c) => checkConstraint('constraint-add', c));
  const constraintRm = new Set(opts.constraintRm ?? []);
  if (constraintAdd.length > 0 || constraintRm.size > 0) {
    // docker appends, removes exact matches, then sorts.
    placement.constraints = [...placement.constraints, ...constraintAdd].filter((c) => !constraintRm.has(c)).sort(cmp);
  }
  const prefRm = (opts.placementPrefRm ?? []).map((p) => parsePlacementPref('placement-pref-rm', p).spread);
  const prefAdd = (opts.placementPrefAdd ?? []).map((p) => parsePlacementPref('placement-pref-add', p));
  if (prefRm.length > 0 || prefAdd.length > 0) {
    placement.preferences = [...placement.preferences.filter((p) => !prefRm.includes(p.spread)), ...prefAdd];
  }

  const publishRm = (opts.publishRm ?? []).flatMap((p) => parsePublishRm('publish-rm', p));
  const publishAdd = (opts.publishAdd ?? []).flatMap((p) => parsePublish('publish-add', p));
  if (publishRm.length > 0 || publishAdd.length > 0) {
    const kept = dedupePorts(spec.endpoint.ports).filter((p) => !publishRm.some((m) => portMatches(p, m)));
    const keys = new Set(kept.map(portKey));
    const added = dedupePorts(publishAdd).filter((p) => !keys.has(portKey(p)));
    // docker sorts by the text of the key, "8080:80/tcp/ingress".
    spec.endpoint.ports = [...kept, ...added].sort((a, b) => cmp(portKey(a), portKey(b)));
  }

  if ((opts.networkRm ?? []).length > 0 || (opts.networkAdd ?? []).length > 0) {
    const networks = updateNetworks(task.networks ?? [], opts.networkRm, opts.networkAdd, networkNames);
    if (networks.length > 0) task.networks = networks;
    else delete task.networks;
  }

  if ((opts.secretRm ?? []).length > 0 || (opts.secretAdd ?? []).length > 0) {
    const secrets = updateSecretRefs(container.secrets ?? [], opts.secretRm, opts.secretAdd);
    if (secrets.length > 0) container.secrets = secrets;
    else delete container.secrets;
  }
  if ((opts.configRm ?? []).length > 0 || (opts.configAdd ?? []).length > 0) {
    const configs = updateConfigRefs(container.configs ?? [], opts.configRm, opts.configAdd);
    if (configs.length > 0) container.configs = configs;
    else delete container.configs;
  }

  applySingleValueFlags(spec, opts);
  if (opts.force) task.forceUpdate += 1;
  checkServiceSpec(spec);
  return spec;
}

// The flags create and update share that set one value each (replicas,
// resources, restart policy, container settings, healthcheck, endpoint mode,
// update and rollback configs). Creating a service is applying them to the
// default spec, so both commands read them the same way.

import type { RestartCondition, ServiceSpec } from '../../api/service-types';
import { flagError } from './errors';
import { applyHealthFlags } from './health';
import { parseCount, parseFlagDuration, parseMemoryBytes, parseNanoCpus } from './numbers';
import type { CommonServiceOptions } from './options';
import { splitShellWords } from '../../util/shell-words';
import { applyRollbackConfigFlags, applyUpdateConfigFlags } from './update-config';
import { applyAutoscaleFlags } from './autoscale';

const RESTART_CONDITIONS: readonly RestartCondition[] = ['none', 'on-failure', 'any'];

/** A --entrypoint/--args value split into words; empty means "none". */
export function parseCommandWords(flag: string, value: string): string[] | undefined {
  let words: string[];
  try {
    words = splitShellWords(value);
  } catch (e) {
    throw flagError(flag, value, (e as Error).message);
  }
  return words.length === 0 ? undefined : words;
}

/**
 * Sets an optional field, deleting it for undefined: specs are compared and
 * stored as JSON, where a key holding undefined is noise.
 */
export function setOptional<T extends object, K extends keyof T>(obj: T, key: K, value: T[K] | undefined): void {
  if (value === undefined) delete obj[key];
  else obj[key] = value;
}

/** An empty string clears an optional text field, as docker stores "" for "not set". */
const optionalText = (v: string): string | undefined => (v === '' ? undefined : v);

/** Applies the shared flags to `spec` in place; the caller passes its own copy. */
export function applySingleValueFlags(spec: ServiceSpec, o: CommonServiceOptions & { autoscaleOff?: boolean }): void {
  const task = spec.task;
  const container = task.container;

  if (o.replicas !== undefined) {
    if (spec.mode === 'global') throw new Error('--replicas can only be used with replicated mode (this service is global)');
    spec.replicas = parseCount('replicas', o.replicas);
  }
  if (o.replicasMaxPerNode !== undefined) {
    if (spec.mode === 'global') {
      throw new Error('--replicas-max-per-node can only be used with replicated mode (this service is global)');
    }
    task.placement.maxReplicas = parseCount('replicas-max-per-node', o.replicasMaxPerNode);
  }

  const resources = task.resources;
  if (o.reserveCpu !== undefined) resources.reservations.nanoCPUs = parseNanoCpus('reserve-cpu', o.reserveCpu);
  if (o.reserveMemory !== undefined) resources.reservations.memoryBytes = parseMemoryBytes('reserve-memory', o.reserveMemory);
  if (o.limitCpu !== undefined) resources.limits.nanoCPUs = parseNanoCpus('limit-cpu', o.limitCpu);
  if (o.limitMemory !== undefined) resources.limits.memoryBytes = parseMemoryBytes('limit-memory', o.limitMemory);

  const restart = task.restartPolicy;
  if (o.restartCondition !== undefined) {
    const c = o.restartCondition as RestartCondition;
    if (!RESTART_CONDITIONS.includes(c)) {
      throw flagError('restart-condition', o.restartCondition, 'must be "none", "on-failure" or "any"');
    }
    restart.condition = c;
  }
  if (o.restartDelay !== undefined) restart.delayMs = parseFlagDuration('restart-delay', o.restartDelay);
  if (o.restartMaxAttempts !== undefined) restart.maxAttempts = parseCount('restart-max-attempts', o.restartMaxAttempts);
  if (o.restartWindow !== undefined) restart.windowMs = parseFlagDuration('restart-window', o.restartWindow);

  if (o.stopGracePeriod !== undefined) container.stopGracePeriodMs = parseFlagDuration('stop-grace-period', o.stopGracePeriod);
  if (o.workdir !== undefined) setOptional(container, 'dir', optionalText(o.workdir));
  if (o.user !== undefined) setOptional(container, 'user', optionalText(o.user));
  if (o.hostname !== undefined) setOptional(container, 'hostname', optionalText(o.hostname));
  if (o.entrypoint !== undefined) setOptional(container, 'command', parseCommandWords('entrypoint', o.entrypoint));
  setOptional(container, 'healthcheck', applyHealthFlags(container.healthcheck, o));

  if (o.endpointMode !== undefined) {
    const mode = o.endpointMode.toLowerCase();
    if (mode !== 'vip' && mode !== 'dnsrr') throw flagError('endpoint-mode', o.endpointMode, 'must be "vip" or "dnsrr"');
    spec.endpoint.mode = mode;
  }

  setOptional(spec, 'update', applyUpdateConfigFlags(spec.update, o));
  setOptional(spec, 'rollback', applyRollbackConfigFlags(spec.rollback, o));
  applyAutoscaleFlags(spec, o);
}

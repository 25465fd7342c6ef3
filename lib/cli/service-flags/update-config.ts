// --update-* and --rollback-*: how `service update` replaces tasks and how a
// rollback does. Given flags change only their field; the first such flag on
// a service without a config starts from swarmkit's defaults, as in docker.

import type { UpdateConfig } from '../../api/service-types';
import { DEFAULT_ROLLBACK_CONFIG, DEFAULT_UPDATE_CONFIG } from '../../api/service-defaults';
import { flagError } from './errors';
import { parseCount, parseFlagDuration } from './numbers';
import type { CommonServiceOptions } from './options';

interface Fields {
  parallelism?: string;
  delay?: string;
  failureAction?: string;
  monitor?: string;
  maxFailureRatio?: string;
  order?: string;
}

function parseRatio(flag: string, value: string): number {
  const n = Number(value.trim());
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) {
    throw flagError(flag, value, 'must be a number from 0 to 1');
  }
  return n;
}

function apply(
  prefix: 'update' | 'rollback',
  current: UpdateConfig | undefined,
  defaults: Readonly<UpdateConfig>,
  f: Fields,
  actions: readonly UpdateConfig['failureAction'][],
): UpdateConfig | undefined {
  if (Object.values(f).every((v) => v === undefined)) return current;
  const next: UpdateConfig = { ...(current ?? defaults) };
  if (f.parallelism !== undefined) next.parallelism = parseCount(`${prefix}-parallelism`, f.parallelism);
  if (f.delay !== undefined) next.delayMs = parseFlagDuration(`${prefix}-delay`, f.delay);
  if (f.monitor !== undefined) next.monitorMs = parseFlagDuration(`${prefix}-monitor`, f.monitor);
  if (f.maxFailureRatio !== undefined) {
    next.maxFailureRatio = parseRatio(`${prefix}-max-failure-ratio`, f.maxFailureRatio);
  }
  if (f.failureAction !== undefined) {
    const a = f.failureAction as UpdateConfig['failureAction'];
    if (!actions.includes(a)) {
      throw flagError(`${prefix}-failure-action`, f.failureAction, `must be one of ${actions.map((x) => `"${x}"`).join(', ')}`);
    }
    next.failureAction = a;
  }
  if (f.order !== undefined) {
    if (f.order !== 'start-first' && f.order !== 'stop-first') {
      throw flagError(`${prefix}-order`, f.order, 'must be "start-first" or "stop-first"');
    }
    next.order = f.order;
  }
  return next;
}

export function applyUpdateConfigFlags(current: UpdateConfig | undefined, o: CommonServiceOptions): UpdateConfig | undefined {
  return apply(
    'update',
    current,
    DEFAULT_UPDATE_CONFIG,
    {
      parallelism: o.updateParallelism,
      delay: o.updateDelay,
      failureAction: o.updateFailureAction,
      monitor: o.updateMonitor,
      maxFailureRatio: o.updateMaxFailureRatio,
      order: o.updateOrder,
    },
    ['pause', 'continue', 'rollback'],
  );
}

export function applyRollbackConfigFlags(current: UpdateConfig | undefined, o: CommonServiceOptions): UpdateConfig | undefined {
  return apply(
    'rollback',
    current,
    DEFAULT_ROLLBACK_CONFIG,
    {
      parallelism: o.rollbackParallelism,
      delay: o.rollbackDelay,
      failureAction: o.rollbackFailureAction,
      monitor: o.rollbackMonitor,
      maxFailureRatio: o.rollbackMaxFailureRatio,
      order: o.rollbackOrder,
    },
    // A rollback that fails cannot roll back again.
    ['pause', 'continue'],
  );
}

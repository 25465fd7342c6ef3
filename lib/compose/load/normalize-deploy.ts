import { parseMemoryBytes } from '../../util/units';
import type { PathSegment } from '../errors';
import type { Dict } from '../plain';
import { goFloatText } from '../plain';
import type { DeployConfig, HealthCheckConfig, RestartPolicyConfig, UpdateConfig } from '../types';
import type { FileContext } from './context';
import { parseComposeDuration } from './durations';
import { dict, field, num, optNumber, str, stringMap } from './values';

// The `deploy` section and the other timing values of a service, typed as
// docker types them: durations to milliseconds, memory sizes to bytes
// (go-units RAMInBytes: 1024-based, "64M" is 67108864), CPUs kept as
// written (they are validated when converted, as docker does).

/** A duration field: undefined when absent or bad (the bad one is reported). */
export function durationAt(ctx: FileContext, d: Dict, key: string, path: PathSegment[]): number | undefined {
  const v = field(d, key);
  if (v === undefined || v === null) return undefined;
  const ms = parseComposeDuration(str(v));
  if (typeof ms === 'string') {
    ctx.issue([...path, key], ms);
    return undefined;
  }
  return ms;
}

/** A memory size as bytes; 0 when absent or bad (the bad one is reported). */
function sizeAt(ctx: FileContext, d: Dict, key: string, path: PathSegment[]): number {
  const v = field(d, key);
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return Math.trunc(v);
  try {
    return parseMemoryBytes(str(v));
  } catch {
    ctx.issue([...path, key], `invalid size: '${str(v)}' (use a number of bytes or a unit such as 512M or 1G)`);
    return 0;
  }
}

function cpusAt(d: Dict): string {
  const v = field(d, 'cpus');
  return typeof v === 'number' ? goFloatText(v) : str(v);
}

function updateConfig(ctx: FileContext, v: unknown, path: PathSegment[]): UpdateConfig | undefined {
  if (v === undefined || v === null) return undefined;
  const d = dict(v);
  return {
    parallelism: optNumber(field(d, 'parallelism')),
    delayMs: durationAt(ctx, d, 'delay', path) ?? 0,
    failure_action: str(field(d, 'failure_action')),
    monitorMs: durationAt(ctx, d, 'monitor', path) ?? 0,
    max_failure_ratio: num(field(d, 'max_failure_ratio')),
    order: str(field(d, 'order')),
  };
}

function restartPolicy(ctx: FileContext, v: unknown, path: PathSegment[]): RestartPolicyConfig | undefined {
  if (v === undefined || v === null) return undefined;
  const d = dict(v);
  return {
    condition: str(field(d, 'condition')),
    delayMs: durationAt(ctx, d, 'delay', path),
    max_attempts: optNumber(field(d, 'max_attempts')),
    windowMs: durationAt(ctx, d, 'window', path),
  };
}

export function normalizeDeploy(ctx: FileContext, v: unknown, path: PathSegment[]): DeployConfig {
  const d = dict(v);
  const resources = dict(field(d, 'resources'));
  const placement = dict(field(d, 'placement'));
  const rPath = [...path, 'resources'];
  const limitsRaw = field(resources, 'limits');
  const reservationsRaw = field(resources, 'reservations');
  const limits = limitsRaw === undefined || limitsRaw === null ? undefined : dict(limitsRaw);
  const reservations = reservationsRaw === undefined || reservationsRaw === null ? undefined : dict(reservationsRaw);
  const generic = field(reservations ?? {}, 'generic_resources');
  return {
    mode: str(field(d, 'mode')),
    replicas: optNumber(field(d, 'replicas')),
    labels: stringMap(field(d, 'labels')),
    update_config: updateConfig(ctx, field(d, 'update_config'), [...path, 'update_config']),
    rollback_config: updateConfig(ctx, field(d, 'rollback_config'), [...path, 'rollback_config']),
    resources: {
      limits: limits && {
        cpus: cpusAt(limits),
        memoryBytes: sizeAt(ctx, limits, 'memory', [...rPath, 'limits']),
        pids: num(field(limits, 'pids')),
      },
      reservations: reservations && {
        cpus: cpusAt(reservations),
        memoryBytes: sizeAt(ctx, reservations, 'memory', [...rPath, 'reservations']),
        generic_resources: (Array.isArray(generic) ? generic : []).map((g) => {
          const spec = field(dict(g), 'discrete_resource_spec');
          if (spec === undefined || spec === null) return {};
          const s = dict(spec);
          return { discrete_resource_spec: { kind: str(field(s, 'kind')), value: num(field(s, 'value')) } };
        }),
      },
    },
    restart_policy: restartPolicy(ctx, field(d, 'restart_policy'), [...path, 'restart_policy']),
    placement: {
      constraints: (Array.isArray(field(placement, 'constraints')) ? (field(placement, 'constraints') as unknown[]) : []).map(str),
      preferences: (Array.isArray(field(placement, 'preferences')) ? (field(placement, 'preferences') as unknown[]) : []).map((p) => ({
        spread: str(field(dict(p), 'spread')),
      })),
      max_replicas_per_node: num(field(placement, 'max_replicas_per_node')),
    },
    endpoint_mode: str(field(d, 'endpoint_mode')),
  };
}

export function normalizeHealthcheck(ctx: FileContext, v: unknown, path: PathSegment[]): HealthCheckConfig | undefined {
  if (v === undefined || v === null) return undefined;
  const d = dict(v);
  const test = field(d, 'test');
  return {
    test: typeof test === 'string' ? ['CMD-SHELL', test] : Array.isArray(test) ? test.map(str) : [],
    timeoutMs: durationAt(ctx, d, 'timeout', path),
    intervalMs: durationAt(ctx, d, 'interval', path),
    retries: optNumber(field(d, 'retries')),
    startPeriodMs: durationAt(ctx, d, 'start_period', path),
    startIntervalMs: durationAt(ctx, d, 'start_interval', path),
    disable: field(d, 'disable') === true,
  };
}

// The autoscale policy of a compose service. Docker's compose schemas allow no
// extension key inside `deploy`, but a service takes `x-*` keys (format 3.7
// and later), so the policy is written as a service's `x-autoscale`:
//
//   x-autoscale: {min: 1, max: 5, cpu: 70, memory: "80%", down_delay: 5m, up_delay: 0s}
//
// and the same file still deploys on docker (which ignores it). Every
// mistake is reported at its place in the file, with the same rules the CLI
// and the manager apply (lib/api/autoscale-policy.ts).

import { autoscalePolicyProblem } from '../../api/autoscale-policy';
import { DEFAULT_AUTOSCALE_DOWN_DELAY_MS, DEFAULT_AUTOSCALE_UP_DELAY_MS } from '../../api/service-defaults';
import type { AutoscalePolicy, ServiceSpec } from '../../api/service-types';
import type { PathSegment } from '../errors';
import { isDict } from '../plain';
import { parseComposeDuration } from '../load/durations';
import type { ServiceConfig } from '../types';

export const AUTOSCALE_KEY = 'x-autoscale';
const KEYS = ['min', 'max', 'cpu', 'memory', 'down_delay', 'up_delay'];

export interface AutoscaleError {
  path: PathSegment[];
  message: string;
}

function count(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
}

function percent(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v.trim().replace(/%$/, '')) : NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** Sets spec.autoscale (and, without deploy.replicas, the replicas) from the service's x-autoscale; returns what is wrong. */
export function convertAutoscale(s: ServiceConfig, spec: ServiceSpec): AutoscaleError[] {
  const raw = s.extras[AUTOSCALE_KEY];
  if (raw === undefined || raw === null) return [];
  const at: PathSegment[] = ['services', s.name, AUTOSCALE_KEY];
  if (!isDict(raw)) return [{ path: at, message: 'must be a mapping: {min: N, max: M, cpu: PERCENT, memory: PERCENT, down_delay: DURATION, up_delay: DURATION}' }];
  const errors: AutoscaleError[] = [];
  for (const k of Object.keys(raw)) if (!KEYS.includes(k)) errors.push({ path: [...at, k], message: `unknown key: use ${KEYS.join(', ')}` });

  const policy: AutoscalePolicy = { min: 1, max: 0, downDelayMs: DEFAULT_AUTOSCALE_DOWN_DELAY_MS, upDelayMs: DEFAULT_AUTOSCALE_UP_DELAY_MS };
  for (const k of ['min', 'max'] as const) {
    if (raw[k] === undefined) continue;
    const n = count(raw[k]);
    if (n === undefined) errors.push({ path: [...at, k], message: `must be a whole number of replicas, not ${JSON.stringify(raw[k])}` });
    else policy[k] = n;
  }
  if (raw.max === undefined) errors.push({ path: at, message: 'max is required: the most replicas the autoscaler may set' });
  for (const [k, field] of [
    ['cpu', 'cpuPercent'],
    ['memory', 'memoryPercent'],
  ] as const) {
    if (raw[k] === undefined) continue;
    const n = percent(raw[k]);
    if (n === undefined) errors.push({ path: [...at, k], message: `must be a percent greater than 0 (70 or "70%"), not ${JSON.stringify(raw[k])}` });
    else policy[field] = n;
  }
  for (const [k, field] of [
    ['down_delay', 'downDelayMs'],
    ['up_delay', 'upDelayMs'],
  ] as const) {
    if (raw[k] === undefined) continue;
    const ms = typeof raw[k] === 'string' ? parseComposeDuration(raw[k]) : `must be a duration such as 5m or 30s, not ${JSON.stringify(raw[k])}`;
    if (typeof ms === 'string') errors.push({ path: [...at, k], message: ms });
    else policy[field] = ms;
  }
  if (errors.length > 0) return errors;

  spec.autoscale = policy;
  if (s.deploy.replicas === undefined && policy.min <= policy.max) spec.replicas = Math.min(Math.max(spec.replicas, policy.min), policy.max);
  const problem = autoscalePolicyProblem(spec);
  if (problem) {
    const where = /^replicas /.test(problem) ? ['services', s.name, 'deploy', 'replicas'] : /^autoscaling needs a replicated/.test(problem) ? ['services', s.name, 'deploy', 'mode'] : at;
    return [{ path: where, message: problem }];
  }
  return [];
}

// --autoscale-*: the policy by which the leader sets replicas by load. Given
// flags change only their field; the first on a service without a policy
// starts from min 1 and the default delays, and needs --autoscale-max and a
// target. Without --replicas, replicas are brought within the new bounds, so
// `--autoscale-min 2` on a service at 1 is not refused for its old count.

import type { AutoscalePolicy, ServiceSpec } from '../../api/service-types';
import { DEFAULT_AUTOSCALE_DOWN_DELAY_MS, DEFAULT_AUTOSCALE_UP_DELAY_MS } from '../../api/service-defaults';
import { flagError } from './errors';
import { parseCount, parseFlagDuration } from './numbers';
import type { CommonServiceOptions, UpdateOptions } from './options';

/** "50", "50%", "150.5": a percent greater than 0. */
function parsePercent(flag: string, value: string): number {
  const text = value.trim().replace(/%$/, '');
  const n = Number(text);
  if (text === '' || !Number.isFinite(n) || n <= 0) throw flagError(flag, value, 'must be a percent greater than 0, e.g. 70 or 70%');
  return n;
}

const POLICY_FLAGS = ['autoscaleMin', 'autoscaleMax', 'autoscaleCpu', 'autoscaleMemory', 'autoscaleDownDelay', 'autoscaleUpDelay'] as const;

/** Applies the --autoscale-* flags to `spec` in place (after --replicas). */
export function applyAutoscaleFlags(spec: ServiceSpec, o: CommonServiceOptions & Pick<UpdateOptions, 'autoscaleOff'>): void {
  const given = POLICY_FLAGS.filter((k) => o[k] !== undefined);
  if (o.autoscaleOff) {
    if (given.length > 0) throw new Error('--autoscale-off cannot be combined with other --autoscale-* flags');
    delete spec.autoscale;
    return;
  }
  if (given.length === 0) return;
  if (spec.mode !== 'replicated') throw new Error('--autoscale-* can only be used with replicated mode (this service is global)');
  const fresh = spec.autoscale === undefined;
  const next: Partial<AutoscalePolicy> = spec.autoscale
    ? { ...spec.autoscale }
    : { min: 1, downDelayMs: DEFAULT_AUTOSCALE_DOWN_DELAY_MS, upDelayMs: DEFAULT_AUTOSCALE_UP_DELAY_MS };
  if (o.autoscaleMin !== undefined) next.min = parseCount('autoscale-min', o.autoscaleMin);
  if (o.autoscaleMax !== undefined) next.max = parseCount('autoscale-max', o.autoscaleMax);
  if (o.autoscaleCpu !== undefined) next.cpuPercent = parsePercent('autoscale-cpu', o.autoscaleCpu);
  if (o.autoscaleMemory !== undefined) next.memoryPercent = parsePercent('autoscale-memory', o.autoscaleMemory);
  if (o.autoscaleDownDelay !== undefined) next.downDelayMs = parseFlagDuration('autoscale-down-delay', o.autoscaleDownDelay);
  if (o.autoscaleUpDelay !== undefined) next.upDelayMs = parseFlagDuration('autoscale-up-delay', o.autoscaleUpDelay);
  if (next.max === undefined) throw new Error(`--autoscale-max is required ${fresh ? 'to turn autoscaling on' : ''}`.trim());
  if (next.cpuPercent === undefined && next.memoryPercent === undefined) {
    throw new Error('autoscaling needs a target: --autoscale-cpu PERCENT, --autoscale-memory PERCENT, or both');
  }
  const policy = next as AutoscalePolicy;
  spec.autoscale = policy;
  if (o.replicas === undefined && policy.min <= policy.max) spec.replicas = Math.min(Math.max(spec.replicas, policy.min), policy.max);
}

// What makes an autoscale policy usable on a spec, checked in one place by
// the CLI (before anything is sent), the manager (whatever the client) and the
// compose loader's conversion, so all three refuse the same things alike.

import type { ServiceSpec } from './service-types';

/** The first thing wrong with the spec's autoscale policy, worded for the operator; undefined when none. */
export function autoscalePolicyProblem(spec: Pick<ServiceSpec, 'mode' | 'replicas' | 'autoscale' | 'task'>): string | undefined {
  const p = spec.autoscale;
  if (!p) return undefined;
  if (spec.mode !== 'replicated') return 'autoscaling needs a replicated service (a global service runs one task per node)';
  if (!Number.isInteger(p.min) || p.min < 1) {
    return `autoscale min ${p.min} must be an integer of at least 1: the autoscaler measures running tasks, and a service at 0 has none`;
  }
  if (!Number.isInteger(p.max) || p.max < p.min) return `autoscale max ${p.max} must be an integer of at least min (${p.min})`;
  if (p.cpuPercent === undefined && p.memoryPercent === undefined) return 'autoscaling needs a target: a cpu percent, a memory percent, or both';
  for (const [what, v] of [
    ['cpu', p.cpuPercent],
    ['memory', p.memoryPercent],
  ] as const) {
    if (v !== undefined && !(Number.isFinite(v) && v > 0)) return `autoscale ${what} target ${v} must be a percent greater than 0`;
  }
  const r = spec.task.resources;
  if (p.memoryPercent !== undefined && r.reservations.memoryBytes <= 0 && r.limits.memoryBytes <= 0) {
    return 'an autoscale memory target is a percent of the memory reservation or limit: set one (--reserve-memory or --limit-memory)';
  }
  if (!(p.downDelayMs >= 0) || !(p.upDelayMs >= 0)) return 'autoscale delays must not be negative';
  if (spec.replicas < p.min || spec.replicas > p.max) return `replicas ${spec.replicas} is outside the autoscale bounds ${p.min} to ${p.max}`;
  return undefined;
}

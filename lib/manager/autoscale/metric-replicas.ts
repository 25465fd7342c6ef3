// How many replicas one resource metric asks for, on the rules of Kubernetes'
// horizontal pod autoscaler: ReplicaCalculator.GetResourceReplicas in
// kubernetes/pkg/controller/podautoscaler/replica_calculator.go, and the
// algorithm described at
// https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#algorithm-details
//
//   desired = ceil(ready tasks × utilization / target), where utilization is
//   the ready tasks' total use over their total capacity; nothing changes
//   when utilization is within the tolerance (10 %) of the target.
//
// Tasks are grouped as the HPA groups pods: a task wanted running that has
// not reached RUNNING yet is "unready", a running one without a fresh sample
// "missing". Both are left out of the first estimate, then, to be
// conservative in each direction:
//   - on a scale-down, missing tasks count as using max(100 %, target) of
//     their capacity (they might be busy);
//   - on a scale-up, missing and unready tasks count as using 0 % (they
//     will take load once up);
// and if that second estimate is within the tolerance or points the other
// way, nothing changes.

import type { Resources } from '../../api/service-types';

export type MetricName = 'cpu' | 'memory';

/** One task of the service, as the planner needs it. The caller leaves out tasks not wanted running and ones that ended. */
export interface ScaledTask {
  id: string;
  /** RUNNING now; false: on its way up (pending, assigned, starting…). */
  running: boolean;
  resources: { reservations: Resources; limits: Resources };
  /** The task's latest fresh sample, if any. */
  sample?: { cpuPercent: number; memoryBytes: number };
}

/** Kubernetes' default --horizontal-pod-autoscaler-tolerance. */
export const TOLERANCE = 0.1;

export interface MetricEstimate {
  metric: MetricName;
  /** Replicas this metric asks for (the current count when within the tolerance). */
  replicas: number;
  /** Use over capacity of the tasks that reported, in percent. */
  utilization: number;
  target: number;
  /** Tasks whose samples made the estimate. */
  measured: number;
  /** Tasks not yet running, and running ones without a fresh sample. */
  unready: number;
  missing: number;
}

export type MetricResult = { ok: true; estimate: MetricEstimate } | { ok: false; metric: MetricName; why: string };

/**
 * What one task can use of the metric, in the sample's unit: CPU in percent
 * of a core (the reservation when there is one, else one core, 100);
 * memory in bytes (the reservation, else the limit; none: undefined).
 */
export function capacityOf(metric: MetricName, r: ScaledTask['resources']): number | undefined {
  if (metric === 'cpu') return r.reservations.nanoCPUs > 0 ? r.reservations.nanoCPUs / 1e7 : 100;
  const bytes = r.reservations.memoryBytes > 0 ? r.reservations.memoryBytes : r.limits.memoryBytes;
  return bytes > 0 ? bytes : undefined;
}

const usageOf = (metric: MetricName, s: NonNullable<ScaledTask['sample']>): number => (metric === 'cpu' ? s.cpuPercent : s.memoryBytes);

/**
 * ceil that ignores the last bits of float error: 3 × (50 / 30) must give 5,
 * not 6. Kubernetes avoids the question by truncating utilization to whole
 * percent; a millionth of a replica is as harmless and keeps the figure.
 */
export const ceilReplicas = (x: number): number => Math.ceil(x - 1e-6);

export function estimateReplicas(metric: MetricName, targetPercent: number, current: number, tasks: readonly ScaledTask[]): MetricResult {
  const capacity = new Map<string, number>();
  for (const t of tasks) {
    const c = capacityOf(metric, t.resources);
    // The HPA refuses a metric when a pod has no request for it ("missing request for memory").
    if (c === undefined) return { ok: false, metric, why: `task ${t.id.slice(0, 12)} has no memory reservation or limit to measure against` };
    capacity.set(t.id, c);
  }
  const unready = tasks.filter((t) => !t.running);
  const missing = tasks.filter((t) => t.running && !t.sample);
  const measured = tasks.filter((t) => t.running && t.sample);
  if (measured.length === 0) {
    return { ok: false, metric, why: tasks.length === 0 ? 'no running tasks' : `no ${metric} figures yet from its ${tasks.length} task${tasks.length === 1 ? '' : 's'}` };
  }
  // Percent of capacity over a set of (usage, capacity) pairs.
  const utilizationOf = (pairs: readonly [number, number][]): number => {
    const use = pairs.reduce((a, [u]) => a + u, 0);
    const cap = pairs.reduce((a, [, c]) => a + c, 0);
    return (use / cap) * 100;
  };
  const measuredPairs = measured.map((t): [number, number] => [usageOf(metric, t.sample!), capacity.get(t.id)!]);
  const utilization = utilizationOf(measuredPairs);
  const ratio = utilization / targetPercent;
  const estimate = (replicas: number): MetricResult => ({
    ok: true,
    estimate: { metric, replicas, utilization, target: targetPercent, measured: measured.length, unready: unready.length, missing: missing.length },
  });

  const scaleUpWithUnready = unready.length > 0 && ratio > 1;
  if (!scaleUpWithUnready && missing.length === 0) {
    if (Math.abs(1 - ratio) <= TOLERANCE) return estimate(current);
    return estimate(ceilReplicas(ratio * measured.length));
  }

  const pairs = [...measuredPairs];
  if (ratio < 1) {
    const fallback = Math.max(100, targetPercent) / 100;
    for (const t of missing) pairs.push([capacity.get(t.id)! * fallback, capacity.get(t.id)!]);
  } else if (ratio > 1) {
    for (const t of missing) pairs.push([0, capacity.get(t.id)!]);
  }
  if (scaleUpWithUnready) for (const t of unready) pairs.push([0, capacity.get(t.id)!]);

  const newRatio = utilizationOf(pairs) / targetPercent;
  // Too small a change, or the fill-ins turned the direction around: stay.
  if (Math.abs(1 - newRatio) <= TOLERANCE || (ratio < 1 && newRatio > 1) || (ratio > 1 && newRatio < 1)) return estimate(current);
  const replicas = ceilReplicas(newRatio * pairs.length);
  if ((newRatio < 1 && replicas > current) || (newRatio > 1 && replicas < current)) return estimate(current);
  return estimate(replicas);
}

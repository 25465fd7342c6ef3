// Tasks and policies for the autoscaler's planner tests, and a small
// simulation of a service under a load: the planner decides every period,
// new tasks take a while to start and to report, and the load is shared by
// the tasks that run.

import type { AutoscalePolicy } from '../../../lib/api/service-types';
import { AutoscaleHistory, planAutoscale, recordChange, ScaledTask } from '../../../lib/manager/autoscale/plan';

export const PERIOD = 15_000;
export const T0 = Date.parse('2026-03-01T12:00:00.000Z');

const NO_RESOURCES = { nanoCPUs: 0, memoryBytes: 0 };

export function policy(p: Partial<AutoscalePolicy> = {}): AutoscalePolicy {
  return { min: 1, max: 10, cpuPercent: 50, downDelayMs: 0, upDelayMs: 0, ...p };
}

/** A running task with a sample of `cpu` percent of a core (and `memBytes`), no reservation. */
export function busy(cpu: number, o: { reserveCpus?: number; memBytes?: number; reserveMem?: number; limitMem?: number } = {}): ScaledTask {
  return {
    id: `t${Math.random().toString(16).slice(2, 14)}`,
    running: true,
    resources: {
      reservations: { nanoCPUs: (o.reserveCpus ?? 0) * 1e9, memoryBytes: o.reserveMem ?? 0 },
      limits: { nanoCPUs: 0, memoryBytes: o.limitMem ?? 0 },
    },
    sample: { cpuPercent: cpu, memoryBytes: o.memBytes ?? 0 },
  };
}

/** A running task that has not reported yet. */
export function silent(): ScaledTask {
  const t = busy(0);
  delete t.sample;
  return t;
}

/** A task on its way up. */
export function starting(): ScaledTask {
  return { ...silent(), running: false };
}

export const noResources = { reservations: NO_RESOURCES, limits: NO_RESOURCES };

export interface SimStep {
  at: number;
  from: number;
  to: number;
}

/**
 * Runs the planner every PERIOD for `periods` periods on a service whose
 * tasks share `loadAt(i)` (percent of a core, in all) evenly. A new task
 * runs `startPeriods` periods after it is created and reports one period
 * later; a removed task is gone at once.
 */
export function simulate(
  p: AutoscalePolicy,
  initial: number,
  loadAt: (period: number) => number,
  periods: number,
  startPeriods = 1,
): { steps: SimStep[]; replicas: number[] } {
  let replicas = initial;
  // Per task: the period it was created in (initial tasks long ago).
  let born: number[] = Array.from({ length: initial }, () => -100);
  let history: AutoscaleHistory | undefined;
  const steps: SimStep[] = [];
  const trace: number[] = [];
  for (let i = 0; i < periods; i++) {
    const now = T0 + i * PERIOD;
    const runningCount = born.filter((b) => i - b >= startPeriods).length;
    const share = runningCount > 0 ? loadAt(i) / runningCount : 0;
    const tasks: ScaledTask[] = born.map((b, k) => {
      const t: ScaledTask = { id: `task${k}`, running: i - b >= startPeriods, resources: noResources };
      if (i - b >= startPeriods + 1) t.sample = { cpuPercent: share, memoryBytes: 0 };
      return t;
    });
    const out = planAutoscale({ policy: p, replicas, tasks, history, now });
    history = out.history;
    if (out.decision) {
      steps.push({ at: now, from: replicas, to: out.decision.to });
      recordChange(history, now, out.decision.to - replicas);
      if (out.decision.to > replicas) born = [...born, ...Array.from({ length: out.decision.to - replicas }, () => i)];
      // Scaling down removes the newest tasks first, as the orchestrator removes the highest slots.
      else born = born.slice(0, out.decision.to);
      replicas = out.decision.to;
    }
    trace.push(replicas);
  }
  return { steps, replicas: trace };
}

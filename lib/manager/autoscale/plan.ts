// The autoscaler's decision for one service as a pure function of its policy,
// its replicas, its tasks with their latest samples, what this leader
// recommended before, and the time. Kubernetes' HPA controller
// (kubernetes/pkg/controller/podautoscaler/horizontal.go) is followed step
// by step:
//   1. replicas outside [min, max] are brought to the nearest bound; replicas
//      at 0 mean someone stopped the service: the HPA leaves it alone;
//   2. every metric estimates replicas (metric-replicas.ts); the largest
//      wins; if a metric cannot be read and the others would scale down,
//      nothing happens (a blind scale-down is how outages start);
//   3. stabilization (behavior.stabilizationWindowSeconds): the estimate is
//      recorded; the service grows to the lowest recommendation of the
//      up-delay window and shrinks to the highest of the down-delay window,
//      so one quiet minute does not undo a busy hour;
//   4. rate (the default behavior's policies): at most max(+100 %, +4)
//      replicas per 15 s, counted from the replicas at the start of that
//      period; scale-downs are only held by the window;
//   5. the result stays within [min, max].
//
// One deliberate difference: Kubernetes starts a restarted controller with no
// history, so a new controller may scale down at once. Here the first look at
// a service records its current replicas as a recommendation, so a new
// leader (or a new policy) scales down only after a full down-delay window of
// its own observations.

import type { AutoscaleDecision, AutoscalePolicy } from '../../api/service-types';
import { estimateReplicas, MetricEstimate, MetricName, MetricResult, ScaledTask } from './metric-replicas';

export type { ScaledTask } from './metric-replicas';

/** Kubernetes' default scale-up policy period, and its sync period. */
export const DEFAULT_AUTOSCALE_PERIOD_MS = 15_000;

/** What one leader remembers of one service between passes (in memory only, as the HPA). */
export interface AutoscaleHistory {
  /** Unstabilized recommendations, oldest first. */
  recommendations: { at: number; replicas: number }[];
  /** Replicas the autoscaler added (positive) or removed, for the rate limit. */
  changes: { at: number; delta: number }[];
}

export interface PlanInput {
  policy: AutoscalePolicy;
  replicas: number;
  /** The service's tasks wanted running that have not ended. */
  tasks: readonly ScaledTask[];
  history?: AutoscaleHistory;
  now: number;
  /** The scale-up rate's period (15 s). */
  ratePeriodMs?: number;
}

export type Decision = Omit<AutoscaleDecision, 'at'>;

export interface PlanOutput {
  /** To keep for the next pass; record a change made with recordChange once it is written. */
  history: AutoscaleHistory;
  /** Present when replicas should change. */
  decision?: Decision;
  /** Why nothing changes, when that is worth saying (a metric that cannot be read, say). */
  note?: string;
}

export function planAutoscale(input: PlanInput): PlanOutput {
  const { policy, replicas: current, now } = input;
  const period = input.ratePeriodMs ?? DEFAULT_AUTOSCALE_PERIOD_MS;
  const history = pruned(input.history, current, policy, now, period);
  const results = metricsOf(policy).map(([metric, target]) => estimateReplicas(metric, target, current, input.tasks));
  const best = largest(results);

  if (current === 0) return { history, note: 'scaled to 0: the autoscaler leaves it until it is scaled up again' };
  if (current > policy.max || current < policy.min) {
    const to = current > policy.max ? policy.max : policy.min;
    const bound = current > policy.max ? `above the maximum ${policy.max}` : `below the minimum ${policy.min}`;
    const m = best ?? fallbackFigures(policy);
    return { history, decision: { from: current, to, metric: m.metric, value: round(m.utilization), target: m.target, reason: `${current} replicas is ${bound}${best ? `; ${describe(best)}` : '; no figures yet'}` } };
  }

  const failed = results.filter((r): r is Extract<MetricResult, { ok: false }> => !r.ok);
  if (!best) return { history, note: failed.map((f) => `${f.metric}: ${f.why}`).join('; ') };
  if (failed.length > 0 && best.replicas < current) {
    return { history, note: `not scaling down while ${failed.map((f) => `${f.metric} cannot be read (${f.why})`).join(' and ')}` };
  }

  const desired = best.replicas;
  history.recommendations.push({ at: now, replicas: desired });
  const upCutoff = now - policy.upDelayMs;
  const downCutoff = now - policy.downDelayMs;
  let upRec = desired;
  let downRec = desired;
  for (const r of history.recommendations) {
    if (r.at > upCutoff) upRec = Math.min(upRec, r.replicas);
    if (r.at > downCutoff) downRec = Math.max(downRec, r.replicas);
  }
  let stabilized = current;
  if (stabilized < upRec) stabilized = upRec;
  if (stabilized > downRec) stabilized = downRec;

  const notes: string[] = [];
  if (stabilized !== desired) {
    notes.push(
      desired > current
        ? `held at ${stabilized} by the lowest recommendation of the last ${formatMs(policy.upDelayMs)} (up delay)`
        : `held at ${stabilized} by the highest recommendation of the last ${formatMs(policy.downDelayMs)} (down delay)`,
    );
  }
  let to = stabilized;
  if (stabilized > current) {
    const limit = Math.max(scaleUpLimit(current, history, now, period), current);
    if (limit < policy.max && stabilized > limit) {
      to = limit;
      notes.push(`at most ${limit} within ${formatMs(period)}`);
    } else if (stabilized > policy.max) {
      to = policy.max;
      notes.push(`capped at the maximum ${policy.max}`);
    }
  } else if (stabilized < current && stabilized < policy.min) {
    to = policy.min;
    notes.push(`kept at the minimum ${policy.min}`);
  }
  if (to === current) return { history };
  const reason = `${describe(best)}: ${desired} wanted${notes.length > 0 ? `, ${notes.join(', ')}` : ''}`;
  return { history, decision: { from: current, to, metric: best.metric, value: round(best.utilization), target: best.target, reason } };
}

/** Records a change once it is written, for the rate limit of the next passes. */
export function recordChange(history: AutoscaleHistory, at: number, delta: number): void {
  history.changes.push({ at, delta });
}

function metricsOf(policy: AutoscalePolicy): [MetricName, number][] {
  const out: [MetricName, number][] = [];
  if (policy.cpuPercent !== undefined) out.push(['cpu', policy.cpuPercent]);
  if (policy.memoryPercent !== undefined) out.push(['memory', policy.memoryPercent]);
  return out;
}

/** The metric asking for the most replicas (the first on a tie), as the HPA takes the largest. */
function largest(results: readonly MetricResult[]): MetricEstimate | undefined {
  let best: MetricEstimate | undefined;
  for (const r of results) if (r.ok && (!best || r.estimate.replicas > best.replicas)) best = r.estimate;
  return best;
}

/** For a bound correction made before any task reported: the policy's first target, measured at 0. */
function fallbackFigures(policy: AutoscalePolicy): { metric: MetricName; utilization: number; target: number } {
  const [metric, target] = metricsOf(policy)[0];
  return { metric, utilization: 0, target };
}

/**
 * A copy of the history without what no window needs any more. The first
 * look at a service seeds it with the current replicas (see the header).
 */
function pruned(h: AutoscaleHistory | undefined, current: number, policy: AutoscalePolicy, now: number, period: number): AutoscaleHistory {
  if (!h) return { recommendations: [{ at: now, replicas: current }], changes: [] };
  const keep = Math.max(policy.upDelayMs, policy.downDelayMs);
  return {
    recommendations: h.recommendations.filter((r) => r.at > now - keep),
    changes: h.changes.filter((c) => c.at > now - period),
  };
}

/** Kubernetes' default scale-up behavior: Pods 4 and Percent 100 per period, the larger. */
function scaleUpLimit(current: number, h: AutoscaleHistory, now: number, period: number): number {
  const changed = h.changes.filter((c) => c.at > now - period).reduce((a, c) => a + c.delta, 0);
  const start = current - changed;
  return Math.max(start * 2, start + 4);
}

function describe(e: MetricEstimate): string {
  const counts = [`${e.measured} task${e.measured === 1 ? '' : 's'}`];
  if (e.unready > 0) counts.push(`${e.unready} starting`);
  if (e.missing > 0) counts.push(`${e.missing} without figures`);
  return `${e.metric} ${round(e.utilization)}% of target ${e.target}% on ${counts.join(', ')}`;
}

const round = (x: number): number => Math.round(x * 10) / 10;

/** "15s", "5m", "1m30s", "500ms": durations as the flags take them. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return `${h > 0 ? `${h}h` : ''}${m > 0 ? `${m}m` : ''}${sec > 0 || s === 0 ? `${sec}s` : ''}`;
}

// What the leader knows of its tasks' resource use: the latest sample of each
// task, fed by the dispatcher from its agents' sessions, read by `service
// stats` and the autoscaler. In memory only (lib/api/metrics-types.ts says why).

import type { TaskMetricsSample } from '../../api/metrics-types';

export interface MetricsView {
  /** The latest sample of each of `taskIds` no older than `maxAgeMs` at `now`; tasks without one are absent. */
  latest(taskIds: Iterable<string>, now: number, maxAgeMs: number): Map<string, TaskMetricsSample>;
}

/** A sample older than this is never shown nor used: its task or its node stopped reporting. */
export const METRICS_MAX_AGE_MS = 15_000;

export class TaskMetricsStore implements MetricsView {
  private readonly byTask = new Map<string, { nodeId: string; sample: TaskMetricsSample }>();

  /** Samples from the agent of `nodeId` (only for tasks the caller checked are that node's). */
  record(nodeId: string, samples: readonly TaskMetricsSample[]): void {
    for (const s of samples) {
      const prev = this.byTask.get(s.taskId);
      if (prev && prev.sample.timestamp > s.timestamp) continue;
      this.byTask.set(s.taskId, { nodeId, sample: s });
    }
  }

  latest(taskIds: Iterable<string>, now: number, maxAgeMs: number): Map<string, TaskMetricsSample> {
    const out = new Map<string, TaskMetricsSample>();
    for (const id of taskIds) {
      const e = this.byTask.get(id);
      if (e && now - e.sample.timestamp <= maxAgeMs) out.set(id, e.sample);
    }
    return out;
  }

  /** Forgets tasks that are gone (called with the store's live task ids), so memory follows the cluster. */
  retain(liveTaskIds: ReadonlySet<string>): void {
    for (const id of this.byTask.keys()) if (!liveTaskIds.has(id)) this.byTask.delete(id);
  }

  get size(): number {
    return this.byTask.size;
  }
}

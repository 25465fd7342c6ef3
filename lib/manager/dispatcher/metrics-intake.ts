// Task metrics from the agents into the leader's memory (manager.metrics).
// A node speaks only for the tasks the store places on it; anything else in
// its message is dropped. Samples are stamped with the leader's clock on
// receipt, so how fresh a figure is never depends on the nodes' clocks
// agreeing with the leader's. Tasks that ended are forgotten now and then, so
// the map follows the cluster.

import type { TaskMetricsSample } from '../../api/metrics-types';
import { isTerminal } from '../../api/service-types';
import { METRICS_MAX_AGE_MS, TaskMetricsStore } from '../metrics/metrics-view';
import type { MemoryStore } from '../store';
import type { Clock } from './timers';

export class MetricsIntake {
  private lastRetain = 0;

  constructor(
    private readonly store: MemoryStore,
    private readonly metrics: Pick<TaskMetricsStore, 'record' | 'retain'>,
    private readonly now: Clock,
  ) {}

  /** Records the samples of `nodeId`'s own tasks; returns how many were taken. */
  receive(nodeId: string, samples: readonly TaskMetricsSample[]): number {
    const now = this.now();
    const own = samples.filter((s) => this.store.get('task', s.taskId)?.nodeId === nodeId).map((s) => ({ ...s, timestamp: now }));
    if (own.length > 0) this.metrics.record(nodeId, own);
    if (now - this.lastRetain >= METRICS_MAX_AGE_MS) this.forgetEnded(now);
    return own.length;
  }

  /** A new leadership starts empty: figures of the previous one's time are no use. */
  reset(): void {
    this.metrics.retain(new Set());
    this.lastRetain = this.now();
  }

  private forgetEnded(now: number): void {
    this.lastRetain = now;
    const live = new Set(this.store.list('task').flatMap((t) => (isTerminal(t.status.state) ? [] : [t.id])));
    this.metrics.retain(live);
  }
}

// Resource use of running tasks, sampled by each agent every few seconds and
// sent over its dispatcher session. Samples live in the leader's memory only
// (as Kubernetes' metrics-server keeps them), never in Raft: they are
// recomputed every few seconds and worth nothing after a leader change.

/** One task's use at one moment, in the shape `docker stats` shows. */
export interface TaskMetricsSample {
  taskId: string;
  /**
   * ms since the epoch: the agent's clock on the wire; the leader's dispatcher
   * restamps it on receipt, so in manager.metrics it is the leader's clock
   * (freshness never depends on the nodes' clocks agreeing).
   */
  timestamp: number;
  /**
   * CPU over the last sampling interval, docker's formula: Δcontainer CPU time /
   * Δsystem CPU time × online CPUs × 100 (100 = one core busy; up to 100 × cores).
   */
  cpuPercent: number;
  /** Memory in use: usage minus inactive file cache (docker stats' MEM USAGE). */
  memoryBytes: number;
  /** The task's memory limit; without one, the host's memory (as docker stats). */
  memoryLimitBytes: number;
  netRxBytes?: number;
  netTxBytes?: number;
  blockReadBytes?: number;
  blockWriteBytes?: number;
  pids?: number;
}

/** How often agents sample (the issue: every 5 s). */
export const METRICS_INTERVAL_MS = 5_000;

/** One running task in `GET /v1/stats` (what `swarm service stats` shows). */
export interface TaskStatsEntry {
  taskId: string;
  /** As `service ps` names it: web.3, or web.<node id> for a global service. */
  name: string;
  serviceId: string;
  serviceName: string;
  nodeId: string;
  /** The node's hostname. */
  node: string;
  sample?: TaskMetricsSample;
}

/** The answer of `GET /v1/stats`. */
export interface StatsView {
  tasks: TaskStatsEntry[];
  /** How old a sample may be and still be shown. */
  maxAgeMs: number;
}

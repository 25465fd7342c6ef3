// A task's resource use as a runtime reads it (cumulative counters at one
// moment), and the sample `docker stats` would show, computed from two such
// readings. Pure: the runtimes do the reading (docker-stats.ts, proc-stats.ts).

import type { TaskMetricsSample } from '../../api/metrics-types';

/** What a reading carries over to the sample as it is: memory, I/O counters, pids. */
type Gauges = Omit<TaskMetricsSample, 'taskId' | 'timestamp' | 'cpuPercent'>;

export interface UsageReading extends Gauges {
  /** When it was read, ms since the epoch. */
  at: number;
  /** CPU time the task used since it started, ns (a container's cgroup; a process group's utime+stime). */
  cpuNs: number;
  /**
   * The host's CPU time at the same moment, ns, summed over its CPUs (docker's
   * system_cpu_usage). Absent for the process runtime, which measures wall time.
   */
  systemNs?: number;
  /** The CPUs the task may run on (docker's online_cpus); scales the docker formula. */
  onlineCpus: number;
  /** The engine's own previous reading (docker's precpu block), when it gave one. */
  pre?: { cpuNs: number; systemNs: number };
}

/**
 * CPU % between two readings, as docker stats computes it:
 *   Δcontainer / Δsystem × online CPUs × 100      (docker: both counters from the engine)
 *   Δcpu time / Δwall time × 100                  (process runtime: /proc, as top does)
 * 100 means one core busy. The previous reading is `prev` when it is usable,
 * else the engine's precpu block; undefined when neither gives a base, since
 * a CPU figure from one reading would be invented.
 */
export function cpuPercent(prev: UsageReading | undefined, cur: UsageReading): number | undefined {
  if (cur.systemNs !== undefined) {
    const base =
      prev?.systemNs !== undefined && prev.cpuNs <= cur.cpuNs && prev.systemNs < cur.systemNs
        ? { cpuNs: prev.cpuNs, systemNs: prev.systemNs }
        : cur.pre !== undefined && cur.pre.systemNs > 0 && cur.pre.cpuNs <= cur.cpuNs
          ? cur.pre
          : undefined;
    if (base === undefined) return undefined;
    const cpuDelta = cur.cpuNs - base.cpuNs;
    const systemDelta = cur.systemNs - base.systemNs;
    // docker/cli's calculateCPUPercentUnix: 0 unless both moved.
    if (systemDelta <= 0 || cpuDelta <= 0) return 0;
    return (cpuDelta / systemDelta) * cur.onlineCpus * 100;
  }
  if (prev === undefined || prev.systemNs !== undefined) return undefined;
  const wallNs = (cur.at - prev.at) * 1e6;
  if (wallNs <= 0) return undefined;
  // A process of the group that exited takes its CPU time with it: never below 0.
  return (Math.max(0, cur.cpuNs - prev.cpuNs) / wallNs) * 100;
}

/** The sample of `taskId` at `cur`, or undefined while there is no CPU base yet (its first reading). */
export function toSample(taskId: string, prev: UsageReading | undefined, cur: UsageReading): TaskMetricsSample | undefined {
  const cpu = cpuPercent(prev, cur);
  if (cpu === undefined) return undefined;
  // Everything but the reading's own CPU counters and time passes through as it is
  // (the names are taken out of `gauges`, not used).
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { at, cpuNs, systemNs, onlineCpus, pre, ...gauges } = cur;
  return { taskId, timestamp: at, cpuPercent: round(cpu, 2), ...gauges };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

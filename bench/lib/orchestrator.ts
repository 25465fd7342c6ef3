// What the converge bench asks of an orchestrator, ours or Docker Swarm, so
// that one measuring loop times both the same way. Both use swarmkit's task
// states, so one tally reads both.

import { TASK_STATES, TaskState, taskStateRank } from '../../lib/api/service-types';

export type Via = 'cli' | 'api';

/** The workload: the test image sleeping; the grace is short because busybox sleep as PID 1 ignores SIGTERM. */
export interface Workload {
  image: string;
  args: string[];
  /** --stop-grace-period, in docker's duration syntax. */
  stopGrace: string;
}

/** One task as either orchestrator reports it. */
export interface TaskView {
  desired: string;
  state: string;
  /** When the task entered its current state (the reporter's clock), ms since the epoch. */
  stateAt: number;
  err?: string;
}

export interface TaskTally {
  /** Tasks desired running whose observed state is running: the left side of "Replicas". */
  running: number;
  /** Tasks desired running. */
  wanted: number;
  /** Tasks desired running that got at least as far as assigned to a node. */
  assigned: number;
  /** Observed states of the tasks desired running, for progress lines. */
  states: Record<string, number>;
  /** The latest stateAt among running tasks desired running: when the last one came up, by the orchestrator's clock. */
  lastRunningAt?: number;
  /** Errors tasks reported, to say why a service does not converge. */
  errors: string[];
}

export interface Orchestrator {
  readonly label: string;
  /** Each returns how long the command (CLI process or API call) took, ms. */
  create(name: string, replicas: number, w: Workload): Promise<number>;
  scale(name: string, replicas: number): Promise<number>;
  remove(name: string): Promise<number>;
  tally(name: string): Promise<TaskTally>;
}

function rank(state: string): number {
  return (TASK_STATES as readonly string[]).includes(state) ? taskStateRank(state as TaskState) : -1;
}

export function tallyOf(tasks: readonly TaskView[]): TaskTally {
  const states: Record<string, number> = {};
  const errors = new Set<string>();
  const t: TaskTally = { running: 0, wanted: 0, assigned: 0, states, errors: [] };
  for (const task of tasks) {
    if (task.err) errors.add(task.err);
    if (task.desired !== 'running') continue;
    t.wanted++;
    states[task.state] = (states[task.state] ?? 0) + 1;
    if (rank(task.state) >= taskStateRank('assigned')) t.assigned++;
    if (task.state === 'running') {
      t.running++;
      if (!Number.isNaN(task.stateAt)) t.lastRunningAt = Math.max(t.lastRunningAt ?? 0, task.stateAt);
    }
  }
  t.errors = [...errors];
  return t;
}

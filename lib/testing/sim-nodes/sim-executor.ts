// An executor that runs nothing: each task it is given walks through
// accepted, preparing, ready, starting and running after the configured
// delays, and reaches shutdown (after its own delay) once the manager wants
// it stopped. It keeps one small record per task, so thousands of simulated
// nodes with a hundred tasks each fit in one process (Kubernetes' hollow
// nodes, Nomad's nodesim).

import type { Task, TaskState } from '../../api/service-types';
import { isTerminal, taskStateRank } from '../../api/service-types';
import type { Executor, LogLine, StatusListener } from '../../worker/executor';
import { fixedTimestamp, STATE_MESSAGES } from '../../worker/executor/status';
import type { UsageReading } from '../../worker/metrics/usage';

/** Milliseconds before each step; 0 takes the step at the next turn of the event loop. */
export interface SimDelays {
  /** Assigned → accepted. */
  accept: number;
  /** Accepted → preparing → ready. */
  prepare: number;
  /** Ready → starting → running. */
  start: number;
  /** Stop wanted → shutdown. */
  stop: number;
}

export const DEFAULT_SIM_DELAYS: SimDelays = { accept: 50, prepare: 200, start: 200, stop: 100 };

interface SimTask {
  state: TaskState;
  desired: TaskState;
  timer?: NodeJS.Timeout;
  startedAt?: string;
}

/** The states a task walks through up to running, each with the delay before it. */
function nextStep(state: TaskState, d: SimDelays): { state: TaskState; delay: number } | undefined {
  switch (state) {
    case 'new':
    case 'pending':
    case 'assigned':
      return { state: 'accepted', delay: d.accept };
    case 'accepted':
      return { state: 'preparing', delay: 0 };
    case 'preparing':
      return { state: 'ready', delay: d.prepare };
    case 'ready':
      return { state: 'starting', delay: 0 };
    case 'starting':
      return { state: 'running', delay: d.start };
    default:
      return undefined;
  }
}

export class SimExecutor implements Executor {
  readonly runtime = 'process' as const;
  private readonly tasks = new Map<string, SimTask>();
  private stopped = false;

  constructor(
    readonly nodeId: string,
    private readonly onStatus: StatusListener,
    private readonly delays: SimDelays = DEFAULT_SIM_DELAYS,
  ) {}

  /** How many of this node's tasks are in each state now. */
  count(state: TaskState): number {
    let n = 0;
    for (const t of this.tasks.values()) if (t.state === state) n++;
    return n;
  }

  get size(): number {
    return this.tasks.size;
  }

  assign(tasks: readonly Task[]): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const wanted = new Set<string>();
    for (const task of tasks) {
      if (task.nodeId !== undefined && task.nodeId !== this.nodeId) continue;
      wanted.add(task.id);
      let t = this.tasks.get(task.id);
      if (!t) {
        // A task already past running (an earlier session's) is taken as it is: there is nothing to adopt.
        t = { state: task.status.state, desired: task.desiredState };
        this.tasks.set(task.id, t);
      }
      t.desired = task.desiredState;
      this.advance(task.id, t);
    }
    // Tasks no longer assigned are forgotten, as the real executor removes their containers.
    for (const [id, t] of this.tasks) {
      if (wanted.has(id)) continue;
      if (t.timer) clearTimeout(t.timer);
      this.tasks.delete(id);
    }
    return Promise.resolve();
  }

  /** Schedules the task's next step, unless one is pending or it is where it should be. */
  private advance(id: string, t: SimTask): void {
    if (t.timer || this.stopped || isTerminal(t.state)) return;
    if (taskStateRank(t.desired) > taskStateRank('running')) {
      t.timer = setTimeout(() => {
        t.timer = undefined;
        if (this.tasks.get(id) === t) this.emit(id, t, 'shutdown');
      }, this.delays.stop);
      return;
    }
    const step = nextStep(t.state, this.delays);
    // A desired state of ready means prepared but not started (start-first updates).
    if (!step || (step.state === 'starting' && taskStateRank(t.desired) < taskStateRank('running'))) return;
    t.timer = setTimeout(() => {
      t.timer = undefined;
      if (this.tasks.get(id) !== t || this.stopped) return;
      this.emit(id, t, step.state);
      this.advance(id, t);
    }, step.delay);
  }

  private emit(id: string, t: SimTask, state: TaskState): void {
    t.state = state;
    const timestamp = fixedTimestamp();
    if (state === 'running') t.startedAt = timestamp;
    const status = { state, timestamp, message: STATE_MESSAGES[state] ?? state };
    this.onStatus(id, t.startedAt !== undefined ? { ...status, startedAt: t.startedAt } : status);
  }

  async *logs(): AsyncIterable<LogLine> {
    // Simulated tasks write nothing.
  }

  removeVolumes(): Promise<number> {
    return Promise.resolve(0);
  }

  usage(): Promise<Map<string, UsageReading>> {
    return Promise.resolve(new Map());
  }

  stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.tasks.values()) if (t.timer) clearTimeout(t.timer);
    return Promise.resolve();
  }
}

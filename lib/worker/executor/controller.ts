// The contract between the generic task lifecycle (task-runner.ts) and a
// runtime (docker, process). A controller does one thing at a time for one
// task and knows nothing of task states; the runner decides what to do next
// and what to report.

import type { ServedPort } from '../../api/network-types';
import type { PortConfig, Task } from '../../api/service-types';
import type { UsageReading } from '../metrics/usage';
import type { TaskFiles } from './blob-files';
import type { ExecutorRuntimeKind, LogLine, LogSelector } from './types';

/** What a running container or process is, for the task's status. */
export interface RunDetails {
  containerId?: string;
  pid?: number;
  /** Host-mode ports as actually published. */
  ports?: PortConfig[];
  /** The container's address on its engine's network (how its node recognizes it as a peer). */
  addr?: string;
  /** Ports it serves (EXPOSE, listening sockets), what VIPs forward to it. */
  served?: ServedPort[];
}

export interface ExitInfo {
  exitCode: number;
  /** Why, when the exit code alone does not say ("OOM killed"). */
  reason?: string;
}

/** What a runtime finds on the host for a task, when an executor takes it over. */
export type Observation =
  | { phase: 'absent'; lost?: string }
  | { phase: 'created' }
  | { phase: 'running'; details: RunDetails }
  | { phase: 'exited'; exit: ExitInfo; details: RunDetails };

/** The next thing worth reporting about a started task. */
export type Progress =
  | { kind: 'running'; details: RunDetails }
  | { kind: 'exited'; exit: ExitInfo }
  /** Running but failed (unhealthy, a port not published, gone): stop it and fail the task. */
  | { kind: 'failed'; err: string };

export interface TaskController {
  /**
   * What is on the host for this task right now. `absent` with `lost` set means the
   * task had been started and its container or process is gone for that reason.
   */
  observe(): Promise<Observation>;
  /** Image, container, directories: everything short of starting. Throws with the reason to reject the task. */
  prepare(): Promise<RunDetails>;
  /** Throws with the reason the task failed to start. */
  start(): Promise<void>;
  /**
   * `running`: until the task runs (and is healthy, when it has a health check),
   * `exit`: until it exits or fails. Rejects with an AbortError when `signal` aborts.
   */
  wait(until: 'running' | 'exit', signal: AbortSignal): Promise<Progress>;
  /**
   * The stop signal, then SIGKILL after `graceMs`; resolves once it exited.
   * `byUs` is false when it had exited before we signalled it (its exit then is its own).
   */
  stop(graceMs: number): Promise<{ byUs: boolean; exit?: ExitInfo }>;
  /** Removes the container or the task's files; stops it first if it still runs. */
  remove(): Promise<void>;
  /** The ports the running task serves now; absent where a runtime cannot tell. */
  served?(): Promise<ServedPort[] | undefined>;
}

/** A task whose container or process runs, as its runner knows it. */
export interface RunningTask {
  task: Task;
  details: RunDetails;
}

export interface Runtime {
  readonly kind: ExecutorRuntimeKind;
  /** Connects (docker: the events stream). Throws when the runtime cannot be used. */
  open(): Promise<void>;
  /** Ids of the tasks this node has containers or files for on the host. */
  list(): Promise<Set<string>>;
  /** `files`: the task's secrets and configs with their content (or why it cannot have them). */
  controller(task: Task, files: TaskFiles): TaskController;
  /**
   * The task ended (a terminal state was reported): removes what only a live task
   * needs (its secrets' and configs' files; a running container keeps what it
   * mounted). Its container stays until the task is no longer assigned.
   */
  release?(taskId: string): Promise<void>;
  /** Stops and removes what a task that is no longer assigned left on the host. */
  removeLeftover(taskId: string): Promise<void>;
  /** Where the output of the selected tasks can be read. */
  logSources(selector: LogSelector): Promise<LogSource[]>;
  /** Removes unused named volumes carrying all these labels; returns how many. */
  removeVolumes(labels: Readonly<Record<string, string>>): Promise<number>;
  /**
   * Resource counters of these running tasks now (for task metrics). A task that
   * cannot be read (it just stopped, the engine is slow) is left out, quietly.
   */
  usage(running: readonly RunningTask[]): Promise<Map<string, UsageReading>>;
  /** Releases the runtime's own resources; containers are left alone. */
  close(): Promise<void>;
}

/** The output of one task, as a runtime keeps it. */
export interface LogSource {
  taskId: string;
  serviceId: string;
  /** The lines so far, the last `tail` of them when given. */
  read(tail: number | undefined): Promise<LogLine[]>;
  /**
   * The last `tail` lines, then new ones as they are written, each to `push`.
   * Resolves when the task's output ends (it exited) or `signal` aborts.
   */
  follow(tail: number | undefined, push: (line: LogLine) => void, signal: AbortSignal): Promise<void>;
}

// What the agent sees of task execution on its node. The agent hands the
// executor the whole set of tasks assigned to this node each time it changes;
// the executor converges the host to it (start, stop, remove, adopt after a
// restart) and reports every observed state change through `onStatus`.

import type { AssignedBlob } from '../../api/assignments';
import type { Task, TaskStatus } from '../../api/service-types';
import type { UsageReading } from '../metrics/usage';

export type ExecutorRuntimeKind = 'docker' | 'process';

/**
 * Called for every observed state change of a task, in order, states only moving
 * forward. A task that an executor adopts after a restart may be reported once in
 * the state the manager already has (RUNNING again, now with its container id).
 */
export type StatusListener = (taskId: string, status: TaskStatus) => void;

export interface ExecutorLogger {
  warn(msg: string, fields?: Record<string, unknown>): void;
  info?(msg: string, fields?: Record<string, unknown>): void;
}

export interface ExecutorOptions {
  /** This node's id: the executor only sees and touches what it labelled with it. */
  nodeId: string;
  onStatus: StatusListener;
  logger?: ExecutorLogger;
  /** How tasks reach the cluster's services (lib/network); absent: they run without. */
  network?: TaskNetworkSettings;
}

/** What a task is given to find the cluster's services. */
export interface TaskNetworkSettings {
  /** DNS servers for containers (the cluster's DNS address); undefined: the engine's own. */
  dns(): string[] | undefined;
  /** Environment for a process-runtime task (no DNS of ours reaches it): the services it may call. */
  processEnv?(task: Task): Record<string, string>;
}

/** Which tasks' output to read. Both given: the tasks must match both. Neither: every task on this node. */
export interface LogSelector {
  taskIds?: readonly string[];
  serviceId?: string;
}

export interface LogOptions {
  /** Keep streaming new lines until each task's container or process exits, or until aborted. */
  follow?: boolean;
  /** The last N lines of each task (docker's --tail); all lines when absent. */
  tail?: number;
  /** Ends the stream early; breaking out of the `for await` does the same. */
  signal?: AbortSignal;
}

export interface LogLine {
  taskId: string;
  serviceId: string;
  stream: 'stdout' | 'stderr';
  /** One line of output without its line break. */
  line: string;
  /** RFC 3339 in UTC with exactly nine fraction digits, so lines of several tasks sort as strings. */
  timestamp: string;
}

/** The secrets and configs the node was given for its tasks, by id (held in memory only). */
export interface AssignedBlobs {
  secrets: ReadonlyMap<string, AssignedBlob>;
  configs: ReadonlyMap<string, AssignedBlob>;
  /** Renders a `golang`-templated config's text for one task (the node's task templates); absent: such configs are refused. */
  render?: (text: string, task: Task) => string;
}

export const NO_BLOBS: AssignedBlobs = { secrets: new Map(), configs: new Map() };

export interface Executor {
  readonly nodeId: string;
  readonly runtime: ExecutorRuntimeKind;
  /**
   * The complete set of tasks assigned to this node, each with its desiredState.
   * Tasks not in the set are stopped (with their grace period) and removed with
   * their container; tasks of other nodes are ignored. The first call also adopts
   * what a previous executor of this node left on the host. Resolves once the set
   * is taken in (not once tasks run); calls are applied in order. Rejects when the
   * runtime cannot be reached; the next call tries again. `blobs` holds the
   * secrets and configs the tasks name: a task starting now gets its files
   * from it, and fails with the reason when one is missing.
   */
  assign(tasks: readonly Task[], blobs?: AssignedBlobs): Promise<void>;
  /** Output of this node's tasks whose container or log is still on the host. */
  logs(selector: LogSelector, options?: LogOptions): AsyncIterable<LogLine>;
  /**
   * Removes the named volumes with all these labels that no container uses (a removed
   * stack's); returns how many went. Runtimes without volumes remove nothing.
   */
  removeVolumes(labels: Readonly<Record<string, string>>): Promise<number>;
  /**
   * Resource counters of the tasks running now, by task id (lib/worker/metrics
   * turns two of them into a sample). Tasks that cannot be read are left out.
   */
  usage(): Promise<Map<string, UsageReading>>;
  /**
   * Stops watching and reporting. Docker containers keep running, for the next
   * executor of this node to adopt; the process runtime cannot adopt, so it ends
   * its processes (see docs/executor.md).
   */
  stop(): Promise<void>;
}

// The Executor the agent holds: it turns each full assignment into per-task
// runners (task-runner.ts) over one runtime, and on its first assignment takes
// over what a previous executor of this node left on the host.

import { isTerminal, Task } from '../../api/service-types';
import type { UsageReading } from '../metrics/usage';
import type { Runtime, RunningTask } from './controller';
import { hasFiles, NO_FILES, taskFiles } from './blob-files';
import { errorMessage } from './error-message';
import { readLogs } from './logs';
import { TaskRunner } from './task-runner';
import { NO_BLOBS } from './types';
import type { AssignedBlobs, Executor, ExecutorLogger, ExecutorOptions, ExecutorRuntimeKind, LogLine, LogOptions, LogSelector, StatusListener } from './types';

const SILENT: ExecutorLogger = { warn: () => undefined };

export class TaskExecutor implements Executor {
  readonly nodeId: string;
  private readonly onStatus: StatusListener;
  private readonly logger: ExecutorLogger;
  private readonly runners = new Map<string, TaskRunner>();
  /** Tasks being stopped and removed because they are no longer assigned. */
  private readonly removals = new Map<string, Promise<void>>();
  private adopted = false;
  private stopped = false;
  /** assign() and stop() run one at a time, in call order. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly rt: Runtime,
    options: ExecutorOptions,
  ) {
    this.nodeId = options.nodeId;
    const report = options.onStatus;
    this.onStatus = (taskId, status) => {
      if (isTerminal(status.state)) this.release(taskId);
      report(taskId, status);
    };
    this.logger = options.logger ?? SILENT;
  }

  get runtime(): ExecutorRuntimeKind {
    return this.rt.kind;
  }

  assign(tasks: readonly Task[], blobs: AssignedBlobs = NO_BLOBS): Promise<void> {
    return this.serially(() => this.apply(tasks, blobs));
  }

  removeVolumes(labels: Readonly<Record<string, string>>): Promise<number> {
    return this.rt.removeVolumes(labels);
  }

  async *logs(selector: LogSelector, options: LogOptions = {}): AsyncGenerator<LogLine> {
    yield* readLogs(await this.rt.logSources(selector), options);
  }

  /** Not queued behind assign(): a reading of what runs now needs no consistent view of the assignment. */
  async usage(): Promise<Map<string, UsageReading>> {
    if (this.stopped || !this.adopted) return new Map();
    const running = [...this.runners.values()].map((r) => r.running()).filter((r): r is RunningTask => r !== undefined);
    return running.length === 0 ? new Map() : this.rt.usage(running);
  }

  stop(): Promise<void> {
    return this.serially(async () => {
      if (this.stopped) return;
      this.stopped = true;
      const runners = [...this.runners.values()];
      this.runners.clear();
      await Promise.all(runners.map((r) => r.close(false)));
      await Promise.all(this.removals.values());
      await this.rt.close();
    });
  }

  private serially(op: () => Promise<void>): Promise<void> {
    const run = this.queue.then(op);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async apply(tasks: readonly Task[], blobs: AssignedBlobs): Promise<void> {
    if (this.stopped) throw new Error('executor is stopped');
    const mine = new Map<string, Task>();
    for (const t of tasks) {
      if (t.nodeId === this.nodeId) mine.set(t.id, t);
      else this.logger.warn('ignoring a task assigned to another node', { taskId: t.id, nodeId: t.nodeId });
    }
    if (!this.adopted) await this.adopt(mine);
    for (const [id, runner] of this.runners) {
      if (mine.has(id)) continue;
      this.runners.delete(id);
      this.removeInBackground(id, () => runner.close(true));
    }
    for (const task of mine.values()) {
      const runner = this.runners.get(task.id);
      if (runner !== undefined) {
        runner.update(task);
        continue;
      }
      // A task given back while its removal runs (rare) starts over once that is done.
      await this.removals.get(task.id);
      // The content is taken now, with the task: later assignments may forget it once the task ends.
      const ctrl = this.rt.controller(task, hasFiles(task) ? taskFiles(task, blobs) : NO_FILES);
      this.runners.set(task.id, new TaskRunner(task, ctrl, this.onStatus, this.logger));
    }
  }

  /** Connects the runtime and removes what it holds for tasks that are not assigned any more. */
  private async adopt(assigned: ReadonlyMap<string, Task>): Promise<void> {
    await this.rt.open();
    for (const id of await this.rt.list()) {
      if (!assigned.has(id)) this.removeInBackground(id, () => this.rt.removeLeftover(id));
    }
    this.adopted = true;
  }

  /** The task ended: what it held on the host besides its container (secrets and configs) goes now. */
  private release(taskId: string): void {
    this.rt.release?.(taskId).catch((e: unknown) => this.logger.warn('releasing an ended task failed', { taskId, err: errorMessage(e) }));
  }

  /** Stopping takes up to the task's grace period, which the next assignment need not wait for. */
  private removeInBackground(taskId: string, remove: () => Promise<void>): void {
    const done = remove()
      .catch((e: unknown) => this.logger.warn('removing a task failed', { taskId, err: errorMessage(e) }))
      .finally(() => {
        if (this.removals.get(taskId) === done) this.removals.delete(taskId);
      });
    this.removals.set(taskId, done);
  }
}

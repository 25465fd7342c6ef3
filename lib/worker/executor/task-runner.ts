// One task's lifecycle, the same for every runtime: take over whatever is on
// the host for it, then move it towards its desired state one step at a time
// (prepare, start, wait until running, wait for the exit, or stop), reporting
// each state it reaches. A step that waits is cut short when the desired state
// changes, and the loop looks again at what to do.

import type { PortConfig, Task, TaskState, TaskStatus } from '../../api/service-types';
import { isTerminal, taskStateRank } from '../../api/service-types';
import { isAbortError, sleep, whenAborted } from './abort';
import type { ExitInfo, Progress, RunDetails, RunningTask, TaskController } from './controller';
import { errorMessage } from './error-message';
import { mergeServed, sameServed } from './served-ports';
import { exitError, exitState, STATE_MESSAGES } from './status';
import type { ExecutorLogger, StatusListener } from './types';

/** Where the runner is with the task's container or process, whatever was reported. */
type Stage = 'unknown' | 'new' | 'created' | 'started' | 'running' | 'done';

/** After an unexpected error (the engine went away), the runner tries the step again this much later. */
const RETRY_MS = 1_000;
/**
 * When a running task's served ports are looked at again (a server may open
 * its socket late): soon after it starts, when most servers have bound, then
 * every 2 s.
 */
const SERVED_POLL_MS = [250, 750, 2_000];

function stopWanted(desired: TaskState): boolean {
  return taskStateRank(desired) > taskStateRank('running');
}

export class TaskRunner {
  private task: Task;
  private stage: Stage = 'unknown';
  /** The furthest state known, reported by us or recorded by the manager: reports never go below it. */
  private last: TaskState;
  /** Once after taking over a running container, its state may be reported again (now with its details). */
  private adopted = false;
  private details: RunDetails = {};
  /** When the task first ran: reported with every state from running on (the updater's monitor period counts from it). */
  private startedAt: string | undefined;
  private removed = false;
  private closing = false;
  /** Aborted whenever the task's desired state or start time changes, or the runner closes. */
  private cycle = new AbortController();
  private readonly loop: Promise<void>;
  private servedTimer: NodeJS.Timeout | undefined;

  constructor(
    task: Task,
    private readonly ctrl: TaskController,
    private readonly onStatus: StatusListener,
    private readonly logger: ExecutorLogger,
  ) {
    this.task = task;
    this.last = task.status.state;
    this.startedAt = task.status.startedAt;
    this.loop = this.drive();
  }

  update(task: Task): void {
    const before = this.task;
    this.task = task;
    if (taskStateRank(task.status.state) > taskStateRank(this.last)) this.last = task.status.state;
    this.startedAt ??= task.status.startedAt;
    if (before.desiredState !== task.desiredState || before.notBefore !== task.notBefore) this.interrupt();
  }

  /** The task and its container or process while it runs (and is reported running); else undefined. */
  running(): RunningTask | undefined {
    return this.stage === 'running' && !this.closing ? { task: this.task, details: this.details } : undefined;
  }

  /** Stops driving and reporting; with `remove`, also stops the task (with its grace) and removes it. */
  async close(remove: boolean): Promise<void> {
    this.closing = true;
    this.watchServed(false);
    this.interrupt();
    await this.loop;
    if (remove && !this.removed) await this.ctrl.remove();
  }

  private interrupt(): void {
    const old = this.cycle;
    this.cycle = new AbortController();
    old.abort();
  }

  private async drive(): Promise<void> {
    while (!this.closing) {
      const signal = this.cycle.signal;
      try {
        await this.step(signal);
      } catch (e) {
        if (isAbortError(e)) continue;
        this.logger.warn('task step failed; retrying', { taskId: this.task.id, stage: this.stage, err: errorMessage(e) });
        await sleep(RETRY_MS, signal).catch(() => undefined);
      }
    }
  }

  private async step(signal: AbortSignal): Promise<void> {
    if (this.stage === 'unknown') return this.adopt();
    if (this.stage !== 'done' && stopWanted(this.task.desiredState)) return this.shutdown();
    switch (this.stage) {
      case 'new':
        return this.prepare();
      case 'created':
        return this.start(signal);
      case 'started':
        return this.onProgress(await this.ctrl.wait('running', signal));
      case 'running':
        return this.onProgress(await this.ctrl.wait('exit', signal));
      case 'done':
        if (this.task.desiredState === 'remove' && !this.removed) {
          await this.ctrl.remove();
          this.removed = true;
          return;
        }
        return whenAborted(signal);
    }
  }

  /** Takes over what is on the host: nothing, a created container, a running one or an exited one. */
  private async adopt(): Promise<void> {
    const obs = await this.ctrl.observe();
    const over = isTerminal(this.last);
    switch (obs.phase) {
      case 'absent':
        if (over) this.stage = 'done';
        else if (taskStateRank(this.last) >= taskStateRank('starting')) {
          this.emit('failed', { err: obs.lost ?? 'task: container is gone' });
          this.stage = 'done';
        } else this.stage = 'new';
        return;
      case 'created':
        this.stage = over ? 'done' : 'created';
        return;
      case 'running':
        this.details = obs.details;
        if (over) {
          // The manager gave up on this task (e.g. orphaned while the node was away).
          await this.ctrl.stop(this.task.spec.container.stopGracePeriodMs);
          this.stage = 'done';
          return;
        }
        this.adopted = true;
        this.stage = 'started';
        return;
      case 'exited':
        this.details = obs.details;
        if (!over) this.emitExit(obs.exit);
        this.stage = 'done';
        return;
    }
  }

  private async prepare(): Promise<void> {
    this.emit('accepted');
    this.emit('preparing');
    try {
      this.details = { ...this.details, ...(await this.ctrl.prepare()) };
    } catch (e) {
      this.emit('rejected', { err: errorMessage(e) });
      this.stage = 'done';
      return;
    }
    this.stage = 'created';
    this.emit('ready');
  }

  private async start(signal: AbortSignal): Promise<void> {
    // A desired state below running (READY) means: prepared, but not started yet.
    if (taskStateRank(this.task.desiredState) < taskStateRank('running')) return whenAborted(signal);
    const notBefore = this.task.notBefore !== undefined ? Date.parse(this.task.notBefore) : NaN;
    if (notBefore > Date.now()) return sleep(notBefore - Date.now(), signal);
    this.emit('starting');
    try {
      await this.ctrl.start();
    } catch (e) {
      this.emit('failed', { err: `starting: ${errorMessage(e)}` });
      this.stage = 'done';
      return;
    }
    this.stage = 'started';
  }

  private async onProgress(p: Progress): Promise<void> {
    switch (p.kind) {
      case 'running':
        this.details = { ...this.details, ...p.details };
        this.stage = 'running';
        this.emit('running');
        this.watchServed(true);
        return;
      case 'exited':
        this.stage = 'done';
        this.emitExit(p.exit);
        return;
      case 'failed': {
        // Stopped before it is reported, so a replacement never runs beside it.
        const stopped = await this.ctrl.stop(this.task.spec.container.stopGracePeriodMs);
        this.stage = 'done';
        this.emit('failed', { err: p.err, exitCode: stopped.exit?.exitCode });
        return;
      }
    }
  }

  private async shutdown(): Promise<void> {
    if (this.stage === 'started' || this.stage === 'running') {
      const stopped = await this.ctrl.stop(this.task.spec.container.stopGracePeriodMs);
      this.stage = 'done';
      // It had exited on its own before we asked: that exit is what happened to it.
      if (!stopped.byUs && stopped.exit !== undefined) this.emitExit(stopped.exit);
      else this.emit('shutdown', { exitCode: stopped.exit?.exitCode });
      return;
    }
    this.stage = 'done';
    this.emit('shutdown');
  }

  /** While the task runs, a change in the ports it serves is reported (the same state, with the news). */
  private watchServed(on: boolean): void {
    if (!on || !this.ctrl.served) {
      if (this.servedTimer) clearTimeout(this.servedTimer);
      this.servedTimer = undefined;
      return;
    }
    if (this.servedTimer) return;
    const check = async () => {
      if (this.stage !== 'running' || this.closing) return this.watchServed(false);
      const now = await this.ctrl.served?.().catch(() => undefined);
      if (now === undefined || this.stage !== 'running' || this.closing) return;
      const served = mergeServed(this.details.served ?? [], now);
      if (sameServed(served, this.details.served)) return;
      this.details = { ...this.details, served };
      this.emit('running', {}, true);
    };
    let polls = 0;
    const again = (): void => {
      const delay = SERVED_POLL_MS[Math.min(polls++, SERVED_POLL_MS.length - 1)];
      const timer: NodeJS.Timeout = setTimeout(() => {
        void check().finally(() => {
          // Only this chain's own timer continues it: a stop, or a newer chain, ends it.
          if (this.servedTimer === timer) again();
        });
      }, delay);
      timer.unref();
      this.servedTimer = timer;
    };
    again();
    void check();
  }

  private emitExit(exit: ExitInfo): void {
    this.emit(exitState(exit), { exitCode: exit.exitCode, err: exitError(exit) });
  }

  private emit(state: TaskState, extra: { err?: string; exitCode?: number } = {}, news = false): void {
    if (state !== 'running') this.watchServed(false);
    const again = this.adopted || news;
    this.adopted = false;
    const rank = taskStateRank(state);
    const last = taskStateRank(this.last);
    if (rank < last || (rank === last && !again)) return;
    this.last = state;
    if (this.closing) return;
    const status: TaskStatus = {
      state,
      timestamp: new Date().toISOString(),
      message: STATE_MESSAGES[state] ?? state,
    };
    if (state === 'running') this.startedAt ??= status.timestamp;
    if (this.startedAt !== undefined && rank >= taskStateRank('running')) status.startedAt = this.startedAt;
    if (extra.err !== undefined) status.err = extra.err;
    if (this.details.containerId !== undefined) status.containerId = this.details.containerId;
    if (this.details.pid !== undefined && state === 'running') status.pid = this.details.pid;
    if (extra.exitCode !== undefined) status.exitCode = extra.exitCode;
    if (this.details.ports !== undefined && this.details.ports.length > 0 && taskStateRank(state) >= taskStateRank('running')) {
      status.ports = this.details.ports.map((p): PortConfig => ({ ...p }));
    }
    if (state === 'running') {
      if (this.details.addr !== undefined) status.addr = this.details.addr;
      if (this.details.served !== undefined && this.details.served.length > 0) status.served = this.details.served.map((p) => ({ ...p }));
    }
    try {
      this.onStatus(this.task.id, status);
    } catch (e) {
      this.logger.warn('status listener threw', { taskId: this.task.id, err: errorMessage(e) });
    }
  }
}

// The node's side of task execution: the assignments the dispatcher sends go
// to the executor (in order, the latest winning), and every status change the
// executor observes goes back in batches. The newest status of each assigned
// task is remembered and sent again after each registration, so a report that
// a dying leader never committed reaches its successor. Every few seconds
// the running tasks' resource use goes up too (metrics/sampler.ts).

import { DISPATCHER_CHUNK_BYTES, LogsRequest, TaskStatusUpdate, WireLogLine } from '../api/dispatcher-protocol';
import { Task, TaskState, TaskStatus } from '../api/service-types';
import { Agent } from './agent';
import { Executor } from './executor';
import { AssignedBlobs, NO_BLOBS } from './executor/types';
import { MetricsSampler } from './metrics/sampler';
import { expandTaskTemplates, expandTemplate, TemplateNode } from './task-templates';

const SEND_DELAY_MS = 10;
const LOG_BATCH = 200;
const STATUS_BATCH = 1_000;
const LOG_FLUSH_MS = 50;

export interface TaskWorkerLogger {
  warn(msg: string): void;
}

export class TaskWorker {
  private latest = new Map<string, TaskStatus>();
  private unsent = new Set<string>();
  private sendTimer?: NodeJS.Timeout;
  private assigning: Promise<void> = Promise.resolve();
  private wanted: readonly Task[] | undefined;
  private retryTimer?: NodeJS.Timeout;
  private stopped = false;
  private readonly off: Array<() => void> = [];
  private readonly logStreams = new Map<string, AbortController>();
  private readonly sampler: MetricsSampler;

  constructor(
    private readonly agent: Agent,
    private readonly executor: Executor,
    private readonly log: TaskWorkerLogger,
    private readonly node: TemplateNode,
    /** Awaited before each assignment reaches the executor (the node's network table, which containers need first). */
    private readonly beforeAssign: () => Promise<void> = async () => undefined,
  ) {
    this.sampler = new MetricsSampler({
      // Without a session the figures would go nowhere: the engine is not asked.
      read: () => (agent.state === 'registered' ? executor.usage() : Promise.resolve(new Map())),
      send: (samples) => agent.send({ v: 1, type: 'taskMetrics', samples }),
      logger: log,
    });
    this.sampler.start();
    this.off.push(
      agent.on('assignments', (tasks, blobs) => this.assign(tasks, blobs)),
      agent.on('message', (m) => {
        if (m.type === 'logsRequest') void this.streamLogs(m);
        else if (m.type === 'logsCancel') this.logStreams.get(m.requestId)?.abort();
        else if (m.type === 'removeVolumes') {
          this.executor.removeVolumes(m.labels).catch((e: unknown) => this.log.warn(`removing volumes: ${e instanceof Error ? e.message : String(e)}`));
        }
      }),
      // A stream belongs to its session: the next leader's reader asks again.
      agent.on('disconnected', () => {
        for (const c of this.logStreams.values()) c.abort();
      }),
      agent.on('registered', () => {
        for (const id of this.latest.keys()) this.unsent.add(id);
        this.scheduleSend();
      }),
    );
  }

  /** The executor's status listener. */
  readonly onStatus = (taskId: string, status: TaskStatus): void => {
    this.latest.set(taskId, status);
    this.unsent.add(taskId);
    this.scheduleSend();
  };

  /** How many of the tasks assigned here are in each state, as last reported by the executor (for metrics). */
  stateCounts(): Map<TaskState, number> {
    const counts = new Map<TaskState, number>();
    for (const s of this.latest.values()) counts.set(s.state, (counts.get(s.state) ?? 0) + 1);
    return counts;
  }

  private assign(tasks: readonly Task[], blobs: AssignedBlobs = NO_BLOBS): void {
    this.wanted = tasks;
    const ids = new Set(tasks.map((t) => t.id));
    for (const id of this.latest.keys()) {
      if (!ids.has(id)) {
        this.latest.delete(id);
        this.unsent.delete(id);
      }
    }
    // Only the newest list matters; calls queue so the executor sees them in order.
    this.assigning = this.assigning.then(async () => {
      if (this.stopped || this.wanted !== tasks) return;
      await this.beforeAssign();
      if (this.stopped || this.wanted !== tasks) return;
      try {
        await this.executor.assign(
          tasks.map((t) => expandTaskTemplates(t, this.node)),
          { ...blobs, render: (text, task) => expandTemplate(text, task, this.node) },
        );
      } catch (e) {
        this.log.warn(`could not apply the task assignments (will retry): ${e instanceof Error ? e.message : String(e)}`);
        if (this.retryTimer) clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => {
          if (this.wanted === tasks) this.assign(tasks, blobs);
        }, 1000);
      }
    });
  }

  private scheduleSend(): void {
    if (this.sendTimer || this.stopped) return;
    this.sendTimer = setTimeout(() => {
      this.sendTimer = undefined;
      this.flush();
    }, SEND_DELAY_MS);
  }

  private flush(): void {
    if (this.unsent.size === 0) return;
    let updates: TaskStatusUpdate[] = [];
    let bytes = 0;
    // Split so no message comes near the frame bound, however many tasks changed at once.
    const send = (): boolean => {
      if (updates.length === 0) return true;
      if (!this.agent.send({ v: 1, type: 'taskStatus', updates })) return false;
      for (const u of updates) this.unsent.delete(u.taskId);
      updates = [];
      bytes = 0;
      return true;
    };
    for (const id of [...this.unsent]) {
      const status = this.latest.get(id);
      if (!status) {
        this.unsent.delete(id);
        continue;
      }
      const size = Buffer.byteLength(JSON.stringify({ taskId: id, status })) + 1;
      if ((bytes + size > DISPATCHER_CHUNK_BYTES || updates.length >= STATUS_BATCH) && !send()) return;
      updates.push({ taskId: id, status });
      bytes += size;
    }
    // Without a session they wait for the next registration, which sends them all.
    send();
  }

  /** Sends the requested output in batches, then logsEnd (with the error, if reading failed). */
  private async streamLogs(r: LogsRequest): Promise<void> {
    const abort = new AbortController();
    this.logStreams.set(r.requestId, abort);
    let batch: WireLogLine[] = [];
    let batchBytes = 0;
    let timer: NodeJS.Timeout | undefined;
    const flush = (): void => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (batch.length === 0) return;
      if (!this.agent.send({ v: 1, type: 'logs', requestId: r.requestId, lines: batch })) abort.abort();
      batch = [];
      batchBytes = 0;
    };
    let error: string | undefined;
    try {
      const selector = { taskIds: r.taskIds, serviceId: r.serviceId };
      for await (const l of this.executor.logs(selector, { follow: r.follow, tail: r.tail, signal: abort.signal })) {
        // Long lines (a JSON blob each) fill a message by size before they fill it by count.
        const size = Buffer.byteLength(l.line) + 128;
        if (batchBytes + size > DISPATCHER_CHUNK_BYTES) flush();
        batch.push({ taskId: l.taskId, stream: l.stream, line: l.line, timestamp: l.timestamp });
        batchBytes += size;
        if (batch.length >= LOG_BATCH) flush();
        else timer ??= setTimeout(flush, LOG_FLUSH_MS);
      }
    } catch (e) {
      if (!abort.signal.aborted) error = e instanceof Error ? e.message : String(e);
    } finally {
      flush();
      this.logStreams.delete(r.requestId);
    }
    if (!abort.signal.aborted || error) {
      this.agent.send(error ? { v: 1, type: 'logsEnd', requestId: r.requestId, error } : { v: 1, type: 'logsEnd', requestId: r.requestId });
    }
  }

  /** Leaving the swarm: every task's container or process is stopped and removed. */
  async removeAll(): Promise<void> {
    this.wanted = [];
    await this.assigning.catch(() => undefined);
    await this.executor.assign([]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.sampler.stop();
    for (const c of this.logStreams.values()) c.abort();
    for (const f of this.off) f();
    if (this.sendTimer) clearTimeout(this.sendTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.assigning.catch(() => undefined);
    await this.executor.stop();
  }
}

// Tasks as child processes of the agent, with their records, output and
// working directories under one state directory.

import { mkdirSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { readingFromGroup, scanProcessGroups } from '../../metrics/proc-stats';
import type { UsageReading } from '../../metrics/usage';
import type { Task } from '../../../api/service-types';
import type { LogSource, Runtime, RunningTask, TaskController } from '../controller';
import type { LogLine, LogSelector, TaskNetworkSettings } from '../types';
import type { OutputLog } from './output-log';
import { readLogFile } from './output-log';
import { endLeftover, ProcessController, ProcessRuntimeState } from './process-controller';
import { listRecords, TaskFiles } from './task-files';

/** A leftover found without a record of its grace period is given docker's default. */
const LEFTOVER_GRACE_MS = 10_000;

class ProcessLogSource implements LogSource {
  constructor(
    private readonly file: string,
    readonly taskId: string,
    readonly serviceId: string,
    private readonly live: Map<string, OutputLog>,
  ) {}

  async read(tail: number | undefined): Promise<LogLine[]> {
    return readLogFile(this.file, this, tail);
  }

  async follow(tail: number | undefined, push: (line: LogLine) => void, signal: AbortSignal): Promise<void> {
    const log = this.live.get(this.taskId);
    if (log !== undefined) return log.follow(tail, push, signal);
    for (const line of readLogFile(this.file, this, tail)) push(line);
  }
}

export class ProcessRuntime implements Runtime {
  readonly kind = 'process' as const;

  /** Processes have no volumes (mounts are refused for them). */
  async removeVolumes(): Promise<number> {
    return 0;
  }

  private readonly shared: ProcessRuntimeState;

  constructor(stateDir: string, nodeId: string, network?: TaskNetworkSettings) {
    this.shared = { stateDir, nodeId, live: new Map(), running: new Set(), network };
  }

  async open(): Promise<void> {
    mkdirSync(this.shared.stateDir, { recursive: true });
  }

  async list(): Promise<Set<string>> {
    return new Set(listRecords(this.shared.stateDir, this.shared.nodeId).map((r) => r.taskId));
  }

  controller(task: Task): TaskController {
    return new ProcessController(task, this.shared);
  }

  async removeLeftover(taskId: string): Promise<void> {
    const files = new TaskFiles(this.shared.stateDir, taskId);
    const rec = files.read();
    if (rec === undefined || rec.nodeId !== this.shared.nodeId) return;
    if (rec.pid !== undefined && rec.exit === undefined) endLeftover(rec.pid, rec.procStart, LEFTOVER_GRACE_MS);
    files.remove();
  }

  async logSources(selector: LogSelector): Promise<LogSource[]> {
    const wanted = selector.taskIds !== undefined ? new Set(selector.taskIds) : undefined;
    return listRecords(this.shared.stateDir, this.shared.nodeId)
      .filter((r) => (wanted === undefined || wanted.has(r.taskId)) && (selector.serviceId === undefined || r.serviceId === selector.serviceId))
      .map((r) => new ProcessLogSource(new TaskFiles(this.shared.stateDir, r.taskId).logFile, r.taskId, r.serviceId, this.shared.live));
  }

  /** Each task's process group (its pid is the group id), from one pass over /proc. */
  async usage(running: readonly RunningTask[]): Promise<Map<string, UsageReading>> {
    const withPid = running.filter((r): r is RunningTask & { details: { pid: number } } => r.details.pid !== undefined);
    const groups = await scanProcessGroups(new Set(withPid.map((r) => r.details.pid)));
    const at = Date.now();
    const out = new Map<string, UsageReading>();
    for (const r of withPid) {
      // Without a limit, docker stats shows the host's memory as the limit; so does this.
      const limit = r.task.spec.resources.limits.memoryBytes || totalmem();
      const reading = readingFromGroup(groups.get(r.details.pid) ?? [], at, limit, availableParallelism());
      if (reading) out.set(r.task.id, reading);
    }
    return out;
  }

  /** Nothing can supervise the processes once the executor is gone: they are stopped (see docs/executor.md). */
  async close(): Promise<void> {
    await Promise.all([...this.shared.running].map((c) => c.release()));
  }
}

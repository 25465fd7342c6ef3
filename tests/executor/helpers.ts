import { EventEmitter } from 'node:events';
import { newObjectId } from '../../lib/api/ids';
import type { ContainerSpec, Task, TaskState, TaskStatus } from '../../lib/api/service-types';
import { DEFAULT_RESTART_POLICY, taskStateRank } from '../../lib/api/service-types';
import type { Executor, LogLine, LogOptions, LogSelector } from '../../lib/worker/executor';

export interface TaskOverrides {
  id?: string;
  nodeId: string;
  serviceId?: string;
  serviceName?: string;
  slot?: number;
  container?: Partial<ContainerSpec>;
  limits?: { nanoCPUs?: number; memoryBytes?: number };
  ports?: Task['ports'];
  desiredState?: TaskState;
  status?: TaskState;
}

export function makeTask(o: TaskOverrides): Task {
  const now = new Date().toISOString();
  return {
    id: o.id ?? newObjectId(),
    meta: { version: 1, createdAt: now, updatedAt: now },
    serviceId: o.serviceId ?? 'svc0000000000000000000001',
    serviceName: o.serviceName ?? 'web',
    slot: o.slot ?? 1,
    nodeId: o.nodeId,
    spec: {
      container: { image: 'unused', env: [], labels: {}, mounts: [], stopGracePeriodMs: 1_000, ...o.container },
      resources: {
        limits: { nanoCPUs: o.limits?.nanoCPUs ?? 0, memoryBytes: o.limits?.memoryBytes ?? 0 },
        reservations: { nanoCPUs: 0, memoryBytes: 0 },
      },
      restartPolicy: DEFAULT_RESTART_POLICY,
      placement: { constraints: [], preferences: [], maxReplicas: 0 },
      forceUpdate: 0,
    },
    ports: o.ports ?? [],
    specVersion: 1,
    desiredState: o.desiredState ?? 'running',
    status: { state: o.status ?? 'assigned', timestamp: now, message: 'assigned' },
  };
}

/** The same task with another desired state, as the manager would send it. */
export function withDesired(task: Task, desiredState: TaskState): Task {
  return { ...task, desiredState };
}

/** The same task as the manager would have it after `state` was reported. */
export function withStatus(task: Task, state: TaskState): Task {
  return { ...task, status: { ...task.status, state } };
}

/** Collects status reports and waits on them without sleeping. */
export class StatusLog {
  readonly byTask = new Map<string, TaskStatus[]>();
  private readonly emitter = new EventEmitter();

  readonly listener = (taskId: string, status: TaskStatus): void => {
    let list = this.byTask.get(taskId);
    if (list === undefined) this.byTask.set(taskId, (list = []));
    list.push(status);
    this.emitter.emit('status');
  };

  states(taskId: string): TaskState[] {
    return (this.byTask.get(taskId) ?? []).map((s) => s.state);
  }

  last(taskId: string): TaskStatus | undefined {
    return this.byTask.get(taskId)?.at(-1);
  }

  /** The first report of `taskId` reaching at least `state` (a later state counts: it skipped past). */
  async reach(taskId: string, state: TaskState, timeoutMs = 15_000): Promise<TaskStatus> {
    const find = (): TaskStatus | undefined =>
      this.byTask.get(taskId)?.find((s) => taskStateRank(s.state) >= taskStateRank(state));
    const found = find();
    if (found !== undefined) return found;
    return new Promise<TaskStatus>((resolve, reject) => {
      const onStatus = (): void => {
        const s = find();
        if (s === undefined) return;
        clearTimeout(timer);
        this.emitter.off('status', onStatus);
        resolve(s);
      };
      const timer = setTimeout(() => {
        this.emitter.off('status', onStatus);
        reject(new Error(`task ${taskId} did not reach ${state} within ${timeoutMs} ms; reported: ${this.states(taskId).join(', ') || 'nothing'}`));
      }, timeoutMs);
      this.emitter.on('status', onStatus);
    });
  }

  /** Every report of every task went forward, never back nor sideways. */
  expectForwardOnly(): void {
    for (const [taskId, list] of this.byTask) {
      const ranks = list.map((s) => taskStateRank(s.state));
      for (let i = 1; i < ranks.length; i++) {
        if (ranks[i] <= ranks[i - 1]) throw new Error(`task ${taskId} went from ${list[i - 1].state} to ${list[i].state}`);
      }
    }
  }
}

export async function collectLogs(executor: Executor, selector: LogSelector, options: LogOptions = {}): Promise<LogLine[]> {
  const out: LogLine[] = [];
  for await (const line of executor.logs(selector, options)) out.push(line);
  return out;
}

/** Follows a task's logs until a line matching `pattern` arrives, then stops following. */
export async function waitForLine(executor: Executor, taskId: string, pattern: RegExp, timeoutMs = 10_000): Promise<LogLine> {
  const signal = AbortSignal.timeout(timeoutMs);
  for await (const line of executor.logs({ taskIds: [taskId] }, { follow: true, signal })) {
    if (pattern.test(line.line)) return line;
  }
  throw new Error(`no line matching ${String(pattern)} from task ${taskId} within ${timeoutMs} ms${signal.aborted ? '' : ' (its output ended)'}`);
}

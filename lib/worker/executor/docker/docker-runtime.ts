// Tasks as containers on the local Docker engine, seen only through this
// node's label.

import type Docker from 'dockerode';
import type { Task } from '../../../api/service-types';
import { mapBounded } from '../../../util/map-bounded';
import { readingFromDockerStats } from '../../metrics/docker-stats';
import type { UsageReading } from '../../metrics/usage';
import type { LogSource, Runtime, RunningTask, TaskController } from '../controller';
import type { ExecutorLogger, LogSelector, TaskNetworkSettings } from '../types';
import type { TaskFiles } from '../blob-files';
import type { TmpfsFiles } from '../tmpfs-files';
import { ContainerEvents } from './container-events';
import { DockerController } from './docker-controller';
import { DockerLogSource } from './docker-logs';
import { ignoringStatus } from './engine-errors';
import { labelFilter, NODE_LABEL, SERVICE_ID_LABEL, TASK_ID_LABEL } from './labels';

/** Stats calls in flight at once: the engine answers each from the cgroup files, but not for free. */
const STATS_PARALLEL = 4;
/** A stats call that takes longer is given up (and its request aborted): the next round asks again. */
const STATS_TIMEOUT_MS = 3_000;

export class DockerRuntime implements Runtime {
  readonly kind = 'docker' as const;
  private readonly events: ContainerEvents;

  async removeVolumes(labels: Readonly<Record<string, string>>): Promise<number> {
    const filter = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
    const { Volumes } = await this.docker.listVolumes({ filters: { label: filter } });
    let removed = 0;
    for (const v of Volumes ?? []) {
      try {
        await this.docker.getVolume(v.Name).remove();
        removed++;
      } catch {
        // In use (a container of another node sharing the engine still stops): left for a later call.
      }
    }
    return removed;
  }

  constructor(
    private readonly docker: Docker,
    private readonly nodeId: string,
    private readonly logger: ExecutorLogger,
    private readonly network: TaskNetworkSettings | undefined,
    private readonly tmpfs: TmpfsFiles,
  ) {
    this.events = new ContainerEvents(docker, nodeId, logger);
  }

  async open(): Promise<void> {
    await this.events.open();
    // A crash leaves the files of tasks whose containers went meanwhile; those still there keep theirs.
    try {
      const gone = await this.tmpfs.removeAllBut(await this.list());
      if (gone.length > 0) this.logger.info?.('removed the secrets and configs of tasks that have no container any more', { tasks: gone.length });
    } catch (e) {
      // Tasks still run; the next start tries again.
      this.logger.warn('could not remove the files of ended tasks', { dir: this.tmpfs.root, err: e instanceof Error ? e.message : String(e) });
    }
  }

  async list(): Promise<Set<string>> {
    const containers = await this.containers([]);
    return new Set(containers.map((c) => c.Labels[TASK_ID_LABEL]).filter((id): id is string => id !== undefined));
  }

  controller(task: Task, files: TaskFiles): TaskController {
    return new DockerController(this.docker, this.events, task, this.nodeId, this.network, files, this.tmpfs);
  }

  release(taskId: string): Promise<void> {
    return this.tmpfs.remove(taskId);
  }

  async removeLeftover(taskId: string): Promise<void> {
    for (const c of await this.containers([labelFilter(TASK_ID_LABEL, taskId)])) {
      const container = this.docker.getContainer(c.Id);
      // The engine's stop uses the StopTimeout the container was created with, the task's grace.
      // 304: already stopped; 404: gone.
      if (c.State === 'running') await ignoringStatus([304, 404], () => container.stop());
      await ignoringStatus([404, 409], () => container.remove({ force: true, v: true }));
    }
    await this.tmpfs.remove(taskId);
  }

  async logSources(selector: LogSelector): Promise<LogSource[]> {
    const filters = selector.serviceId !== undefined ? [labelFilter(SERVICE_ID_LABEL, selector.serviceId)] : [];
    const wanted = selector.taskIds !== undefined ? new Set(selector.taskIds) : undefined;
    const sources: LogSource[] = [];
    for (const c of await this.containers(filters)) {
      const taskId = c.Labels[TASK_ID_LABEL];
      if (taskId === undefined || (wanted !== undefined && !wanted.has(taskId))) continue;
      sources.push(new DockerLogSource(this.docker.getContainer(c.Id), taskId, c.Labels[SERVICE_ID_LABEL] ?? ''));
    }
    return sources;
  }

  async usage(running: readonly RunningTask[]): Promise<Map<string, UsageReading>> {
    const ids = running.flatMap((r) => (r.details.containerId !== undefined ? [{ taskId: r.task.id, containerId: r.details.containerId }] : []));
    const readings = await mapBounded(ids, STATS_PARALLEL, async ({ containerId }) => {
      // one-shot (API 1.41+): the engine answers at once instead of waiting a second
      // for its own second reading; the sampler keeps the previous one instead.
      const options = { stream: false as const, 'one-shot': true, abortSignal: AbortSignal.timeout(STATS_TIMEOUT_MS) };
      const stats: unknown = await this.docker.getContainer(containerId).stats(options);
      return readingFromDockerStats(stats, Date.now());
    });
    const out = new Map<string, UsageReading>();
    ids.forEach(({ taskId }, i) => {
      const r = readings[i];
      if (r !== undefined) out.set(taskId, r);
    });
    return out;
  }

  async close(): Promise<void> {
    this.events.close();
  }

  /** This node's containers, stopped ones too, narrowed by more label filters. */
  private containers(labels: string[]): Promise<Docker.ContainerInfo[]> {
    return this.docker.listContainers({ all: true, filters: { label: [labelFilter(NODE_LABEL, this.nodeId), ...labels] } });
  }
}

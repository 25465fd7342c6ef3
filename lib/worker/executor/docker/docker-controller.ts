// One task's container on the local engine. Every wait is "inspect, and if the
// answer is not there yet, sleep until the engine says something happened to
// the container" (see container-events.ts), never a poll loop.

import type Docker from 'dockerode';
import type { Task } from '../../../api/service-types';
import { taskName } from '../../../api/service-types';
import { Doorbell, isAbortError, throwIfAborted } from '../abort';
import type { ExitInfo, Observation, Progress, RunDetails, TaskController } from '../controller';
import { UNHEALTHY_ERROR } from '../status';
import { containerConfig, hostModePorts, publishedPorts, unpublishedPorts } from './container-config';
import type { ContainerEvents } from './container-events';
import { engineMessage, ignoringStatus, isNotFound } from './engine-errors';
import { ensureImage } from './image';
import { NO_FILES, TaskFiles } from '../blob-files';
import type { FileMount, TmpfsFiles } from '../tmpfs-files';
import { NODE_LABEL, TASK_ID_LABEL } from './labels';
import type { ServedPort } from '../../../api/network-types';
import type { TaskNetworkSettings } from '../types';
import { exposedPorts, listeningPorts, mergeServed } from '../served-ports';

/** A waiter re-inspects this often even without events: the fallback if the stream misses one. */
const REINSPECT_MS = 15_000;

type Inspect = Docker.ContainerInspectInfo;

function isRunning(info: Inspect): boolean {
  return info.State.Running || info.State.Status === 'running' || info.State.Status === 'paused' || info.State.Status === 'restarting';
}

function hasExited(info: Inspect): boolean {
  return info.State.Status === 'exited' || info.State.Status === 'dead';
}

function exitOf(info: Inspect): ExitInfo {
  const reason = info.State.OOMKilled ? 'OOM killed' : info.State.Error !== '' ? info.State.Error : undefined;
  return reason !== undefined ? { exitCode: info.State.ExitCode, reason } : { exitCode: info.State.ExitCode };
}

function detailsOf(info: Inspect): RunDetails {
  const details: RunDetails = { containerId: info.Id, ports: publishedPorts(info.NetworkSettings.Ports) };
  if (info.State.Pid > 0) details.pid = info.State.Pid;
  const addr = containerAddr(info);
  if (addr !== undefined) details.addr = addr;
  const exposed = exposedPorts(info.Config.ExposedPorts);
  if (exposed.length > 0) details.served = exposed;
  return details;
}

/** The container's IPv4 address on its engine (the default bridge, or the first network it is on). */
function containerAddr(info: Inspect): string | undefined {
  // @types/dockerode omits the top-level IPAddress the engine still reports for the default bridge.
  const ns = info.NetworkSettings as Inspect['NetworkSettings'] & { IPAddress?: string };
  if (ns.IPAddress) return ns.IPAddress;
  for (const n of Object.values(ns.Networks ?? {})) if (n.IPAddress) return n.IPAddress;
  return undefined;
}

export class DockerController implements TaskController {
  private containerId: string | undefined;

  constructor(
    private readonly docker: Docker,
    private readonly events: ContainerEvents,
    private readonly task: Task,
    private readonly nodeId: string,
    private readonly network: TaskNetworkSettings | undefined,
    /** Until prepare() wrote them: the content is not kept longer than needed. */
    private files: TaskFiles,
    private readonly tmpfs: TmpfsFiles,
  ) {}

  async served(): Promise<ServedPort[] | undefined> {
    const info = await this.inspect();
    if (info === undefined || !isRunning(info) || !(info.State.Pid > 0)) return undefined;
    return mergeServed(exposedPorts(info.Config.ExposedPorts), await listeningPorts(info.State.Pid));
  }

  async observe(): Promise<Observation> {
    const info = await this.inspect();
    if (info === undefined) return { phase: 'absent', lost: `task: container ${taskName(this.task)} no longer exists` };
    // A container of the task exists (adopted): it is never prepared again, so its files' content is not kept.
    this.files = NO_FILES;
    if (info.State.Status === 'created') return { phase: 'created' };
    if (hasExited(info)) return { phase: 'exited', exit: exitOf(info), details: detailsOf(info) };
    return { phase: 'running', details: detailsOf(info) };
  }

  async prepare(): Promise<RunDetails> {
    await ensureImage(this.docker, this.task.spec.container.image);
    await this.checkPortsPublishable();
    const files = this.files;
    if (!files.ok) throw new Error(files.error);
    let mounts: FileMount[];
    try {
      mounts = await this.tmpfs.write(this.task.id, files.files);
    } catch (e) {
      throw new Error(`writing the task's secrets and configs: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.files = NO_FILES;
    try {
      const container = await this.docker.createContainer(containerConfig(this.task, this.nodeId, { dns: this.network?.dns() }, mounts));
      this.containerId = container.id;
      return { containerId: container.id };
    } catch (e) {
      // The engine's reason is the one to report; a failed clean-up is retried with the task's removal.
      await this.tmpfs.remove(this.task.id).catch(() => undefined);
      throw new Error(`creating container: ${engineMessage(e)}`);
    }
  }

  async start(): Promise<void> {
    try {
      await this.container().start();
    } catch (e) {
      throw new Error(engineMessage(e));
    }
  }

  wait(until: 'running' | 'exit', signal: AbortSignal): Promise<Progress> {
    return this.watch((info) => this.progress(info, until), signal);
  }

  async stop(graceMs: number): Promise<{ byUs: boolean; exit?: ExitInfo }> {
    const info = await this.inspect();
    if (info === undefined) return { byUs: false };
    if (!isRunning(info)) return { byUs: false, exit: hasExited(info) ? exitOf(info) : undefined };
    // Our own SIGTERM-then-SIGKILL rather than the engine's stop, whose grace is whole seconds.
    const stopSignal = (info.Config as { StopSignal?: string }).StopSignal || 'SIGTERM';
    await this.kill(stopSignal);
    const exited = (i: Inspect | undefined): ExitInfo | undefined =>
      i === undefined ? { exitCode: 137, reason: 'container removed' } : hasExited(i) ? exitOf(i) : undefined;
    try {
      return { byUs: true, exit: await this.watch(exited, AbortSignal.timeout(Math.max(0, graceMs))) };
    } catch (e) {
      if (!isAbortError(e)) throw e;
      await this.kill('SIGKILL');
      return { byUs: true, exit: await this.watch(exited, new AbortController().signal) };
    }
  }

  async remove(): Promise<void> {
    const info = await this.inspect();
    if (info !== undefined) {
      if (isRunning(info)) await this.stop(this.task.spec.container.stopGracePeriodMs);
      // 409: a removal is already under way.
      await ignoringStatus([404, 409], () => this.docker.getContainer(info.Id).remove({ force: true, v: true }));
    }
    // Also when the container was never created (prepare failed after writing them).
    await this.tmpfs.remove(this.task.id);
  }

  private container(): Docker.Container {
    return this.docker.getContainer(this.containerId ?? taskName(this.task));
  }

  /** The task's container, if there is one and it is ours (node and task labels match). */
  private async inspect(): Promise<Inspect | undefined> {
    let info: Inspect;
    try {
      info = await this.container().inspect();
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
    const labels = info.Config.Labels ?? {};
    if (labels[NODE_LABEL] !== this.nodeId || labels[TASK_ID_LABEL] !== this.task.id) return undefined;
    this.containerId = info.Id;
    return info;
  }

  private progress(info: Inspect | undefined, until: 'running' | 'exit'): Progress | undefined {
    if (info === undefined) return { kind: 'failed', err: `task: container ${taskName(this.task)} was removed` };
    if (hasExited(info)) {
      // It did run, however briefly: reported as RUNNING first, unless it had a health check to pass.
      if (until === 'running' && info.State.Health === undefined && !info.State.StartedAt.startsWith('0001-')) return { kind: 'running', details: detailsOf(info) };
      return { kind: 'exited', exit: exitOf(info) };
    }
    if (!isRunning(info)) return undefined;
    const health = info.State.Health?.Status;
    if (health === 'unhealthy') return { kind: 'failed', err: UNHEALTHY_ERROR };
    if (until === 'exit' || health === 'starting') return undefined;
    const details = detailsOf(info);
    const missing = unpublishedPorts(hostModePorts(this.task), details.ports ?? []);
    if (missing.length > 0) return { kind: 'failed', err: `host-mode port ${missing.join(', ')} was not published by the engine` };
    return { kind: 'running', details };
  }

  /** Inspects until `check` answers, sleeping between inspections until an event about the container. */
  private async watch<T>(check: (info: Inspect | undefined) => T | undefined, signal: AbortSignal): Promise<T> {
    throwIfAborted(signal);
    const id = this.containerId ?? (await this.inspect())?.Id;
    const bell = new Doorbell();
    // Subscribed before the first inspection, so nothing that happens after it is missed.
    const unsubscribe = id !== undefined ? this.events.subscribe(id, () => bell.ring()) : () => undefined;
    try {
      for (;;) {
        const v = check(await this.inspect());
        if (v !== undefined) return v;
        await bell.wait(signal, REINSPECT_MS);
      }
    } finally {
      unsubscribe();
    }
  }

  private async kill(signal: string): Promise<void> {
    // 404: gone; 409: not running any more. Either way it is stopped.
    await ignoringStatus([404, 409], () => this.container().kill({ signal }));
  }

  /**
   * The engine accepts host-mode port bindings even with no bridge network, then
   * publishes nothing; reject such a task up front with the reason.
   */
  private async checkPortsPublishable(): Promise<void> {
    const ports = hostModePorts(this.task);
    if (ports.length === 0) return;
    try {
      await this.docker.getNetwork('bridge').inspect();
    } catch (e) {
      if (!isNotFound(e)) throw new Error(`inspecting the bridge network: ${engineMessage(e)}`);
      const list = ports.map((p) => `${p.targetPort}/${p.protocol}`).join(', ');
      throw new Error(`cannot publish host-mode port ${list}: the engine has no bridge network (dockerd --bridge=none)`);
    }
  }
}

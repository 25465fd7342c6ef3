// One task as a child process of the agent, for hosts without Docker. The
// task's entrypoint and args are the command line; the image is not used. It
// runs in its own process group, so that stopping it reaches everything it
// started, as the end of a container does.

import { hasFiles } from '../blob-files';
import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import type { PortConfig, Task } from '../../../api/service-types';
import { Doorbell, isAbortError, throwIfAborted } from '../abort';
import type { ExitInfo, Observation, Progress, RunDetails, TaskController } from '../controller';
import { UNHEALTHY_ERROR } from '../status';
import type { TaskNetworkSettings } from '../types';
import { HealthProbe, probeCommand } from './health-probe';
import { LineSplitter, OutputLog } from './output-log';
import { exitCodeOf, isSameProcess, processStartTime, signalProcess } from './pids';
import { TaskFiles } from './task-files';

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** After the task's main process exits, its pipes get this long to drain before they are cut. */
const DRAIN_MS = 2_000;
/** The safety net of a wait with nothing happening: look again this often. */
const RECHECK_MS = 15_000;

export const LOST_AFTER_RESTART = 'task: agent restarted; the process runtime cannot keep a task across agent restarts';

/** What the controllers of one runtime share. */
export interface ProcessRuntimeState {
  stateDir: string;
  nodeId: string;
  /** The services a task may call, as environment (no DNS of ours reaches a process). */
  network?: TaskNetworkSettings;
  /** Output of running tasks, for `logs --follow`. */
  live: Map<string, OutputLog>;
  /** Controllers whose process runs, for the runtime to end them when it closes. */
  running: Set<ProcessController>;
}

/** A leftover process of an earlier executor: the stop signal now, SIGKILL after the grace period. */
export function endLeftover(pid: number, procStart: string | undefined, graceMs: number): void {
  if (!isSameProcess(pid, procStart)) return;
  signalProcess(pid, 'SIGTERM', true);
  setTimeout(() => {
    if (isSameProcess(pid, procStart)) signalProcess(pid, 'SIGKILL', true);
  }, graceMs).unref();
}

function parseUser(user: string | undefined): { uid?: number; gid?: number } {
  if (user === undefined || user === '') return {};
  const m = /^(\d+)(?::(\d+))?$/.exec(user);
  if (m === null) throw new Error(`process runtime: user must be numeric (uid or uid:gid), not "${user}"`);
  return m[2] !== undefined ? { uid: Number(m[1]), gid: Number(m[2]) } : { uid: Number(m[1]) };
}

/**
 * Only PATH from the agent (tasks do not inherit its environment), the
 * services the task may call (SWARM_…), then the spec's KEY=VALUE in order.
 */
function taskEnv(task: Task, network: TaskNetworkSettings | undefined): NodeJS.ProcessEnv {
  const c = task.spec.container;
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? DEFAULT_PATH, ...network?.processEnv?.(task) };
  if (c.hostname !== undefined) env.HOSTNAME = c.hostname;
  for (const kv of c.env) {
    const i = kv.indexOf('=');
    if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return env;
}

export class ProcessController implements TaskController {
  private readonly files: TaskFiles;
  private child: ChildProcess | undefined;
  private pid: number | undefined;
  private exit: ExitInfo | undefined;
  /** Set once the exit is known and the output drained. */
  private finished = false;
  private probe: HealthProbe | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly task: Task,
    private readonly shared: ProcessRuntimeState,
  ) {
    this.files = new TaskFiles(shared.stateDir, task.id);
  }

  private get argv(): string[] {
    const c = this.task.spec.container;
    return [...(c.command ?? []), ...(c.args ?? [])];
  }

  private get cwd(): string {
    return this.task.spec.container.dir ?? this.files.workDir;
  }

  private get ports(): PortConfig[] {
    // The process binds host ports itself: the published port is the target port.
    // Ingress ports too: there is no routing mesh, so every port is published where the task runs.
    return this.task.ports.map((p) => ({ ...p, publishedPort: p.publishedPort || p.targetPort }));
  }

  async observe(): Promise<Observation> {
    const rec = this.files.read();
    if (rec === undefined) return { phase: 'absent', lost: `task: the process runtime has no record of this task in ${this.shared.stateDir}` };
    if (rec.exit !== undefined && rec.lost === undefined) return { phase: 'exited', exit: rec.exit, details: rec.pid !== undefined ? { pid: rec.pid } : {} };
    if (rec.pid === undefined) return { phase: 'created' };
    // Started by an earlier executor: nothing can wait on it from here, so it is ended.
    if (rec.exit === undefined) endLeftover(rec.pid, rec.procStart, this.task.spec.container.stopGracePeriodMs);
    return { phase: 'absent', lost: rec.lost ?? LOST_AFTER_RESTART };
  }

  async prepare(): Promise<RunDetails> {
    const c = this.task.spec.container;
    if (this.argv.length === 0) throw new Error('process runtime: the task has no command (entrypoint or args) to run');
    parseUser(c.user);
    if (c.mounts.length > 0) throw new Error('process runtime: mounts are not supported');
    // A process has no /run/secrets of its own to mount files at, and the paths are the task's contract.
    if (hasFiles(this.task)) throw new Error('process runtime: secrets and configs are not supported (they need the docker runtime)');
    for (const p of this.task.ports) {
      if (p.publishedPort !== 0 && p.publishedPort !== p.targetPort) {
        throw new Error(`process runtime: cannot publish port ${p.targetPort} as ${p.publishedPort}; a process binds its ports itself`);
      }
    }
    if (c.dir !== undefined && !statSync(c.dir, { throwIfNoEntry: false })?.isDirectory()) {
      throw new Error(`process runtime: working directory ${c.dir} does not exist`);
    }
    this.files.write({ taskId: this.task.id, serviceId: this.task.serviceId, nodeId: this.shared.nodeId });
    mkdirSync(this.files.workDir, { recursive: true });
    return {};
  }

  async start(): Promise<void> {
    const [file, ...args] = this.argv;
    const user = parseUser(this.task.spec.container.user);
    const log = new OutputLog(this.files.logFile, { taskId: this.task.id, serviceId: this.task.serviceId });
    const child = spawn(file, args, { cwd: this.cwd, env: taskEnv(this.task, this.shared.network), ...user, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    const pid = child.pid;
    if (pid === undefined) throw new Error(`spawning ${file} gave no pid`);
    this.child = child;
    this.pid = pid;
    this.files.update({ pid, procStart: processStartTime(pid) });
    this.shared.live.set(this.task.id, log);
    this.shared.running.add(this);
    for (const [name, stream] of [['stdout', child.stdout], ['stderr', child.stderr]] as const) {
      const splitter = new LineSplitter();
      stream?.on('data', (chunk: Buffer) => log.append(name, splitter.push(chunk)));
      stream?.on('end', () => log.append(name, splitter.flush()));
    }
    child.once('exit', (code, signal) => {
      this.exit = { exitCode: exitCodeOf(code, signal) };
      this.probe?.stop();
      // As when a container's init exits: whatever the task started ends with it.
      signalProcess(pid, 'SIGKILL', true);
      this.files.update({ exit: this.exit });
      // A descendant that left the group may hold the pipes open; do not wait for it forever.
      setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
      }, DRAIN_MS).unref();
    });
    child.once('close', () => {
      this.finished = true;
      log.end();
      if (this.shared.live.get(this.task.id) === log) this.shared.live.delete(this.task.id);
      this.shared.running.delete(this);
      this.notify();
    });
    const hc = this.task.spec.container.healthcheck;
    const command = hc !== undefined ? probeCommand(hc.test) : undefined;
    if (hc !== undefined && command !== undefined) {
      this.probe = new HealthProbe(hc, command, { cwd: this.cwd, env: taskEnv(this.task, this.shared.network), ...user }, () => this.notify());
      this.probe.start();
    }
  }

  async wait(until: 'running' | 'exit', signal: AbortSignal): Promise<Progress> {
    return this.watch(() => this.progress(until), signal);
  }

  async stop(graceMs: number): Promise<{ byUs: boolean; exit?: ExitInfo }> {
    if (this.pid === undefined || this.finished) return { byUs: false, exit: this.exit };
    const pid = this.pid;
    const exited = (): ExitInfo | undefined => (this.finished ? this.exit : undefined);
    signalProcess(pid, 'SIGTERM');
    try {
      return { byUs: true, exit: await this.watch(exited, AbortSignal.timeout(Math.max(0, graceMs))) };
    } catch (e) {
      if (!isAbortError(e)) throw e;
      signalProcess(pid, 'SIGKILL', true);
      return { byUs: true, exit: await this.watch(exited, new AbortController().signal) };
    }
  }

  async remove(): Promise<void> {
    if (this.pid !== undefined && !this.finished) await this.stop(this.task.spec.container.stopGracePeriodMs);
    const rec = this.files.read();
    if (rec?.pid !== undefined && rec.exit === undefined && this.child === undefined) {
      endLeftover(rec.pid, rec.procStart, this.task.spec.container.stopGracePeriodMs);
    }
    this.files.remove();
  }

  /** The runtime is closing: the process cannot stay supervised, so it is stopped and marked lost. */
  async release(): Promise<void> {
    if (this.pid === undefined || this.finished) return;
    this.files.update({ lost: LOST_AFTER_RESTART });
    await this.stop(this.task.spec.container.stopGracePeriodMs);
  }

  private progress(until: 'running' | 'exit'): Progress | undefined {
    if (this.child === undefined) return { kind: 'failed', err: 'task: process is not running' };
    const ports = this.ports;
    const running: Progress = { kind: 'running', details: { pid: this.pid, ...(ports.length > 0 ? { ports } : {}) } };
    // It did run, however briefly: reported as RUNNING first, unless it had a health check to pass.
    if (until === 'running' && this.probe === undefined) return running;
    if (this.finished && this.exit !== undefined) return { kind: 'exited', exit: this.exit };
    if (this.exit !== undefined) return undefined; // exited, output still draining
    if (this.probe?.status === 'unhealthy') return { kind: 'failed', err: UNHEALTHY_ERROR };
    if (until === 'exit' || this.probe?.status === 'starting') return undefined;
    return running;
  }

  private async watch<T>(check: () => T | undefined, signal: AbortSignal): Promise<T> {
    throwIfAborted(signal);
    const bell = new Doorbell();
    const ring = (): void => bell.ring();
    this.listeners.add(ring);
    try {
      for (;;) {
        const v = check();
        if (v !== undefined) return v;
        await bell.wait(signal, RECHECK_MS);
      }
    } finally {
      this.listeners.delete(ring);
    }
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }
}

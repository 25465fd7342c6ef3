// Docker's health check semantics for a process task: the test runs every
// interval (the first one an interval after the start), a run longer than the
// timeout fails, the first success makes it healthy, `retries` failures in a
// row make it unhealthy. Failures within the start period do not count unless
// it has been healthy already.

import { spawn } from 'node:child_process';
import type { HealthCheck } from '../../../api/service-types';
import { sleep } from '../abort';
import { signalProcess } from './pids';

export type HealthStatus = 'starting' | 'healthy' | 'unhealthy';

/** Docker's defaults. */
const DEFAULT_INTERVAL_MS = 30_000;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_RETRIES = 3;

export interface ProbeEnvironment {
  cwd: string;
  env: NodeJS.ProcessEnv;
  uid?: number;
  gid?: number;
}

/** The argv of a test, or undefined when it checks nothing (["NONE"], empty). */
export function probeCommand(test: readonly string[]): string[] | undefined {
  const [kind, ...rest] = test;
  if (kind === 'CMD' && rest.length > 0) return rest;
  if (kind === 'CMD-SHELL' && rest.length > 0) return ['/bin/sh', '-c', rest.join(' ')];
  return undefined;
}

export class HealthProbe {
  private current: HealthStatus = 'starting';
  private readonly stopper = new AbortController();

  constructor(
    private readonly check: HealthCheck,
    private readonly command: readonly string[],
    private readonly where: ProbeEnvironment,
    private readonly onChange: (status: HealthStatus) => void,
  ) {}

  get status(): HealthStatus {
    return this.current;
  }

  start(): void {
    this.loop().catch(() => undefined);
  }

  stop(): void {
    this.stopper.abort();
  }

  private async loop(): Promise<void> {
    const signal = this.stopper.signal;
    const startedAt = Date.now();
    const interval = this.check.intervalMs || DEFAULT_INTERVAL_MS;
    const retries = this.check.retries || DEFAULT_RETRIES;
    const startPeriod = this.check.startPeriodMs ?? 0;
    let failures = 0;
    for (;;) {
      await sleep(interval, signal);
      const ok = await this.runOnce();
      if (signal.aborted) return;
      if (ok) {
        failures = 0;
        this.set('healthy');
      } else if (this.current === 'healthy' || Date.now() - startedAt >= startPeriod) {
        failures++;
        if (failures >= retries) this.set('unhealthy');
      }
    }
  }

  private runOnce(): Promise<boolean> {
    const timeoutMs = this.check.timeoutMs || DEFAULT_TIMEOUT_MS;
    return new Promise<boolean>((resolve) => {
      const [file, ...args] = this.command;
      const child = spawn(file, args, { ...this.where, stdio: 'ignore', detached: true });
      const timer = setTimeout(() => {
        if (child.pid !== undefined) signalProcess(child.pid, 'SIGKILL', true);
      }, timeoutMs);
      const abort = (): void => {
        if (child.pid !== undefined) signalProcess(child.pid, 'SIGKILL', true);
      };
      this.stopper.signal.addEventListener('abort', abort, { once: true });
      const finish = (ok: boolean): void => {
        clearTimeout(timer);
        this.stopper.signal.removeEventListener('abort', abort);
        resolve(ok);
      };
      child.once('error', () => finish(false));
      child.once('exit', (code) => finish(code === 0));
    });
  }

  private set(status: HealthStatus): void {
    if (status === this.current) return;
    this.current = status;
    this.onChange(status);
  }
}

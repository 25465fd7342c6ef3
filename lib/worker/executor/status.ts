// The words a task's status carries, as docker's `service ps` shows them.

import type { TaskState } from '../../api/service-types';
import type { ExitInfo } from './controller';

/** The status message for each state the executor reports. */
export const STATE_MESSAGES: Readonly<Partial<Record<TaskState, string>>> = {
  accepted: 'accepted',
  preparing: 'preparing',
  ready: 'prepared',
  starting: 'starting',
  running: 'started',
  complete: 'finished',
  failed: 'finished',
  shutdown: 'shutdown',
  rejected: 'rejected',
};

/** The state an exit leads to: only exit code 0 completes. */
export function exitState(exit: ExitInfo): 'complete' | 'failed' {
  return exit.exitCode === 0 ? 'complete' : 'failed';
}

/** Docker's error for a failed task: "task: non-zero exit (3)". */
export function exitError(exit: ExitInfo): string | undefined {
  if (exit.exitCode === 0) return undefined;
  const base = `task: non-zero exit (${exit.exitCode})`;
  return exit.reason !== undefined ? `${base}: ${exit.reason}` : base;
}

export const UNHEALTHY_ERROR = 'task: unhealthy container';

/** Timestamps in one shape for statuses and log lines: UTC, nine fraction digits. */
export function fixedTimestamp(d: Date | string = new Date()): string {
  if (typeof d !== 'string') d = d.toISOString();
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(d);
  if (m === null) return new Date(d).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
  return `${m[1]}.${(m[2] ?? '').padEnd(9, '0').slice(0, 9)}Z`;
}

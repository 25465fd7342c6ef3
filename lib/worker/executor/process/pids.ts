// Signalling processes the runtime started, and recognising them again later.
// Tasks run in their own process group (spawned detached), so the group id is
// the task's pid and a group kill reaches whatever the task started.

import { readFileSync } from 'node:fs';
import { constants } from 'node:os';

/** Field 22 of /proc/<pid>/stat: when the process started, in clock ticks since boot. Linux only. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the fields after it follow its closing paren.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

/** True only when `pid` still is the process recorded with `procStart`. */
export function isSameProcess(pid: number, procStart: string | undefined): boolean {
  return procStart !== undefined && processStartTime(pid) === procStart;
}

/** Sends `signal` to a process (or with `group`, its process group); false when it is gone. */
export function signalProcess(pid: number, signal: NodeJS.Signals, group = false): boolean {
  try {
    process.kill(group ? -pid : pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Docker's convention for a process killed by a signal: 128 + the signal's number. */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return 128 + (signal !== null ? (constants.signals[signal] ?? 0) : 0);
}

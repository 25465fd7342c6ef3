// Process-runtime tasks' readings from /proc. A task runs in its own process
// group (process-controller.ts), so its use is the sum over the group's
// members, as a container's cgroup sums its processes: utime+stime (in clock
// ticks) for CPU, VmRSS for memory, /proc/PID/io for block I/O. One scan of
// /proc per round serves every task of the node.

import { promises as fsp } from 'node:fs';
import type { UsageReading } from './usage';

/**
 * USER_HZ, the unit of utime/stime: 100 on every Linux architecture Node runs
 * on (the kernel exports it fixed, whatever its internal HZ).
 */
export const CLOCK_TICKS_PER_SECOND = 100;

export interface ProcStat {
  pid: number;
  pgrp: number;
  /** utime + stime, clock ticks. */
  cpuTicks: number;
}

/** Fields of /proc/PID/stat; undefined when the text is not one. */
export function parseProcStat(text: string): ProcStat | undefined {
  // The command name (field 2) may hold spaces and parens; the fields after it follow its last ')'.
  const close = text.lastIndexOf(')');
  const pid = parseInt(text, 10);
  if (close < 0 || !Number.isSafeInteger(pid)) return undefined;
  const f = text.slice(close + 2).split(' ');
  // f[0] is field 3 (state): pgrp is field 5, utime 14, stime 15.
  const pgrp = Number(f[2]);
  const utime = Number(f[11]);
  const stime = Number(f[12]);
  if (![pgrp, utime, stime].every((n) => Number.isSafeInteger(n) && n >= 0)) return undefined;
  return { pid, pgrp, cpuTicks: utime + stime };
}

/** VmRSS of /proc/PID/status in bytes; 0 for a kernel thread or zombie, which have none. */
export function parseVmRss(status: string): number {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return m ? Number(m[1]) * 1024 : 0;
}

/** read_bytes and write_bytes of /proc/PID/io (what reached the block layer, as the blkio cgroup counts). */
export function parseProcIo(io: string): { read: number; write: number } | undefined {
  const r = /^read_bytes:\s+(\d+)$/m.exec(io);
  const w = /^write_bytes:\s+(\d+)$/m.exec(io);
  return r && w ? { read: Number(r[1]), write: Number(w[1]) } : undefined;
}

export interface GroupMember {
  stat: ProcStat;
  rssBytes: number;
  io?: { read: number; write: number };
}

/** One task's reading from its group's members; undefined when the group is empty (it exited). */
export function readingFromGroup(members: readonly GroupMember[], at: number, memoryLimitBytes: number, onlineCpus: number): UsageReading | undefined {
  if (members.length === 0) return undefined;
  let ticks = 0;
  let rss = 0;
  let read = 0;
  let write = 0;
  let ioSeen = false;
  for (const m of members) {
    ticks += m.stat.cpuTicks;
    rss += m.rssBytes;
    if (m.io) {
      ioSeen = true;
      read += m.io.read;
      write += m.io.write;
    }
  }
  const r: UsageReading = {
    at,
    cpuNs: (ticks * 1e9) / CLOCK_TICKS_PER_SECOND,
    onlineCpus,
    memoryBytes: rss,
    memoryLimitBytes,
    pids: members.length,
  };
  if (ioSeen) {
    r.blockReadBytes = read;
    r.blockWriteBytes = write;
  }
  return r;
}

/** The members of each of `pgids` now, from one pass over /proc; a process that exits meanwhile is left out. */
export async function scanProcessGroups(pgids: ReadonlySet<number>, procRoot = '/proc'): Promise<Map<number, GroupMember[]>> {
  const out = new Map<number, GroupMember[]>();
  if (pgids.size === 0) return out;
  for (const g of pgids) out.set(g, []);
  const entries = await fsp.readdir(procRoot);
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const stat = parseProcStat(await readOrEmpty(`${procRoot}/${name}/stat`));
    const group = stat && out.get(stat.pgrp);
    if (!stat || !group) continue;
    const member: GroupMember = { stat, rssBytes: parseVmRss(await readOrEmpty(`${procRoot}/${name}/status`)) };
    // Another user's process (a task run with --user) hides its io file from us: no block figures then.
    const io = parseProcIo(await readOrEmpty(`${procRoot}/${name}/io`));
    if (io) member.io = io;
    group.push(member);
  }
  return out;
}

async function readOrEmpty(file: string): Promise<string> {
  try {
    return await fsp.readFile(file, 'utf8');
  } catch {
    return '';
  }
}

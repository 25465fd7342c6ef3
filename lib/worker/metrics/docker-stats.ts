// A container's reading from the engine's stats JSON (GET /containers/ID/stats),
// with docker stats' own rules (docker/cli's stats_helpers.go). Read as
// unknown: the shape differs between cgroup v1 and v2 and between engine
// versions, and dockerode's types claim fields that cgroup v2 leaves out.

import type { UsageReading } from './usage';

type Json = Record<string, unknown>;

function obj(x: unknown): Json | undefined {
  return typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Json) : undefined;
}

function num(x: unknown): number | undefined {
  return typeof x === 'number' && Number.isFinite(x) && x >= 0 ? x : undefined;
}

/** Throws with what is missing when the JSON carries no usable CPU or memory figures (a stopped container). */
export function readingFromDockerStats(stats: unknown, at: number): UsageReading {
  const s = obj(stats);
  const cpu = obj(s?.cpu_stats);
  const cpuNs = num(obj(cpu?.cpu_usage)?.total_usage);
  const systemNs = num(cpu?.system_cpu_usage);
  const mem = obj(s?.memory_stats);
  const usage = num(mem?.usage);
  // A stopped container answers with zeroed or missing blocks.
  if (cpuNs === undefined || systemNs === undefined || systemNs === 0) throw new Error('the engine gave no CPU counters (container not running?)');
  if (usage === undefined) throw new Error('the engine gave no memory usage (container not running?)');
  const r: UsageReading = {
    at,
    cpuNs,
    systemNs,
    onlineCpus: onlineCpus(cpu),
    memoryBytes: memoryWithoutCache(usage, obj(mem?.stats)),
    memoryLimitBytes: num(mem?.limit) ?? 0,
  };
  const pre = obj(s?.precpu_stats);
  const preCpu = num(obj(pre?.cpu_usage)?.total_usage);
  const preSystem = num(pre?.system_cpu_usage);
  if (preCpu !== undefined && preSystem !== undefined && preSystem > 0) r.pre = { cpuNs: preCpu, systemNs: preSystem };
  const net = networkBytes(obj(s?.networks));
  if (net) {
    r.netRxBytes = net.rx;
    r.netTxBytes = net.tx;
  }
  const block = blockBytes(obj(s?.blkio_stats)?.io_service_bytes_recursive);
  if (block) {
    r.blockReadBytes = block.read;
    r.blockWriteBytes = block.write;
  }
  const pids = num(obj(s?.pids_stats)?.current);
  if (pids !== undefined) r.pids = pids;
  return r;
}

/** online_cpus, or on engines that do not report it the per-CPU counters' count (docker's fallback). */
function onlineCpus(cpu: Json | undefined): number {
  const online = num(cpu?.online_cpus);
  if (online !== undefined && online > 0) return online;
  const percpu = obj(cpu?.cpu_usage)?.percpu_usage;
  return Array.isArray(percpu) && percpu.length > 0 ? percpu.length : 1;
}

/**
 * docker stats' MEM USAGE: usage minus the inactive page cache, which the
 * kernel reclaims first (cgroup v1: total_inactive_file; v2: inactive_file).
 */
export function memoryWithoutCache(usage: number, stats: Json | undefined): number {
  const v1 = num(stats?.total_inactive_file);
  if (v1 !== undefined && v1 < usage) return usage - v1;
  const v2 = num(stats?.inactive_file);
  if (v2 !== undefined && v2 < usage) return usage - v2;
  return usage;
}

function networkBytes(networks: Json | undefined): { rx: number; tx: number } | undefined {
  if (!networks) return undefined;
  let rx = 0;
  let tx = 0;
  for (const n of Object.values(networks)) {
    const o = obj(n);
    rx += num(o?.rx_bytes) ?? 0;
    tx += num(o?.tx_bytes) ?? 0;
  }
  return { rx, tx };
}

/** Read and written bytes over every device; cgroup v2 spells the ops in lower case, v1 capitalized. */
function blockBytes(entries: unknown): { read: number; write: number } | undefined {
  if (!Array.isArray(entries)) return undefined;
  let read = 0;
  let write = 0;
  for (const e of entries) {
    const o = obj(e);
    const op = typeof o?.op === 'string' ? o.op.toLowerCase() : '';
    const v = num(o?.value) ?? 0;
    if (op === 'read') read += v;
    else if (op === 'write') write += v;
  }
  return { read, write };
}

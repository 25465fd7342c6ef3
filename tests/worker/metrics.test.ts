// Task metrics on the node: docker stats' formulas over real-looking engine
// JSON (cgroup v1 and v2), the /proc readings of the process runtime, and the
// sampler that turns two readings into a sample and never piles up rounds.

import { spawn } from 'node:child_process';
import { readingFromDockerStats, memoryWithoutCache } from '../../lib/worker/metrics/docker-stats';
import { parseProcIo, parseProcStat, parseVmRss, readingFromGroup, scanProcessGroups } from '../../lib/worker/metrics/proc-stats';
import { MetricsSampler } from '../../lib/worker/metrics/sampler';
import { cpuPercent, toSample, UsageReading } from '../../lib/worker/metrics/usage';
import { MAX_METRICS_SAMPLES } from '../../lib/api/dispatcher-protocol';
import { mapBounded } from '../../lib/util/map-bounded';

/** As docker 20.10 on cgroup v1 answers a non-one-shot stats call (precpu filled), trimmed of unused keys. */
const V1 = {
  read: '2026-12-03T13:27:01.35623534Z',
  preread: '2026-12-03T13:27:00.35623534Z',
  pids_stats: { current: 3 },
  blkio_stats: {
    io_service_bytes_recursive: [
      { major: 8, minor: 0, op: 'Read', value: 4096 },
      { major: 8, minor: 0, op: 'Write', value: 8192 },
      { major: 8, minor: 0, op: 'Sync', value: 12288 },
      { major: 8, minor: 0, op: 'Total', value: 12288 },
      { major: 8, minor: 16, op: 'Read', value: 1000 },
    ],
  },
  cpu_stats: {
    cpu_usage: { total_usage: 3_012_287_993, percpu_usage: [2_627_866_747, 384_421_246], usage_in_kernelmode: 20_000_000, usage_in_usermode: 1_980_000_000 },
    system_cpu_usage: 34_535_140_000_000,
    online_cpus: 2,
  },
  precpu_stats: {
    cpu_usage: { total_usage: 2_012_287_993, percpu_usage: [1_627_866_747, 384_421_246] },
    system_cpu_usage: 34_533_140_000_000,
    online_cpus: 2,
  },
  memory_stats: {
    usage: 10_475_136,
    max_usage: 13_780_608,
    stats: { cache: 4_004_096, inactive_file: 1_000_000, total_inactive_file: 3_000_000, rss: 61_440, total_rss: 61_440 },
    limit: 268_435_456,
  },
  networks: {
    eth0: { rx_bytes: 646, rx_packets: 7, tx_bytes: 100, tx_packets: 1 },
    eth1: { rx_bytes: 1000, rx_packets: 2, tx_bytes: 50, tx_packets: 1 },
  },
};

/** cgroup v2, one-shot: no precpu counters, no percpu_usage, lower-case blkio ops, memory stats without total_*. */
const V2 = {
  read: '2026-12-03T13:30:00Z',
  preread: '0001-01-01T00:00:00Z',
  pids_stats: { current: 1, limit: 4096 },
  blkio_stats: {
    io_service_bytes_recursive: [
      { major: 254, minor: 0, op: 'read', value: 2_000_000 },
      { major: 254, minor: 0, op: 'write', value: 500_000 },
    ],
  },
  cpu_stats: { cpu_usage: { total_usage: 50_000_000_000, usage_in_kernelmode: 1_000_000, usage_in_usermode: 49_000_000 }, system_cpu_usage: 900_000_000_000_000, online_cpus: 4 },
  precpu_stats: { cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 } },
  memory_stats: { usage: 52_428_800, stats: { anon: 40_000_000, file: 12_000_000, inactive_file: 10_485_760, active_file: 1_000_000 }, limit: 8_338_780_160 },
  networks: { eth0: { rx_bytes: 1_234_567, tx_bytes: 89_000 } },
};

describe('docker stats readings', () => {
  it('cgroup v1: docker formula over the precpu block, memory without total_inactive_file, summed I/O', () => {
    const r = readingFromDockerStats(V1, 1000);
    expect(r).toMatchObject({
      cpuNs: 3_012_287_993,
      systemNs: 34_535_140_000_000,
      onlineCpus: 2,
      pre: { cpuNs: 2_012_287_993, systemNs: 34_533_140_000_000 },
      memoryBytes: 10_475_136 - 3_000_000,
      memoryLimitBytes: 268_435_456,
      netRxBytes: 1646,
      netTxBytes: 150,
      blockReadBytes: 5096,
      blockWriteBytes: 8192,
      pids: 3,
    });
    // 1 s of container time while the host's 2 CPUs ran 2 s: one core busy, 100 %.
    expect(cpuPercent(undefined, r)).toBeCloseTo(100, 6);
  });

  it('cgroup v2: memory without inactive_file, no CPU figure from a single one-shot reading', () => {
    const r = readingFromDockerStats(V2, 5000);
    expect(r.pre).toBeUndefined();
    expect(r).toMatchObject({ memoryBytes: 52_428_800 - 10_485_760, onlineCpus: 4, blockReadBytes: 2_000_000, blockWriteBytes: 500_000, pids: 1 });
    expect(toSample('t1', undefined, r)).toBeUndefined();
  });

  it('the previous reading of our own is the base when there is one: a task busy on one of 4 CPUs shows 100 %', () => {
    const prev = readingFromDockerStats(V2, 5000);
    const next = structuredClone(V2);
    // 5 s later: the container used 5 s of CPU, the host's 4 CPUs 20 s.
    next.cpu_stats.cpu_usage.total_usage += 5e9;
    next.cpu_stats.system_cpu_usage += 20e9;
    const s = toSample('t1', prev, readingFromDockerStats(next, 10_000));
    expect(s).toMatchObject({ taskId: 't1', timestamp: 10_000, cpuPercent: 100, memoryBytes: 41_943_040, memoryLimitBytes: 8_338_780_160, netRxBytes: 1_234_567 });
  });

  it('a container counter that went back (another container) is no base; the precpu block is used instead', () => {
    const cur = readingFromDockerStats(V1, 1);
    const prev: UsageReading = { ...cur, cpuNs: 9e12, systemNs: (cur.systemNs as number) - 4e9 };
    expect(cpuPercent(prev, cur)).toBeCloseTo(100, 6);
  });

  it('a task that used no CPU since the last reading shows 0 %, a quarter of the host\'s time on 2 CPUs 50 %', () => {
    const r = readingFromDockerStats(V1, 0);
    expect(cpuPercent({ ...r, systemNs: (r.systemNs as number) - 4e9 }, r)).toBe(0);
    expect(cpuPercent({ ...r, cpuNs: r.cpuNs - 1e9, systemNs: (r.systemNs as number) - 4e9 }, r)).toBeCloseTo(50, 6);
  });

  it('online_cpus missing: the per-CPU counters count the CPUs, as docker does', () => {
    const old = structuredClone(V1) as Record<string, unknown> & typeof V1;
    delete (old.cpu_stats as Partial<typeof V1.cpu_stats>).online_cpus;
    expect(readingFromDockerStats(old, 0).onlineCpus).toBe(2);
  });

  it('a stopped container (zeroed blocks) is refused with the reason, not read as 0', () => {
    expect(() => readingFromDockerStats({ read: '0001-01-01T00:00:00Z', cpu_stats: { cpu_usage: { total_usage: 0 } }, memory_stats: {} }, 0)).toThrow(/no CPU counters/);
    expect(() => readingFromDockerStats(null, 0)).toThrow(/no CPU counters/);
  });

  it('memory: docker leaves usage alone when the cache figure is not below it', () => {
    expect(memoryWithoutCache(100, { total_inactive_file: 200, inactive_file: 30 })).toBe(70);
    expect(memoryWithoutCache(100, {})).toBe(100);
    expect(memoryWithoutCache(100, undefined)).toBe(100);
  });
});

describe('process runtime readings', () => {
  it('parses /proc/PID/stat with a command name holding spaces and parens', () => {
    const line = '4242 (my (odd) cmd) S 1 4240 4240 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0 12345 1000000 200 18446744073709551615';
    expect(parseProcStat(line)).toEqual({ pid: 4242, pgrp: 4240, cpuTicks: 300 });
    expect(parseProcStat('garbage')).toBeUndefined();
  });

  it('parses VmRSS and io', () => {
    expect(parseVmRss('Name:\tsh\nVmPeak:\t    2000 kB\nVmRSS:\t    1536 kB\nThreads:\t1\n')).toBe(1536 * 1024);
    expect(parseVmRss('Name:\tkthreadd\n')).toBe(0);
    expect(parseProcIo('rchar: 10\nwchar: 20\nread_bytes: 4096\nwrite_bytes: 8192\n')).toEqual({ read: 4096, write: 8192 });
    expect(parseProcIo('')).toBeUndefined();
  });

  it('a group sums its members; CPU % is CPU time over wall time', () => {
    const members = [
      { stat: { pid: 10, pgrp: 10, cpuTicks: 100 }, rssBytes: 1000, io: { read: 1, write: 2 } },
      { stat: { pid: 11, pgrp: 10, cpuTicks: 50 }, rssBytes: 500 },
    ];
    const a = readingFromGroup(members, 0, 4096, 2);
    expect(a).toMatchObject({ cpuNs: 1.5e9, memoryBytes: 1500, memoryLimitBytes: 4096, pids: 2, blockReadBytes: 1, blockWriteBytes: 2 });
    expect(readingFromGroup([], 0, 4096, 2)).toBeUndefined();
    // 150 more ticks (1.5 s of CPU) in 1 s of wall time: 150 %.
    const b = readingFromGroup([{ ...members[0], stat: { ...members[0].stat, cpuTicks: 250 } }, members[1]], 1000, 4096, 2);
    expect(cpuPercent(a, b as UsageReading)).toBeCloseTo(150, 6);
    // A member that exited took its time with it: never negative.
    expect(cpuPercent(b, readingFromGroup([members[1]], 2000, 4096, 2) as UsageReading)).toBe(0);
  });

  it('reads a real busy process group from /proc: well above an idle one', async () => {
    const busy = spawn('sh', ['-c', 'while :; do :; done'], { detached: true, stdio: 'ignore' });
    const idle = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    try {
      const groups = new Set([busy.pid as number, idle.pid as number]);
      const first = await scanProcessGroups(groups);
      expect(first.get(busy.pid as number)?.length).toBe(1);
      const t0 = Date.now();
      await new Promise((r) => setTimeout(r, 600));
      const second = await scanProcessGroups(groups);
      const t1 = Date.now();
      const read = (m: typeof first, pid: number, at: number) => readingFromGroup(m.get(pid) ?? [], at, 1, 1) as UsageReading;
      const busyCpu = cpuPercent(read(first, busy.pid as number, t0), read(second, busy.pid as number, t1)) as number;
      const idleCpu = cpuPercent(read(first, idle.pid as number, t0), read(second, idle.pid as number, t1)) as number;
      // One core spinning (shared with the rest of the machine): far above the sleeper's 0.
      expect(busyCpu).toBeGreaterThan(30);
      expect(idleCpu).toBeLessThan(5);
      expect(read(second, busy.pid as number, t1).memoryBytes).toBeGreaterThan(0);
    } finally {
      busy.kill('SIGKILL');
      idle.kill('SIGKILL');
    }
  });
});

describe('the sampler', () => {
  const reading = (at: number, cpuNs: number): UsageReading => ({ at, cpuNs, onlineCpus: 1, memoryBytes: 10, memoryLimitBytes: 100 });

  it('sends a sample from the second reading of a task on, and forgets tasks no longer read', async () => {
    const rounds = [
      new Map([['a', reading(0, 0)]]),
      new Map([['a', reading(1000, 5e8)], ['b', reading(1000, 0)]]),
      new Map([['b', reading(2000, 1e9)]]),
      new Map([['a', reading(3000, 9e8)]]),
    ];
    const sent: string[][] = [];
    const sampler = new MetricsSampler({
      read: async () => rounds.shift() ?? new Map(),
      send: (samples) => (sent.push(samples.map((s) => `${s.taskId}:${s.cpuPercent}`)), true),
    });
    for (let i = 0; i < 4; i++) await sampler.round();
    // Round 1: nothing to compare with. Round 4: 'a' was not read in round 3, so no base.
    expect(sent).toEqual([['a:50'], ['b:100']]);
  });

  it('a slow read makes the next rounds skip, not queue', async () => {
    let release: () => void = () => undefined;
    let reads = 0;
    const sampler = new MetricsSampler({
      read: () => {
        reads++;
        return new Promise((resolve) => (release = () => resolve(new Map())));
      },
      send: () => true,
    });
    const first = sampler.round();
    await sampler.round();
    await sampler.round();
    expect(reads).toBe(1);
    expect(sampler.stats.skipped).toBe(2);
    release();
    await first;
    void sampler.round();
    expect(reads).toBe(2);
    release();
  });

  it('splits a large node into messages of the protocol bound; without a session nothing more is tried', async () => {
    const n = MAX_METRICS_SAMPLES + 5;
    const base = new Map(Array.from({ length: n }, (_, i) => [`t${i}`, reading(0, 0)] as const));
    const next = new Map(Array.from({ length: n }, (_, i) => [`t${i}`, reading(1000, 1e8)] as const));
    const queue = [base, next, base, next];
    const sizes: number[] = [];
    let session = true;
    const sampler = new MetricsSampler({ read: async () => queue.shift() as Map<string, UsageReading>, send: (s) => (session ? (sizes.push(s.length), true) : false) });
    await sampler.round();
    await sampler.round();
    expect(sizes).toEqual([MAX_METRICS_SAMPLES, 5]);
    session = false;
    await sampler.round();
    await sampler.round();
    expect(sizes).toEqual([MAX_METRICS_SAMPLES, 5]);
    expect(sampler.stats.sent).toBe(n);
  });

  it('a failing read is reported once, then quietly retried', async () => {
    const warnings: string[] = [];
    const sampler = new MetricsSampler({ read: () => Promise.reject(new Error('connect ENOENT /var/run/docker.sock')), send: () => true, logger: { warn: (m) => warnings.push(m) } });
    await sampler.round();
    await sampler.round();
    expect(warnings).toEqual(['task metrics: cannot read the tasks\' use: connect ENOENT /var/run/docker.sock']);
  });
});

describe('mapBounded', () => {
  it('never has more than the limit in flight, keeps the order, and a failure leaves a hole', async () => {
    let inFlight = 0;
    let most = 0;
    const out = await mapBounded([1, 2, 3, 4, 5, 6, 7], 3, async (x) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 5 * (8 - x)));
      inFlight--;
      if (x === 4) throw new Error('boom');
      return x * 10;
    });
    expect(most).toBe(3);
    expect(out).toEqual([10, 20, 30, undefined, 50, 60, 70]);
  });

  it('handles nothing to do', async () => {
    expect(await mapBounded([], 4, async () => 1)).toEqual([]);
  });
});

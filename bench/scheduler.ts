// Scheduler throughput: how many placements per second scheduleTasks makes
// when 100,000 tasks go onto 5,000 nodes. Three cases: one plain batch; one
// with a constraint, a zone preference and max replicas; and 1,000 services of
// 100 tasks on a cluster already running 50,000 tasks (many small batches, each
// paying its O(nodes) set-up). The figure in the last line is the slowest
// case's median. Then the whole path (bench/lib/scheduling-pass.ts): the same
// nodes in a real manager's store, services totalling the same tasks created
// as the control API does, timed until every assignment is committed
// (`pass_placements_per_s`). Usage: node dist/bench/scheduler.js [--runs N]
// [--pass-services S]. The last line is JSON for scripts.

import { fromStore, scheduleTasks, type PendingTask, type ScheduleInput, type SchedNode, type SchedTask } from '../lib/scheduler';
import type { Node } from '../lib/api/types';
import type { Task, TaskSpec } from '../lib/api/service-types';
import { wholePass } from './lib/scheduling-pass';

const NODES = 5_000;
const TASKS = 100_000;
const GIB = 1024 ** 3;
const ZONES = ['east', 'east', 'east', 'south', 'south', 'west'];

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(v) || v <= 0) throw new Error(`--${name} needs a positive integer`);
  return v;
}

const id = (prefix: string, i: number): string => `${prefix}${i.toString(36).padStart(6, '0')}`;

/** Mostly ready and active; every 50th drained, every 97th down; a tenth at the edge tier. */
function nodes(): SchedNode[] {
  return Array.from({ length: NODES }, (_, i) => ({
    id: id('n', i),
    hostname: `host-${i}`,
    role: i < 5 ? 'manager' : 'worker',
    availability: i % 50 === 49 ? 'drain' : 'active',
    state: i % 97 === 96 ? 'down' : 'ready',
    os: 'linux',
    arch: 'x86_64',
    labels: { zone: ZONES[i % ZONES.length], rack: `r${i % 40}`, ...(i % 10 === 0 ? { tier: 'edge' } : {}) },
    engineLabels: {},
    nanoCPUs: 32e9,
    memoryBytes: 128 * GIB,
  }));
}

function batch(serviceId: string, count: number, placement: PendingTask['placement'], first = 0): PendingTask[] {
  const reservations = { nanoCPUs: 0.05e9, memoryBytes: 64 * 1024 * 1024 };
  return Array.from({ length: count }, (_, i) => ({
    id: id(`t${serviceId}.`, first + i),
    serviceId,
    specVersion: 1,
    reservations,
    placement,
    ports: [],
  }));
}

const open = { constraints: [], preferences: [], maxReplicas: 0 };

function cases(): { name: string; input: ScheduleInput }[] {
  const ns = nodes();
  const running: SchedTask[] = [];
  for (let i = 0; i < 50_000; i++) {
    running.push({
      id: id('old', i),
      serviceId: `s${i % 500}`,
      nodeId: ns[(i * 7919) % NODES].id,
      reservations: { nanoCPUs: 0.1e9, memoryBytes: 128 * 1024 * 1024 },
      ports: [],
    });
  }
  const many: PendingTask[] = [];
  for (let s = 0; s < 1_000; s++) many.push(...batch(`s${s}`, TASKS / 1_000, open));
  return [
    { name: 'one batch, no placement rules', input: { nodes: ns, tasks: [], pending: batch('web', TASKS, open) } },
    {
      name: 'one batch, 2 constraints + spread zone, rack + max 40/node',
      input: {
        nodes: ns,
        tasks: [],
        pending: batch('web', TASKS, {
          constraints: ['node.labels.tier!=edge', 'node.role==worker'],
          preferences: [{ spread: 'node.labels.zone' }, { spread: 'node.labels.rack' }],
          maxReplicas: 40,
        }),
      },
    },
    { name: '1000 services x 100 tasks, 50000 running', input: { nodes: ns, tasks: running, pending: many } },
  ];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** The same cluster as store objects, to time the adapter too. */
function storeObjects(input: ScheduleInput): { nodes: Node[]; tasks: Task[] } {
  const meta = { version: 1, createdAt: '', updatedAt: '' };
  const spec = (p: PendingTask): TaskSpec => ({
    container: { image: 'busybox', env: [], labels: {}, mounts: [], stopGracePeriodMs: 10_000 },
    resources: { limits: { nanoCPUs: 0, memoryBytes: 0 }, reservations: p.reservations },
    restartPolicy: { condition: 'any', delayMs: 5_000, maxAttempts: 0, windowMs: 0 },
    placement: { constraints: [...p.placement.constraints], preferences: [...p.placement.preferences], maxReplicas: p.placement.maxReplicas },
    forceUpdate: 0,
  });
  return {
    nodes: input.nodes.map((n) => ({
      id: n.id,
      meta,
      spec: { labels: { ...n.labels }, desiredRole: n.role, availability: n.availability },
      role: n.role,
      description: {
        hostname: n.hostname,
        platform: { os: n.os, arch: n.arch },
        resources: { nanoCPUs: n.nanoCPUs, memoryBytes: n.memoryBytes },
      },
      status: { state: n.state },
    })),
    tasks: input.pending.map((p) => ({
      id: p.id,
      meta,
      serviceId: p.serviceId,
      serviceName: p.serviceId,
      spec: spec(p),
      ports: [],
      specVersion: p.specVersion,
      desiredState: 'running',
      status: { state: 'pending', timestamp: '', message: '' },
    })),
  };
}

async function main(): Promise<void> {
  const runs = arg('runs', 5);
  const rates: number[] = [];
  for (const { name, input } of cases()) {
    const times: number[] = [];
    let placed = 0;
    let unassigned = 0;
    for (let r = 0; r < runs + 1; r++) {
      const t0 = process.hrtime.bigint();
      const res = scheduleTasks(input);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      // The first run warms the JIT and is not counted.
      if (r > 0) times.push(ms);
      placed = res.assignments.length;
      unassigned = res.unassigned.length;
    }
    const ms = median(times);
    const rate = Math.round(placed / (ms / 1000));
    rates.push(rate);
    console.log(
      `scheduler: ${name}: ${placed} placed, ${unassigned} unassigned, median ${ms.toFixed(1)} ms ` +
        `(min ${Math.min(...times).toFixed(1)}, max ${Math.max(...times).toFixed(1)}), ${rate} placements/s`,
    );
  }

  const objects = storeObjects(cases()[1].input);
  const t0 = process.hrtime.bigint();
  const adapted = fromStore(objects.nodes, objects.tasks);
  const adaptMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const t1 = process.hrtime.bigint();
  const res = scheduleTasks(adapted);
  const schedMs = Number(process.hrtime.bigint() - t1) / 1e6;
  console.log(
    `scheduler: fromStore(${objects.nodes.length} nodes, ${objects.tasks.length} tasks) ${adaptMs.toFixed(1)} ms, ` +
      `then scheduleTasks ${schedMs.toFixed(1)} ms for ${res.assignments.length} placements`,
  );

  const pass = await wholePass(objects.nodes, TASKS, arg('pass-services', 10));
  console.log(
    `scheduler: whole pass, store to committed assignments: ${pass.tasks} tasks of ${pass.services} services on ${pass.nodes} nodes ` +
      `in ${pass.seconds.toFixed(2)} s (${pass.placementsPerS} placements/s, ${pass.entries} Raft entries)` +
      (pass.warnings.length > 0 ? `; warnings: ${pass.warnings.slice(0, 3).join(' | ')}` : ''),
  );
  console.log(
    JSON.stringify({ bench: 'scheduler', tasks: TASKS, nodes: NODES, placements_per_s: Math.min(...rates), pass_s: Number(pass.seconds.toFixed(2)), pass_placements_per_s: pass.placementsPerS }),
  );
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack ?? e.message : e);
  process.exit(1);
});

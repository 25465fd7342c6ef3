// Builders for scheduler inputs, and a reference checker written the slow,
// obvious way (no heaps, no capacities, no shared code with lib/scheduler
// beyond the types) so the property tests compare two independent readings
// of the rules.

import type { PendingTask, ScheduleInput, ScheduleResult, SchedNode, SchedTask } from '../../lib/scheduler';

export const GIB = 1024 ** 3;
export const CPU = 1e9;

export function node(id: string, over: Partial<SchedNode> = {}): SchedNode {
  return {
    id,
    hostname: `host-${id}`,
    role: 'worker',
    availability: 'active',
    state: 'ready',
    os: 'linux',
    arch: 'x86_64',
    labels: {},
    engineLabels: {},
    nanoCPUs: 4 * CPU,
    memoryBytes: 8 * GIB,
    ...over,
  };
}

export function pending(id: string, serviceId: string, over: Partial<PendingTask> = {}): PendingTask {
  return {
    id,
    serviceId,
    specVersion: 1,
    reservations: { nanoCPUs: 0, memoryBytes: 0 },
    placement: { constraints: [], preferences: [], maxReplicas: 0 },
    ports: [],
    ...over,
  };
}

/** n tasks of one batch: ids `${prefix}1`..`${prefix}n`, all sharing `over`. */
export function replicas(n: number, serviceId: string, over: Partial<PendingTask> = {}, prefix = `${serviceId}.`): PendingTask[] {
  return Array.from({ length: n }, (_, i) => pending(`${prefix}${i + 1}`, serviceId, over));
}

export function running(id: string, serviceId: string, nodeId: string, over: Partial<SchedTask> = {}): SchedTask {
  return { id, serviceId, nodeId, reservations: { nanoCPUs: 0, memoryBytes: 0 }, ports: [], ...over };
}

/** Tasks placed per node id (nodes with none are absent). */
export function perNode(result: ScheduleResult): Map<string, number> {
  const m = new Map<string, number>();
  for (const a of result.assignments) m.set(a.nodeId, (m.get(a.nodeId) ?? 0) + 1);
  return m;
}

// --- the reference checker ---------------------------------------------------

interface NodeUse {
  cpu: number;
  mem: number;
  ports: Set<string>;
  total: number;
  byService: Map<string, number>;
}

function hostPorts(t: { ports: PendingTask['ports'] }): string[] {
  // Host-mode ports only: the routing mesh opens ingress ports on every node.
  return t.ports.filter((p) => p.publishMode === 'host' && p.publishedPort > 0).map((p) => `${p.protocol}/${p.publishedPort}`);
}

function attr(n: SchedNode, key: string): string {
  const k = key.toLowerCase();
  const label = (prefix: string, labels: Readonly<Record<string, string>>): string => {
    const name = key.slice(prefix.length);
    return Object.prototype.hasOwnProperty.call(labels, name) ? labels[name] : '';
  };
  if (k === 'node.id') return n.id;
  if (k === 'node.hostname') return n.hostname;
  if (k === 'node.role') return n.role;
  if (k === 'node.platform.os') return n.os;
  if (k === 'node.platform.arch') return n.arch;
  if (k.startsWith('node.labels.')) return label('node.labels.', n.labels);
  if (k.startsWith('engine.labels.')) return label('engine.labels.', n.engineLabels);
  throw new Error(`reference checker: unknown key ${key}`);
}

function satisfies(n: SchedNode, expr: string): boolean {
  const m = /^(.*?)(==|!=)(.*)$/.exec(expr);
  if (!m) throw new Error(`reference checker: bad constraint ${expr}`);
  const equal = attr(n, m[1].trim()).toLowerCase() === m[3].trim().toLowerCase();
  return m[2] === '==' ? equal : !equal;
}

/** Every filter, the naive way: does node n take one more of task t given `use`? */
export function accepts(n: SchedNode, use: NodeUse, t: PendingTask): boolean {
  if (n.state !== 'ready' || n.availability !== 'active') return false;
  const r = t.reservations;
  if ((r.nanoCPUs > 0 || r.memoryBytes > 0) && (n.nanoCPUs - use.cpu < r.nanoCPUs || n.memoryBytes - use.mem < r.memoryBytes)) {
    return false;
  }
  if (!t.placement.constraints.every((c) => satisfies(n, c))) return false;
  if (hostPorts(t).some((p) => use.ports.has(p))) return false;
  const max = t.placement.maxReplicas;
  return !(max > 0 && (use.byService.get(t.serviceId) ?? 0) >= max);
}

export interface Check {
  /** Broken rules, in words; empty when the result is right. */
  problems: string[];
  /** Replicas per service and node after the result is applied. */
  replicasAfter: (serviceId: string, nodeId: string) => number;
}

/**
 * Replays the assignments in order against the input and reports: a pending
 * task not accounted for exactly once; an assignment that breaks a filter;
 * an unassigned task for which some node would still pass every filter after
 * all assignments; and, when `spreadOrder`, a placement of a batch without
 * preferences that did not pick the node with the fewest replicas of the
 * service, then fewest tasks, then the lowest id.
 */
export function check(input: ScheduleInput, result: ScheduleResult, spreadOrder = true): Check {
  const problems: string[] = [];
  const nodes = new Map(input.nodes.map((n) => [n.id, n]));
  const use = new Map<string, NodeUse>();
  for (const n of input.nodes) use.set(n.id, { cpu: 0, mem: 0, ports: new Set(), total: 0, byService: new Map() });
  const hold = (u: NodeUse, t: { reservations: PendingTask['reservations']; ports: PendingTask['ports'] }): void => {
    u.cpu += t.reservations.nanoCPUs;
    u.mem += t.reservations.memoryBytes;
    for (const p of hostPorts(t)) u.ports.add(p);
  };
  const count = (u: NodeUse, serviceId: string): void => {
    u.total++;
    u.byService.set(serviceId, (u.byService.get(serviceId) ?? 0) + 1);
  };
  for (const t of input.tasks) {
    const u = use.get(t.nodeId);
    if (!u) continue;
    hold(u, t);
    if (!t.stopping) count(u, t.serviceId);
  }

  const byId = new Map(input.pending.map((t) => [t.id, t]));
  const seen = new Map<string, number>();
  for (const id of [...result.assignments.map((a) => a.taskId), ...result.unassigned.map((u) => u.taskId)]) {
    seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  for (const t of input.pending) if (seen.get(t.id) !== 1) problems.push(`task ${t.id} reported ${seen.get(t.id) ?? 0} times`);
  for (const id of seen.keys()) if (!byId.has(id)) problems.push(`unknown task ${id} in the result`);

  const key = (n: SchedNode, t: PendingTask): [number, number, string] => {
    const u = use.get(n.id) as NodeUse;
    return [u.byService.get(t.serviceId) ?? 0, u.total, n.id];
  };
  const before = (a: [number, number, string], b: [number, number, string]): boolean =>
    a[0] !== b[0] ? a[0] < b[0] : a[1] !== b[1] ? a[1] < b[1] : a[2] < b[2];

  for (const a of result.assignments) {
    const t = byId.get(a.taskId);
    const n = nodes.get(a.nodeId);
    if (!t || !n) {
      problems.push(`assignment ${a.taskId} -> ${a.nodeId} names an unknown task or node`);
      continue;
    }
    if (t.nodeId !== undefined && t.nodeId !== n.id) problems.push(`pinned task ${t.id} moved to ${n.id}`);
    const u = use.get(n.id) as NodeUse;
    if (!accepts(n, u, t)) problems.push(`task ${t.id} placed on ${n.id}, which a filter refuses`);
    if (spreadOrder && t.nodeId === undefined && t.placement.preferences.length === 0) {
      const best = input.nodes
        .filter((m) => accepts(m, use.get(m.id) as NodeUse, t))
        .reduce<SchedNode | undefined>((b, m) => (b === undefined || before(key(m, t), key(b, t)) ? m : b), undefined);
      if (best && best.id !== n.id) problems.push(`task ${t.id} placed on ${n.id}, but ${best.id} comes first`);
    }
    hold(u, t);
    count(u, t.serviceId);
  }

  for (const un of result.unassigned) {
    const t = byId.get(un.taskId);
    if (!t) continue;
    const candidates = t.nodeId !== undefined ? input.nodes.filter((n) => n.id === t.nodeId) : input.nodes;
    const open = candidates.find((n) => accepts(n, use.get(n.id) as NodeUse, t));
    if (open) problems.push(`task ${t.id} left unassigned ("${un.reason}") although ${open.id} takes it`);
    if (!un.reason.startsWith('no suitable node') && !un.reason.startsWith('invalid')) problems.push(`odd reason "${un.reason}"`);
  }
  return {
    problems,
    replicasAfter: (serviceId, nodeId) => use.get(nodeId)?.byService.get(serviceId) ?? 0,
  };
}

import { parseConstraints } from './constraint';
import { noSuitableNode } from './explain';
import { refusal, type Demand, type FilterName } from './filters';
import { parseSpread, type Spread } from './preference';
import { spreadBatch } from './spread';
import { ClusterState, hostPortKeys } from './state';
import type { Assignment, PendingTask, ScheduleInput, ScheduleResult, Unassigned } from './types';

// One scheduling pass: pinned tasks first (they have one node to try), then
// each batch of one service and spec version in the order its first task
// appears in `pending`. Every placement updates the shared state, so later
// batches see the resources, ports and replicas earlier ones took.

interface Batch {
  demand: Demand;
  spreads: Spread[];
}

/** Throws when the stored placement no longer parses (it was checked on the way in). */
function compile(state: ClusterState, t: PendingTask): Batch {
  return {
    demand: {
      reservations: t.reservations,
      constraints: parseConstraints(t.placement.constraints),
      portKeys: hostPortKeys(t.ports),
      maxReplicas: t.placement.maxReplicas,
      counts: state.serviceCounts(t.serviceId),
    },
    spreads: t.placement.preferences.map((p) => parseSpread(p.spread)),
  };
}

/** Counts every node under the first filter that refuses it one more task of the batch. */
function explainBatch(state: ClusterState, d: Demand): string {
  const refused = new Map<FilterName, number>();
  for (let i = 0; i < state.size; i++) {
    const f = refusal(state, d, i);
    if (f !== undefined) refused.set(f, (refused.get(f) ?? 0) + 1);
  }
  return noSuitableNode(refused);
}

/** Groups tasks by service, then spec version, keeping first-appearance order. */
function batches(pending: readonly PendingTask[]): PendingTask[][] {
  const byService = new Map<string, Map<number, PendingTask[]>>();
  const out: PendingTask[][] = [];
  for (const t of pending) {
    if (t.nodeId !== undefined) continue;
    let byVersion = byService.get(t.serviceId);
    if (!byVersion) byService.set(t.serviceId, (byVersion = new Map()));
    let batch = byVersion.get(t.specVersion);
    if (!batch) {
      byVersion.set(t.specVersion, (batch = []));
      out.push(batch);
    }
    batch.push(t);
  }
  return out;
}

/**
 * A pinned task (a global service's) only asks whether its node takes it. Its
 * batch is compiled once per service and spec version, like any batch.
 */
function placePinned(
  state: ClusterState,
  t: PendingTask,
  nodeId: string,
  compiled: Map<string, Batch | Error>,
  result: ScheduleResult,
): void {
  const key = `${t.serviceId}\u0000${t.specVersion}`;
  let b = compiled.get(key);
  if (b === undefined) {
    try {
      b = compile(state, t);
    } catch (e) {
      b = e instanceof Error ? e : new Error(String(e));
    }
    compiled.set(key, b);
  }
  if (b instanceof Error) {
    result.unassigned.push({ taskId: t.id, reason: b.message });
    return;
  }
  const i = state.indexOf(nodeId);
  if (i === undefined) {
    result.unassigned.push({ taskId: t.id, reason: `no suitable node (node ${nodeId} is not in the cluster)` });
    return;
  }
  const refused = refusal(state, b.demand, i);
  if (refused !== undefined) {
    result.unassigned.push({ taskId: t.id, reason: noSuitableNode(new Map([[refused, 1]])) });
    return;
  }
  state.place(i, b.demand.reservations, b.demand.counts, b.demand.portKeys);
  result.assignments.push({ taskId: t.id, nodeId });
}

function placeBatch(state: ClusterState, tasks: readonly PendingTask[], result: ScheduleResult): void {
  let b: Batch;
  try {
    b = compile(state, tasks[0]);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    for (const t of tasks) result.unassigned.push({ taskId: t.id, reason });
    return;
  }
  const assignments: Assignment[] = result.assignments;
  let next = 0;
  spreadBatch(state, b.demand, b.spreads, tasks.length, (i) => {
    assignments.push({ taskId: tasks[next++].id, nodeId: state.nodes[i].id });
  });
  if (next === tasks.length) return;
  const reason = explainBatch(state, b.demand);
  const unassigned: Unassigned[] = result.unassigned;
  for (; next < tasks.length; next++) unassigned.push({ taskId: tasks[next].id, reason });
}

export function scheduleTasks(input: ScheduleInput): ScheduleResult {
  const state = new ClusterState(input.nodes, input.tasks);
  const result: ScheduleResult = { assignments: [], unassigned: [] };
  const compiled = new Map<string, Batch | Error>();
  for (const t of input.pending) if (t.nodeId !== undefined) placePinned(state, t, t.nodeId, compiled, result);
  for (const batch of batches(input.pending)) placeBatch(state, batch, result);
  return result;
}

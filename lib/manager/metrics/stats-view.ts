// What `swarm service stats` shows: every running task of the services asked
// for (all services when none), with its latest sample from the leader's
// memory when there is a fresh one. A task without one is listed all the
// same (it just started, or its node stopped reporting): the CLI shows "--".

import type { StatsView, TaskStatsEntry } from '../../api/metrics-types';

export type { StatsView, TaskStatsEntry };
import type { Task } from '../../api/service-types';
import { ManagerError } from '../errors';
import type { MemoryStore } from '../store';
import type { DeepReadonly } from '../store/deep-freeze';
import { METRICS_MAX_AGE_MS, MetricsView } from './metrics-view';


export function taskDisplayName(t: DeepReadonly<Task>): string {
  return `${t.serviceName}.${t.slot ?? t.nodeId ?? ''}`;
}

/** Throws a NotFound ManagerError naming the first reference that is no service. */
export function statsView(store: MemoryStore, metrics: MetricsView, refs: readonly string[], now: number): StatsView {
  const services =
    refs.length === 0
      ? store.list('service')
      : refs.map((ref) => {
          const r = store.resolve('service', ref);
          if (!r.ok) throw new ManagerError(r.error.code === 'Ambiguous' ? 'Invalid' : 'NotFound', r.error.code === 'NotFound' ? `no such service: ${ref}` : r.error.message);
          return r.object;
        });
  const seen = new Set<string>();
  const tasks = services
    .filter((s) => !seen.has(s.id) && seen.add(s.id))
    .flatMap((s) => store.tasksByService(s.id))
    .filter((t) => t.status.state === 'running' && t.nodeId !== undefined);
  const samples = metrics.latest(
    tasks.map((t) => t.id),
    now,
    METRICS_MAX_AGE_MS,
  );
  const hostnames = new Map(store.list('node').map((n) => [n.id, n.description?.hostname ?? n.id]));
  const entries = tasks.map((t): TaskStatsEntry => {
    const nodeId = t.nodeId ?? '';
    const e: TaskStatsEntry = { taskId: t.id, name: taskDisplayName(t), serviceId: t.serviceId, serviceName: t.serviceName, nodeId, node: hostnames.get(nodeId) ?? nodeId };
    const s = samples.get(t.id);
    if (s) e.sample = s;
    return e;
  });
  entries.sort((a, b) => a.serviceName.localeCompare(b.serviceName) || a.name.localeCompare(b.name, undefined, { numeric: true }) || a.taskId.localeCompare(b.taskId));
  return { tasks: entries, maxAgeMs: METRICS_MAX_AGE_MS };
}

// Where the heal bench's seconds went, read back from the manager's store
// after the recovery: when the node's down status was written, when the lost
// tasks were told to shut down, when their replacements were created, and
// when those reported running (a task keeps only its latest state's time, so
// the steps in between are not visible here; the daemons' logs have them).

import type { Task } from '../../lib/api/service-types';
import type { Node } from '../../lib/api/types';
import type { DeepReadonly } from '../../lib/manager/store';

export interface HealTimeline {
  lines: string[];
  figures: Record<string, number | null>;
}

function rel(iso: string | undefined, zeroWall: number): number | null {
  if (iso === undefined) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : Math.round(t - zeroWall) / 1000;
}

function span(xs: (number | null)[]): { first: number | null; last: number | null } {
  const ok = xs.filter((x): x is number => x !== null);
  return ok.length === 0 ? { first: null, last: null } : { first: Math.min(...ok), last: Math.max(...ok) };
}

export function healTimeline(tasks: readonly Task[], nodes: readonly DeepReadonly<Node>[], victimId: string, killWall: number): HealTimeline {
  const victim = nodes.find((n) => n.id === victimId);
  const downWritten = victim?.status.state === 'down' ? rel(victim.meta.updatedAt, killWall) : null;
  const lost = tasks.filter((t) => t.nodeId === victimId);
  const lostShutdown = span(lost.filter((t) => t.desiredState !== 'running').map((t) => rel(t.meta.updatedAt, killWall)));
  const replacements = tasks.filter((t) => Date.parse(t.meta.createdAt) >= killWall);
  const created = span(replacements.map((t) => rel(t.meta.createdAt, killWall)));
  const running = span(replacements.filter((t) => t.status.state === 'running').map((t) => rel(t.status.timestamp, killWall)));
  const f = (x: number | null) => (x === null ? '?' : `${x.toFixed(2)} s`);
  return {
    lines: [
      `node down written to the store at ${f(downWritten)} (${victim?.status.message ?? 'no message'})`,
      `${lost.length} lost task(s) set to shut down at ${f(lostShutdown.first)}..${f(lostShutdown.last)}`,
      `${replacements.length} replacement(s) created at ${f(created.first)}..${f(created.last)}, running at ${f(running.first)}..${f(running.last)}`,
    ],
    figures: {
      store_down_s: downWritten,
      lost_shutdown_s: lostShutdown.first,
      replacements_created_s: created.first,
      replacements_running_s: running.last,
    },
  };
}

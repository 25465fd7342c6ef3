// Whether a task that stopped should be replaced, per its restart policy
// (docker's --restart-condition/-delay/-max-attempts/-window). Decided from
// the task alone, and from when it ended rather than from now, so that every
// pass of the orchestrator reaches the same verdict about the same task.

import { RestartPolicy, Task } from './service-types';
import { DeepReadonly } from '../util/deep-readonly';

export type RestartDecision = { restart: false } | { restart: true; notBefore: number; restarts: string[] };

/** With no attempt limit the timestamps only inform; a few suffice. */
const KEEP_UNLIMITED = 10;

export function decideRestart(task: DeepReadonly<Task>, policy: DeepReadonly<RestartPolicy>, now: number): RestartDecision {
  if (policy.condition === 'none') return { restart: false };
  if (policy.condition === 'on-failure' && task.status.state === 'complete') return { restart: false };
  const endedAt = Date.parse(task.status.timestamp);
  const at = Number.isFinite(endedAt) ? endedAt : now;
  const windowStart = policy.windowMs > 0 ? at - policy.windowMs : -Infinity;
  const recent = (task.restarts ?? []).filter((t) => Date.parse(t) >= windowStart);
  if (policy.maxAttempts > 0 && recent.length >= policy.maxAttempts) return { restart: false };
  const restarts = [...recent, new Date(at).toISOString()];
  const keep = policy.maxAttempts > 0 ? policy.maxAttempts : KEEP_UNLIMITED;
  return { restart: true, notBefore: at + policy.delayMs, restarts: restarts.slice(-keep) };
}

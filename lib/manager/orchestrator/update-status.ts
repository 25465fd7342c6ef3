// Service.updateStatus as the user's writes and the updater move it, with
// swarmkit's wording (docker shows these messages as they are). The user's
// side starts an update (or a rollback); the updater pauses, rolls back and
// completes it (updater.ts).

import { Service, ServiceSpec, UpdateConfig, UpdateStatus } from '../../api/service-types';
import { DEFAULT_ROLLBACK_CONFIG, DEFAULT_UPDATE_CONFIG } from '../../api/service-defaults';
import { canonicalJson } from '../store/canonical-json';
import { DeepReadonly, thaw } from '../store';
import { Draft } from '../store/transaction';

type RService = DeepReadonly<Service>;

/** Whether going from `a` to `b` redeploys tasks: their spec or published ports differ (replicas and labels do not). */
export function redeploys(a: DeepReadonly<ServiceSpec>, b: DeepReadonly<ServiceSpec>): boolean {
  return canonicalJson(a.task) !== canonicalJson(b.task) || canonicalJson(a.endpoint.ports) !== canonicalJson(b.endpoint.ports);
}

export function isPaused(s: DeepReadonly<UpdateStatus> | undefined): boolean {
  return s?.state === 'paused' || s?.state === 'rollback_paused';
}

/** A rollback under way uses the rollback settings of the spec it undoes (the one given with the update), else the restored spec's. */
export function activeUpdateConfig(s: RService): DeepReadonly<UpdateConfig> {
  if (s.updateStatus?.state === 'rollback_started') return s.previousSpec?.rollback ?? s.spec.rollback ?? DEFAULT_ROLLBACK_CONFIG;
  return s.spec.update ?? DEFAULT_UPDATE_CONFIG;
}

/** A status whose update owns the tasks made from the service's next version on. */
function started(current: RService, state: 'updating' | 'rollback_started', message: string, now: number): UpdateStatus {
  return { state, startedAt: new Date(now).toISOString(), message, sinceVersion: current.meta.version + 1 };
}

/**
 * The service after a user's change of spec (`service update`, `stack
 * deploy`). A change that redeploys tasks starts an update; any change
 * resumes a paused one (docker: `service update SERVICE` resumes). The
 * previous spec is kept for rollback, unless nothing changed at all.
 */
export function updatedService(current: RService, spec: ServiceSpec, now: number): Draft<Service> {
  const same = canonicalJson(spec) === canonicalJson(current.spec);
  const next: Draft<Service> = { id: current.id, spec };
  if (!same) next.previousSpec = thaw(current.spec);
  else if (current.previousSpec) next.previousSpec = thaw(current.previousSpec);
  // What the leader allocated (VIPs, published ports) stays with the service.
  if (current.endpoint) next.endpoint = thaw(current.endpoint);
  // The autoscaler's last decision, while the service still autoscales.
  if (current.autoscaleStatus && spec.autoscale) next.autoscaleStatus = thaw(current.autoscaleStatus);
  if (redeploys(current.spec, spec) || isPaused(current.updateStatus)) next.updateStatus = started(current, 'updating', 'update in progress', now);
  else if (current.updateStatus) next.updateStatus = thaw(current.updateStatus);
  return next;
}

/**
 * The service rolled back: the previous spec restored, the one it replaces
 * kept as previous (so a second rollback undoes the first, as docker).
 * The caller checks that there is a previous spec.
 */
export function rolledBackService(current: RService, message: string, now: number): Draft<Service> {
  if (!current.previousSpec) throw new Error(`service ${current.spec.name} has no previous spec`);
  const next: Draft<Service> = { id: current.id, spec: thaw(current.previousSpec), previousSpec: thaw(current.spec) };
  if (current.endpoint) next.endpoint = thaw(current.endpoint);
  // An autoscaled service keeps the replicas its load asked for (the previous
  // spec's count is from before the autoscaler's decisions), within the
  // restored policy's bounds.
  const policy = next.spec.autoscale;
  if (policy && current.spec.autoscale && next.spec.mode === 'replicated') {
    next.spec.replicas = Math.min(policy.max, Math.max(policy.min, current.spec.replicas));
    if (current.autoscaleStatus) next.autoscaleStatus = thaw(current.autoscaleStatus);
  }
  next.updateStatus = started(current, 'rollback_started', message, now);
  return next;
}

/** The service with only its update status changed (the updater's pause and completion). */
export function withUpdateStatus(current: RService, status: UpdateStatus): Draft<Service> {
  const next: Draft<Service> = thaw(current);
  next.updateStatus = status;
  return next;
}

export const MANUAL_ROLLBACK_MESSAGE = 'manually requested rollback';

export function failureMessage(kind: 'paused' | 'rolled back' | 'rollback paused', taskId: string): string {
  const what = kind === 'rollback paused' ? 'rollback paused' : `update ${kind}`;
  return `${what} due to failure or early termination of task ${taskId}`;
}

// The rolling updater's decisions as a pure function, after swarmkit's
// updater (manager/orchestrator/update) but with no state of its own: every
// pass reads where the update stands from the store, so a new leader carries
// on where the last one stopped.
//
// - The update (or rollback) is Service.updateStatus; its tasks are those of
//   the current spec made since it started (specVersion >= sinceVersion).
// - A slot (a replica's number, a global service's node) is dirty while a
//   task holding it runs an older spec. Dirty slots no task of this update
//   has been made for are taken `parallelism` at a time (0: all), lowest
//   first; a slot keeps its place in the batch until its new task runs (and
//   passes its health check: agents report RUNNING only then) or fails, and
//   for `delay` after.
// - stop-first shuts the old task down as the new one is made; start-first
//   makes the new one first, and the old one goes once the new one runs
//   (plan.ts keeps both until then).
// - A failure is a task of this update that ends on its own (fails, is
//   rejected, exits, turns unhealthy) before it ran or within `monitor` of
//   starting. When the slots that saw one are more than `maxFailureRatio` of
//   the slots in the update, the failure action runs: pause, rollback (to
//   the previous spec, with the rollback settings), or continue. A rollback
//   is never rolled back: a failing rollback pauses.
// - The update completes once no slot is left to take and every slot's new
//   task has run for `monitor` (or failed, with the action `continue`).

import { isTerminal, Service, Task, taskStateRank, UpdateStatus } from '../../api/service-types';
import { DeepReadonly } from '../store';
import { activeUpdateConfig, failureMessage, isPaused, MANUAL_ROLLBACK_MESSAGE, redeploys } from './update-status';

type RTask = DeepReadonly<Task>;

/** A task as the updater sees it: stored, or about to be created by this pass. */
export interface UpdaterTask {
  task: RTask;
  /** Made for the service's current spec and ports. */
  upToDate: boolean;
}

export interface UpdaterSlot {
  /** slotKey(): a replica's slot or a global task's node. */
  key: string;
  /** The tasks that hold the slot after this pass's restarts and scaling: wanted running, or finished for good. */
  holders: readonly UpdaterTask[];
  /** Every task of the slot, history included. */
  all: readonly UpdaterTask[];
  /** Not to be touched by an update (a global task on a paused node). */
  frozen: boolean;
  /** Its outdated tasks never reached a node: replacing them costs nothing and waits for no batch. */
  unplaced: boolean;
}

export interface UpdaterInput {
  service: DeepReadonly<Service>;
  /** Every service, this one included (a rollback must not take a port another now publishes). */
  services: readonly DeepReadonly<Service>[];
  slots: readonly UpdaterSlot[];
  now: number;
}

export type UpdateDecision =
  /** Update these slots now (in this order), the old task stopped first or after the new one runs. */
  | { kind: 'roll'; slots: string[]; order: 'stop-first' | 'start-first'; status?: UpdateStatus; wakeAt?: number }
  /** Only write this status (a start, a pause, a completion); no task changes from the updater. */
  | { kind: 'status'; status: UpdateStatus }
  /** Roll the service back to its previous spec; nothing else this pass. */
  | { kind: 'rollback'; message: string }
  | { kind: 'none' };

const ENDED_ON_ITS_OWN = new Set(['complete', 'failed', 'rejected']);

const ms = (iso: string | undefined): number | undefined => {
  if (iso === undefined) return undefined;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : undefined;
};

/** When a task began to run, if it did: the agent's record, else the time of its RUNNING report. */
function ranAt(t: RTask): number | undefined {
  return ms(t.status.startedAt) ?? (t.status.state === 'running' ? ms(t.status.timestamp) : undefined);
}

/** A status of the update with a new state and message, ended now when it ends. */
function next(status: DeepReadonly<UpdateStatus>, state: UpdateStatus['state'], message: string, now: number, ended: boolean): UpdateStatus {
  const out: UpdateStatus = { state, startedAt: status.startedAt, message };
  if (status.sinceVersion !== undefined) out.sinceVersion = status.sinceVersion;
  if (ended) out.completedAt = new Date(now).toISOString();
  return out;
}

export function planUpdate(input: UpdaterInput): UpdateDecision {
  const { service, now } = input;
  const status = service.updateStatus;
  if (isPaused(status)) return { kind: 'none' };
  const slots = input.slots.filter((s) => !s.frozen);
  const dirty = (s: UpdaterSlot) => s.holders.some((h) => !h.upToDate);

  // Whether a task was made by the update that `st` describes.
  const ofUpdate = (st: DeepReadonly<UpdateStatus> | undefined) => (t: UpdaterTask) => {
    if (!t.upToDate) return false;
    if (!st) return true;
    if (st.sinceVersion !== undefined) return t.task.specVersion >= st.sinceVersion;
    // A status from before sinceVersion existed: by the clock.
    const since = ms(st.startedAt) ?? 0;
    return Date.parse(t.task.meta?.createdAt ?? new Date(now).toISOString()) >= since;
  };

  const active = status?.state === 'updating' || status?.state === 'rollback_started';
  if (!active) {
    // None under way: one starts if a slot is dirty that the last update did not try (a spec written
    // around the API, a paused node's global task once its node is back). The start is written alone,
    // so that the tasks made after it carry the version it names.
    const last = ofUpdate(status);
    const untried = slots.some((s) => dirty(s) && !s.all.some(last));
    if (!untried) return { kind: 'none' };
    return {
      kind: 'status',
      status: { state: 'updating', startedAt: new Date(now).toISOString(), message: 'update in progress', sinceVersion: service.meta.version + 1 },
    };
  }

  const rollingBack = status.state === 'rollback_started';
  const cfg = activeUpdateConfig(service);
  const mine = ofUpdate(status);
  let wakeAt: number | undefined;
  const wake = (at: number) => {
    if (at > now && (wakeAt === undefined || at < wakeAt)) wakeAt = at;
  };

  interface Progress {
    slot: UpdaterSlot;
    tried: boolean;
    /** The earliest failure among the update's tasks in this slot. */
    failure?: { taskId: string; at: number };
    busy: boolean;
    done: boolean;
  }
  const progress: Progress[] = [];
  for (const slot of slots) {
    const made = slot.all.filter(mine);
    const p: Progress = { slot, tried: made.length > 0, busy: false, done: false };
    // When the slot's update settled: its first task of the update ran, or ended.
    let settled: number | undefined;
    for (const { task } of made) {
      const ran = ranAt(task);
      if (ENDED_ON_ITS_OWN.has(task.status.state)) {
        const at = ms(task.status.timestamp) ?? now;
        if (ran === undefined || at <= ran + cfg.monitorMs) {
          if (!p.failure || at < p.failure.at) p.failure = { taskId: task.id, at };
        }
        settled = Math.min(settled ?? at, ran ?? at);
      } else if (ran !== undefined) {
        settled = Math.min(settled ?? ran, ran);
      }
    }
    if (p.tried) {
      const live = slot.holders.find((h) => h.upToDate && h.task.desiredState === 'running');
      if (settled === undefined) {
        p.busy = live !== undefined && !isTerminal(live.task.status.state);
      } else if (now < settled + cfg.delayMs) {
        p.busy = true;
        wake(settled + cfg.delayMs);
      }
      if (p.failure) p.done = true;
      else if (live && live.task.status.state === 'running') {
        const ran = ranAt(live.task) ?? now;
        p.done = now >= ran + cfg.monitorMs;
        wake(ran + cfg.monitorMs);
      }
    }
    if (p.tried || dirty(slot)) progress.push(p);
  }

  const failed = progress.filter((p) => p.failure).sort((a, b) => (a.failure?.at ?? 0) - (b.failure?.at ?? 0));
  if (failed.length > 0 && failed.length / progress.length > cfg.maxFailureRatio && cfg.failureAction !== 'continue') {
    const culprit = failed[0].failure?.taskId ?? '';
    if (rollingBack) return { kind: 'status', status: next(status, 'rollback_paused', failureMessage('rollback paused', culprit), now, false) };
    if (cfg.failureAction === 'rollback') {
      const why = cannotRollBack(input);
      if (why === undefined) return { kind: 'rollback', message: failureMessage('rolled back', culprit) };
      return { kind: 'status', status: next(status, 'paused', `${failureMessage('paused', culprit)}; not rolled back: ${why}`, now, false) };
    }
    return { kind: 'status', status: next(status, 'paused', failureMessage('paused', culprit), now, false) };
  }

  const untried = progress.filter((p) => !p.tried && dirty(p.slot)).map((p) => p.slot);
  if (untried.length === 0 && progress.every((p) => p.done)) {
    const message = rollingBack ? (status.message === MANUAL_ROLLBACK_MESSAGE ? 'rollback completed' : `rollback completed: ${status.message}`) : 'update completed';
    return { kind: 'status', status: next(status, rollingBack ? 'rollback_completed' : 'completed', message, now, true) };
  }

  const room = cfg.parallelism === 0 ? Infinity : cfg.parallelism - progress.filter((p) => p.busy).length;
  // Tasks that never reached a node are replaced at once (nothing runs there to keep), yet their
  // replacements count against the batch like any other.
  const take = untried.filter((s) => s.unplaced).map((s) => s.key);
  for (const s of untried) if (!s.unplaced && take.length < room) take.push(s.key);
  return { kind: 'roll', slots: take, order: cfg.order, wakeAt };
}

/** Why the service cannot go back to its previous spec, if it cannot. */
function cannotRollBack(input: UpdaterInput): string | undefined {
  const prev = input.service.previousSpec;
  if (!prev) return 'no previous spec';
  if (!redeploys(prev, input.service.spec)) return 'the previous spec runs the same tasks';
  for (const p of prev.endpoint.ports) {
    if (p.publishedPort === 0) continue;
    const holder = input.services.find((o) => o.id !== input.service.id && o.spec.endpoint.ports.some((q) => q.publishedPort === p.publishedPort && q.protocol === p.protocol));
    if (holder) return `port ${p.publishedPort}/${p.protocol} is now published by service ${holder.spec.name}`;
  }
  return undefined;
}

/** Tasks past the point where they take a node's resources (the updater's "placed"). */
export function placed(t: RTask): boolean {
  return !!t.nodeId && taskStateRank(t.status.state) >= taskStateRank('assigned');
}

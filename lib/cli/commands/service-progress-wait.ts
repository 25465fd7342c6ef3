// What `service create/update/scale/rollback` show without -d: docker's live
// progress, one line per slot (or node), redrawn in place on a terminal, until
// every task of the current spec runs, then the "verify" wait of the update
// monitor period; while the leader's updater runs an update, until it says the
// update completed, and with an error when it paused or rolled back. Ctrl-C
// stops the waiting, never the service.
//
// It polls the service's progress view (lib/api/service-progress.ts: the
// tasks holding a slot, not the whole history nor every node), every 200 ms
// while something moves, backing off to once a second while nothing does.

import { ServiceProgressView } from '../../api/service-progress';
import { Task, UpdateStatus } from '../../api/service-types';
import { DEFAULT_UPDATE_CONFIG } from '../../api/service-defaults';
import { finishedForGood } from '../../api/finished-tasks';
import { isUpToDate } from '../../api/up-to-date';
import { CliContext } from '../context';
import { progressInterruptedLines, progressRollbackLine, progressVerifyLine, renderServiceProgress } from '../render';

export const POLL_MIN_MS = 200;
export const POLL_MAX_MS = 1000;

/** The next wait between polls: the shortest after a change, doubling up to the longest while nothing changes. */
export function nextPollDelay(previousMs: number, changed: boolean): number {
  return changed ? POLL_MIN_MS : Math.min(POLL_MAX_MS, Math.max(POLL_MIN_MS, previousMs * 2));
}

export type View = ServiceProgressView;

/**
 * The tasks the display follows: those of the current spec holding a slot,
 * wanted running or finished for good (told to shut down, yet holding it).
 * `finished` ones have done all they will (restart condition none, attempts
 * used up): once every slot holds a running or a finished task, waiting for
 * the finished ones to run would never end. A task that stopped and is still
 * wanted running is not finished: the orchestrator has yet to restart it.
 */
export function followedTasks(v: View, now: number): { current: Task[]; finished: Task[]; allSettled: boolean } {
  const finishedIds = finishedForGood(v.service.id, v.tasks, now);
  const current = v.tasks.filter((t) => (t.desiredState === 'running' || finishedIds.has(t.id)) && isUpToDate(t, v.service));
  const finished = current.filter((t) => finishedIds.has(t.id));
  const expected = v.service.spec.mode === 'global' ? v.activeNodeIds.length : v.service.spec.replicas;
  const allSettled = finished.length > 0 && current.length >= expected && current.every((t) => t.status.state === 'running' || finishedIds.has(t.id));
  return { current, finished, allSettled };
}

export interface WaitOptions {
  quiet: boolean;
  /** The service's version the command's write was made on: update statuses from before it are not this command's. */
  readVersion?: number;
  /** `service rollback`: a completed rollback is the goal, not a failure. */
  rollback?: boolean;
}

/** What the update status says to the waiting command, docker's way (cli/command/service/progress). */
export type UpdateVerdict =
  /** Not an update of this command's, or none: wait for the tasks as for a create. */
  | { kind: 'tasks' }
  /** The updater is at work: wait for it; `rollback` words the display, `notice` is worth a line. */
  | { kind: 'wait'; rollback: boolean; notice?: string }
  | { kind: 'done' }
  | { kind: 'failed'; error: string };

export function updateVerdict(u: UpdateStatus | undefined, o: Pick<WaitOptions, 'readVersion' | 'rollback'>): UpdateVerdict {
  if (!u || (o.readVersion !== undefined && (u.sinceVersion ?? 0) <= o.readVersion)) return { kind: 'tasks' };
  switch (u.state) {
    case 'updating':
      return { kind: 'wait', rollback: false };
    case 'rollback_started':
      return { kind: 'wait', rollback: true, notice: o.rollback ? undefined : progressRollbackLine(u.message) };
    case 'completed':
      return { kind: 'done' };
    case 'rollback_completed':
      return o.rollback ? { kind: 'done' } : { kind: 'failed', error: `service rolled back: ${u.message}` };
    case 'paused':
      return { kind: 'failed', error: `service update paused: ${u.message}` };
    case 'rollback_paused':
      return { kind: 'failed', error: `service rollback paused: ${u.message}` };
  }
}

export async function waitForConvergence(ctx: CliContext, ref: string, o: WaitOptions): Promise<void> {
  const tty = process.stdout.isTTY === true;
  let drawn = 0;
  let printed = new Set<string>();
  const notices: string[] = [];
  const draw = (frame: string[]): void => {
    if (o.quiet) return;
    const lines = [...notices, ...frame];
    if (tty) {
      // Move up over the previous frame and overwrite it, clearing each line.
      let out = drawn > 0 ? `\x1b[${drawn}F` : '';
      for (const l of lines) out += `\x1b[2K${l}\n`;
      ctx.out(out);
      drawn = lines.length;
    } else {
      const fresh = lines.filter((l) => !printed.has(l));
      if (fresh.length > 0) ctx.out(fresh.map((l) => `${l}\n`).join(''));
      printed = new Set([...printed, ...lines]);
    }
  };
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
  };
  process.once('SIGINT', onSigint);
  try {
    let stableSince: number | undefined;
    let delay = POLL_MIN_MS;
    let lastSeen: string | undefined;
    for (;;) {
      if (interrupted) {
        draw([]);
        ctx.out(progressInterruptedLines(ref).join('\n') + '\n');
        return;
      }
      const v = await ctx.call<View>('GET', `/v1/services/${encodeURIComponent(ref)}/progress`);
      const { current, finished, allSettled } = followedTasks(v, Date.now());
      const verdict = updateVerdict(v.service.updateStatus, o);
      const frame = renderServiceProgress(
        {
          mode: v.service.spec.mode,
          replicas: v.service.spec.replicas,
          tasks: current,
          activeNodeIds: new Set(v.activeNodeIds),
          rollback: (verdict.kind === 'wait' && verdict.rollback) || (verdict.kind !== 'tasks' && o.rollback === true),
        },
        { width: tty ? process.stdout.columns || 200 : 200, terminal: tty },
      );
      const seen = `${verdict.kind}\n${frame.lines.join('\n')}`;
      delay = nextPollDelay(delay, seen !== lastSeen);
      lastSeen = seen;
      // Said above the frame from then on: what started the rollback.
      if (verdict.kind === 'wait' && verdict.notice !== undefined && !notices.includes(verdict.notice)) notices.push(verdict.notice);
      if (verdict.kind === 'failed') {
        draw(frame.lines);
        throw new Error(verdict.error);
      }
      if (verdict.kind === 'done' && frame.converged) {
        draw([...frame.lines, progressVerifyLine({ stage: 'converged', service: ref })]);
        return;
      }
      if (verdict.kind !== 'tasks') {
        // The updater watches the monitor period itself; its status says when it is over.
        draw(frame.lines);
        await new Promise((r) => setTimeout(r, delay));
        continue;
      }
      if (allSettled) {
        draw([...frame.lines, `verify: ${finished.length} of ${current.length} tasks finished and will not be restarted`]);
        return;
      }
      const monitor = v.service.spec.update?.monitorMs ?? DEFAULT_UPDATE_CONFIG.monitorMs;
      const now = Date.now();
      // Stable since the last of the current tasks started running (by the nodes' clocks,
      // capped at now): a service that converged long ago needs no fresh wait.
      if (frame.converged) {
        const started = Math.max(...current.filter((t) => t.status.state === 'running').map((t) => Date.parse(t.status.timestamp) || now));
        stableSince ??= Math.min(Number.isFinite(started) ? started : now, now);
      } else {
        stableSince = undefined;
      }
      const lines = [...frame.lines];
      if (stableSince !== undefined) {
        const left = monitor - (now - stableSince);
        if (left <= 0) {
          draw([...lines, progressVerifyLine({ stage: 'converged', service: ref })]);
          return;
        }
        // A countdown is only worth showing where it redraws in place.
        if (tty) lines.push(progressVerifyLine({ stage: 'waiting', remainingMs: left }));
        // The wait ends when the monitor period does, not up to a poll later.
        delay = Math.min(delay, left);
      }
      draw(lines);
      await new Promise((r) => setTimeout(r, delay));
    }
  } finally {
    process.off('SIGINT', onSigint);
  }
}

// What `service create/update/scale` show without -d: docker's live progress,
// one line per slot (or node), redrawn in place on a terminal, until every
// task of the current spec runs, then the "verify" wait of the update
// monitor period. Ctrl-C stops the waiting, never the service.

import { Service, Task } from '../../api/service-types';
import { DEFAULT_UPDATE_CONFIG } from '../../api/service-defaults';
import { finishedForGood } from '../../manager/orchestrator/finished-tasks';
import { isUpToDate } from '../../manager/orchestrator/task-factory';
import { CliContext } from '../context';
import { progressInterruptedLines, progressVerifyLine, renderServiceProgress } from '../render';

const POLL_MS = 200;

export interface View {
  service: Service;
  tasks: Task[];
  activeNodeIds: string[];
}

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

export async function waitForConvergence(ctx: CliContext, ref: string, o: { quiet: boolean }): Promise<void> {
  const tty = process.stdout.isTTY === true;
  let drawn = 0;
  let printed = new Set<string>();
  const draw = (lines: string[]): void => {
    if (o.quiet) return;
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
    for (;;) {
      if (interrupted) {
        draw([]);
        ctx.out(progressInterruptedLines(ref).join('\n') + '\n');
        return;
      }
      const v = await ctx.call<View>('GET', `/v1/services/${encodeURIComponent(ref)}`);
      const { current, finished, allSettled } = followedTasks(v, Date.now());
      const frame = renderServiceProgress(
        { mode: v.service.spec.mode, replicas: v.service.spec.replicas, tasks: current, activeNodeIds: new Set(v.activeNodeIds) },
        { width: tty ? process.stdout.columns || 200 : 200, terminal: tty },
      );
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
      }
      draw(lines);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    process.off('SIGINT', onSigint);
  }
}

// The leader's lease is counted in ticks, and a timer callback that runs late
// (the event loop was held) still reports one tick. Left at that, a leader
// paused for 3 s would believe 3 s of its lease were 100 ms. The driver
// therefore tells the core how many ticks real time says are due beyond the
// ones its timer delivered (Raft.elapse), before it hands it any read.

/** Ticks due by the monotonic clock that were not yet fed to the core (never negative). */
export function dueTicks(elapsedMs: number, tickMs: number, fed: number): number {
  if (!(tickMs > 0)) throw new Error(`dueTicks: tickMs must be positive, got ${tickMs}`);
  if (!(elapsedMs >= 0)) return 0;
  return Math.max(0, Math.floor(elapsedMs / tickMs) - fed);
}

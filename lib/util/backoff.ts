// Reconnect delays. Exponential so a dead peer costs little; jittered so the
// managers of a cluster that lost a peer together do not redial in lockstep.

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** Fraction of each delay that is randomised: 0.5 gives a delay in [d/2, d]. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 100, maxMs: 5000, factor: 2, jitter: 0.5 };

/**
 * Delay before the next dial after `failures` consecutive failed attempts.
 * The first attempt goes out at once: a dropped link is usually a restart
 * that is already over.
 */
export function backoffDelay(failures: number, o: BackoffOptions, random: () => number): number {
  if (failures <= 0) return 0;
  const ceiling = Math.min(o.maxMs, o.initialMs * o.factor ** (failures - 1));
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(ceiling * (1 - o.jitter + o.jitter * r));
}

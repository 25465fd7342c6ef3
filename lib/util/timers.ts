// Time as the control loops see it: a clock and one-shot timers, injected so
// a test or a simulator can run the loops on virtual time.

export type TimerHandle = unknown;

export interface Timers {
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Milliseconds since the epoch. */
export type Clock = () => number;

export const realClock: Clock = () => Date.now();

/** Waits `ms` on the given timers (a retry's back-off, say). */
export function sleepOn(timers: Timers, ms: number): Promise<void> {
  return new Promise((resolve) => void timers.setTimeout(resolve, ms));
}

// The dispatcher's time: the control loops' injectable clock and timers (lib/util/timers.ts).

export { realClock, realTimers } from '../../util/timers';
export type { Clock, TimerHandle, Timers } from '../../util/timers';

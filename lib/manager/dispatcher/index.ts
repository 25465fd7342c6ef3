// lib/manager/dispatcher: agent sessions on the leader, node liveness, batched status writes.

export { CLOSED_PERIODS, DEFAULT_HEARTBEAT_MS, Dispatcher, leaderAddrFromStore, MISSED_PERIODS } from './dispatcher';
export type { DispatcherHost, DispatcherLogger, DispatcherOptions, DispatcherStats } from './dispatcher';
export { realClock, realTimers } from './timers';
export type { Clock, TimerHandle, Timers } from './timers';

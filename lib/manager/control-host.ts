// What the leader's control loops (orchestrator, scheduler, autoscaler) need
// of a manager, and nothing more: the replicated store to read, a way to
// write through Raft, a ReadIndex barrier, the entry size bound, and their
// time and ids. Manager implements it with the real clock, timers and
// random ids; the control-plane simulator (lib/manager/sim) with virtual
// time, a seeded id source and a store it commits to itself, so the same
// loops run there unchanged and a seed replays exactly.

import type { Clock, Timers } from '../util/timers';
import type { ManagerObserver } from './observer';
import type { Action, AppliedChange, MemoryStore } from './store';

/** A new object id (as newObjectId: 25 lowercase alphanumerics). */
export type IdSource = () => string;

export interface ControlHost {
  readonly store: MemoryStore;
  /** Commits one all-or-nothing transaction; throws ManagerError (Conflict, NotFound, TooLarge, NoQuorum, ...). */
  write(actions: Action[]): Promise<AppliedChange[]>;
  /** Resolves once the store holds everything committed before the call. */
  syncRead(): Promise<void>;
  /** Writers cut their actions into transactions of at most this many encoded bytes. */
  readonly maxEntryBytes: number;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly ids: IdSource;
  /** Told of the loops' passes, for metrics; none in the simulator. */
  readonly observer?: ManagerObserver;
}

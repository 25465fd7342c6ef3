// One leadership term as the leader loops see it: a ControlHost whose writes
// go through the simulator's commit log while the term lasts and fail with
// NoQuorum once it has ended, on virtual time and a seeded id source.

import { DEFAULT_MAX_ENTRY_BYTES } from '../entry-size';
import { ManagerError } from '../errors';
import type { ControlHost, IdSource } from '../control-host';
import type { Action, AppliedChange } from '../store';
import type { Clock, Timers } from '../../util/timers';
import type { CommitLog, SimStore } from './sim-store';
import type { VirtualTime } from './virtual-time';

export class SimHost implements ControlHost {
  readonly maxEntryBytes = DEFAULT_MAX_ENTRY_BYTES;
  readonly clock: Clock;
  private ended = false;

  constructor(
    private readonly commits: CommitLog,
    readonly timers: VirtualTime,
    readonly ids: IdSource,
    readonly term: number,
  ) {
    this.clock = timers.clock;
  }

  get store(): SimStore {
    return this.commits.store;
  }

  get isLeader(): boolean {
    return !this.ended;
  }

  write(actions: Action[]): Promise<AppliedChange[]> {
    if (this.ended) return Promise.reject(new ManagerError('NotLeader', `term ${this.term} has ended`));
    if (actions.length === 0) return Promise.resolve([]);
    return this.commits.propose(actions, this.term, true);
  }

  /** A write that is not a leader loop's (an agent's status, the dispatcher's node state): no conflict is injected into it. */
  writeOther(actions: Action[]): Promise<AppliedChange[]> {
    if (this.ended) return Promise.reject(new ManagerError('NotLeader', `term ${this.term} has ended`));
    return this.commits.propose(actions, this.term);
  }

  /** ReadIndex: resolves once everything proposed before it has applied. */
  syncRead(): Promise<void> {
    if (this.ended) return Promise.reject(new ManagerError('NotLeader', `term ${this.term} has ended`));
    return this.commits.propose([], this.term).then(() => undefined);
  }

  end(): void {
    this.ended = true;
    this.commits.endTerm(this.term);
  }

  /** Timers for this term only: they do nothing once it has ended. */
  get termTimers(): Timers {
    return {
      setTimeout: (fn, ms) => this.timers.setTimeout(() => !this.ended && fn(), ms),
      clearTimeout: (h) => this.timers.clearTimeout(h),
    };
  }
}

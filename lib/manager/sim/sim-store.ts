// The replicated store as the simulator stands it in: one MemoryStore that
// every write reaches through a commit queue (Raft's log, in order, after a
// seeded delay), and watchers whose queue bound the simulation sets, so a
// control loop's watch can overflow as it would behind a burst of changes.

import { ManagerError, fromStoreError } from '../errors';
import { Action, AppliedChange, MemoryStore, Watcher, WatchOptions } from '../store';
import { Prng } from '../../raft/sim/prng';
import { VirtualTime } from './virtual-time';

export class SimStore extends MemoryStore {
  /** The queue bound given to watchers that do not ask for one (the loops never do). */
  watchLimit: number | undefined;
  overflows = 0;

  override watch(options: WatchOptions = {}): Watcher {
    // Virtual time: a watcher must not wait on the real event loop, or a run would depend on it.
    const base = { yieldMs: 0, ...options };
    const w = super.watch(this.watchLimit === undefined || options.limit !== undefined ? base : { ...base, limit: this.watchLimit });
    // Counted where the loop meets it: the rejected next().
    const next = w.next.bind(w);
    w.next = () =>
      next().catch((e: unknown) => {
        this.overflows++;
        throw e;
      });
    return w;
  }
}

export interface CommitResult {
  index: number;
  ok: boolean;
  error?: string;
}

interface InFlight {
  actions: Action[];
  term: number;
  resolve: (changes: AppliedChange[]) => void;
  reject: (e: Error) => void;
  /** Set when its term ended first: applied or not, the proposer hears it failed. */
  orphaned?: boolean;
}

/**
 * Raft's log reduced to what the control loops can observe: a write is
 * applied after a delay, in the order it was proposed, or fails. A term's end
 * leaves each of its writes in flight either committed or lost (seeded), and
 * its proposer told NoQuorum either way, as a deposed leader's proposers are.
 */
export class CommitLog {
  private index = 0;
  private lastAt = 0;
  private inFlight = new Set<InFlight>();
  /** Applied, in order: what the run's fingerprint is made of. */
  readonly log: CommitResult[] = [];
  /** Called before a write of a leader loop applies: a chance to change what it read (a conflicting write). */
  beforeApply?: (actions: readonly Action[]) => void;
  /** `loop`: written by a leader loop (the orchestrator or the scheduling loop). */
  onApplied?: (r: CommitResult, actions: readonly Action[], loop: boolean) => void;

  constructor(
    readonly store: SimStore,
    private readonly time: VirtualTime,
    private readonly rng: Prng,
    private readonly delayMs: () => number,
  ) {}

  get lastIndex(): number {
    return this.index;
  }

  /** Proposes `actions` in `term`; resolves with the store's changes or rejects with the store's or the quorum's reason. */
  propose(actions: Action[], term: number, loop = false): Promise<AppliedChange[]> {
    return new Promise((resolve, reject) => {
      const w: InFlight = { actions, term, resolve, reject };
      this.inFlight.add(w);
      const at = Math.max(this.lastAt, this.time.now + this.delayMs());
      this.lastAt = at;
      this.time.setTimeout(() => {
        if (!this.inFlight.delete(w)) return;
        if (w.orphaned) return;
        // A barrier (ReadIndex): nothing to apply, only the order matters.
        if (actions.length === 0) return resolve([]);
        if (loop) this.beforeApply?.(actions);
        const r = this.applyNow(actions, loop);
        if (r.ok) resolve(r.changes);
        else reject(r.error);
      }, at - this.time.now);
    });
  }

  /** Applies at once, outside any term (the simulator's own bookkeeping, a user's write in a test). */
  applyNow(actions: readonly Action[], loop = false): { ok: true; changes: AppliedChange[] } | { ok: false; error: ManagerError } {
    const index = ++this.index;
    const r = this.store.apply(index, { at: new Date(this.time.now).toISOString(), actions: actions as Action[] });
    const result: CommitResult = r.ok ? { index, ok: true } : { index, ok: false, error: r.error.code };
    this.log.push(result);
    this.onApplied?.(result, actions, loop);
    return r.ok ? { ok: true, changes: r.changes } : { ok: false, error: fromStoreError(r.error) };
  }

  /** Ends `term`: its writes in flight are committed or lost (seeded); their proposers hear NoQuorum. */
  endTerm(term: number): void {
    for (const w of [...this.inFlight]) {
      if (w.term !== term) continue;
      this.inFlight.delete(w);
      if (w.actions.length > 0 && this.rng.chance(0.5)) this.applyNow(w.actions);
      w.orphaned = true;
      w.reject(new ManagerError('NoQuorum', `leadership of term ${term} lost before the write was known committed`));
    }
  }
}

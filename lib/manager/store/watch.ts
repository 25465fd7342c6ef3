// The watch stream the control loops follow. Events are queued per subscriber;
// a queue is bounded, because a stuck control loop must not make a manager run
// out of memory. A subscriber that falls that far behind is closed with a
// WatchOverflowError it sees on its next read, and is expected to re-read the
// store and watch again (as swarmkit's loops do after a watch queue overflow).

import { Kind, ObjectsByKind } from '../../api/types';
import { DeepReadonly } from './deep-freeze';

export type ChangeAction = 'create' | 'update' | 'delete';

export type ChangeEvent = {
  [K in Kind]: {
    kind: K;
    action: ChangeAction;
    id: string;
    /** The object after the change; for a delete, the object as it was. */
    object: DeepReadonly<ObjectsByKind[K]>;
    /** The object before an update. */
    oldObject?: DeepReadonly<ObjectsByKind[K]>;
    /** The Raft index of the transaction. */
    version: number;
    /** The transaction's time (the proposer's clock): what every manager reports as when it happened, deletes included. */
    at: string;
  };
}[Kind];

/** The whole state was replaced by a snapshot: forget what you knew and re-read the store. */
export interface ResetEvent {
  action: 'reset';
  version: number;
}

export type StoreEvent = ChangeEvent | ResetEvent;

export interface WatchOptions {
  /** Only these kinds (resets always come through). */
  kinds?: readonly Kind[];
  /** Only these actions (resets always come through). */
  actions?: readonly ChangeAction[];
  /** Most events queued before the subscriber is closed with a WatchOverflowError. */
  limit?: number;
  /**
   * After this long handing out queued events without the reader waiting, the
   * next one is handed out on the next turn of the event loop (setImmediate)
   * instead of at once. 0: never (a simulation that drains promises itself).
   */
  yieldMs?: number;
}

/**
 * Queued events are handed out as resolved promises, so a reader drains its
 * whole queue in one go of microtasks, where no timer or socket runs: 100,000
 * task changes read that way held a leader's event loop past Raft's election
 * timeout. Reading yields every YIELD_MS instead.
 */
export const DEFAULT_WATCH_YIELD_MS = 20;

/**
 * Raft applies the entries of one batch in one go, before any watcher runs,
 * and one 2 MiB entry holds ~10,000 task changes (entry-size.ts): a bound near
 * that overflowed the leader's loops on every big write at 100,000 tasks, and
 * each overflow cost a full re-read (the network index rebuilt for seconds,
 * long enough to lose the leadership). An event is a few references to frozen
 * objects, ~100 bytes: 500,000 of them are ~50 MB before a watcher is closed.
 */
export const DEFAULT_WATCH_LIMIT = 500_000;

export class WatchOverflowError extends Error {
  readonly code = 'WatchOverflow';
  constructor(limit: number) {
    super(`watch fell behind: more than ${limit} events were waiting; re-read the store and watch again`);
    this.name = 'WatchOverflowError';
  }
}

export class Watcher implements AsyncIterableIterator<StoreEvent> {
  private queue: StoreEvent[] = [];
  private head = 0;
  private waiter: { resolve: (r: IteratorResult<StoreEvent>) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;
  private closed = false;
  private readonly limit: number;
  private readonly yieldMs: number;
  private lastYield = performance.now();
  private readonly kinds: ReadonlySet<Kind> | undefined;
  private readonly actions: ReadonlySet<ChangeAction> | undefined;

  constructor(
    options: WatchOptions,
    private readonly detach: (w: Watcher) => void,
  ) {
    this.limit = options.limit ?? DEFAULT_WATCH_LIMIT;
    this.yieldMs = options.yieldMs ?? DEFAULT_WATCH_YIELD_MS;
    if (!Number.isSafeInteger(this.limit) || this.limit < 1) throw new RangeError(`watch limit must be a positive integer (got ${this.limit})`);
    this.kinds = options.kinds && new Set(options.kinds);
    this.actions = options.actions && new Set(options.actions);
  }

  /** Events waiting to be read. */
  get pending(): number {
    return this.queue.length - this.head;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  next(): Promise<IteratorResult<StoreEvent>> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.head < this.queue.length) {
      const value = this.queue[this.head++];
      if (this.head === this.queue.length) {
        this.queue = [];
        this.head = 0;
      }
      if (this.yieldMs > 0) {
        const now = performance.now();
        if (now - this.lastYield >= this.yieldMs) {
          this.lastYield = now;
          return new Promise((resolve) => setImmediate(() => resolve({ value, done: false })));
        }
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    if (this.waiter) return Promise.reject(new Error('watch: next() called again before the previous call resolved'));
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /** Ends the stream: a waiting next() resolves done, queued events are dropped. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.head = 0;
    this.detach(this);
    const w = this.waiter;
    this.waiter = undefined;
    w?.resolve({ value: undefined, done: true });
  }

  return(): Promise<IteratorResult<StoreEvent>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<StoreEvent> {
    return this;
  }

  /** @internal called by the store after a commit. */
  deliver(ev: ChangeEvent): void {
    if (this.closed) return;
    if (this.kinds && !this.kinds.has(ev.kind)) return;
    if (this.actions && !this.actions.has(ev.action)) return;
    this.push(ev);
  }

  /** @internal called by the store after a restore: earlier events no longer matter. */
  deliverReset(ev: ResetEvent): void {
    if (this.closed) return;
    this.queue = [];
    this.head = 0;
    this.push(ev);
  }

  private push(ev: StoreEvent): void {
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      // The reader waited: it gave the loop its turn.
      this.lastYield = performance.now();
      w.resolve({ value: ev, done: false });
      return;
    }
    if (this.pending >= this.limit) {
      this.fail(new WatchOverflowError(this.limit));
      return;
    }
    this.queue.push(ev);
  }

  private fail(e: Error): void {
    this.failure = e;
    this.close();
  }
}

/** The store's set of subscribers. */
export class WatchHub {
  private readonly watchers = new Set<Watcher>();

  get size(): number {
    return this.watchers.size;
  }

  watch(options: WatchOptions = {}): Watcher {
    const w = new Watcher(options, (x) => this.watchers.delete(x));
    this.watchers.add(w);
    return w;
  }

  publish(events: readonly ChangeEvent[]): void {
    // A watcher may close itself on overflow while we iterate: iterate a copy.
    for (const w of [...this.watchers]) {
      for (const ev of events) w.deliver(ev);
    }
  }

  reset(version: number): void {
    const ev: ResetEvent = Object.freeze({ action: 'reset', version });
    for (const w of [...this.watchers]) w.deliverReset(ev);
  }
}

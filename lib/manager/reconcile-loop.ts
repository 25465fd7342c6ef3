// The shape shared by the leader's control loops (orchestrator, scheduler):
// one pass at a time, run soon after a change of the kinds they care about,
// at a time they ask for (a restart delay ending), and every `periodMs`.
// Passes are incremental: the loop is handed every store event (onEvent) and
// keeps track of what it touches, and a pass works on that alone. A full pass
// over the whole store comes first after becoming leader, after the watch
// overflowed or the store was replaced by a snapshot, and every `fullPeriodMs` (30 s)
// as the safety net for anything the incremental bookkeeping missed. The
// first pass waits for a ReadIndex, so a new leader never plans on a store
// that has not applied everything its predecessor committed.

import { Kind } from '../api/types';
import { sleepOn, TimerHandle } from '../util/timers';
import { ControlHost } from './control-host';
import { LeaderLoop } from './leader-loops';
import { StoreEvent, Watcher } from './store';

export interface PassResult {
  /** Ask for another pass at this time (ms since the epoch). */
  wakeAt?: number;
  /** Something could not be written (a conflict, say): run again soon. */
  retry?: boolean;
}

export interface ReconcileLogger {
  warn(msg: string): void;
}

export abstract class ReconcileLoop implements LeaderLoop {
  abstract readonly name: string;
  private running = false;
  private generation = 0;
  private watcher?: Watcher;
  private timer?: TimerHandle;
  private nextAt = Infinity;
  private busy = false;
  private again = false;
  private ready = false;
  private fullDue = true;
  private lastFull = -Infinity;

  constructor(
    protected readonly m: ControlHost,
    private readonly kinds: readonly Kind[],
    protected readonly log: ReconcileLogger,
    private readonly debounceMs = 10,
    private readonly periodMs = 1000,
    // A full pass over 100,000 tasks takes a second or more on a small machine: the safety net is not its main job.
    private readonly fullPeriodMs = 30_000,
  ) {}

  /**
   * One pass; writes through this.m. `full`: over the whole store, forgetting
   * what the events said (they may have been missed); otherwise over what
   * onEvent marked since the last pass.
   */
  protected abstract pass(now: number, full: boolean): Promise<PassResult>;

  /**
   * A committed change, in order, before the pass it triggers. The event may
   * be older than the store by then: read the store for the current object.
   */
  protected onEvent(ev: StoreEvent): void {
    void ev;
  }

  /** The next pass is a full one (a write of the last pass failed, say). */
  protected requestFull(): void {
    this.fullDue = true;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const gen = ++this.generation;
    this.ready = false;
    this.fullDue = true;
    void this.follow(gen);
    void this.prepare(gen);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.generation++;
    this.watcher?.close();
    this.watcher = undefined;
    if (this.timer !== undefined) this.m.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.nextAt = Infinity;
  }

  private async prepare(gen: number): Promise<void> {
    while (this.running && gen === this.generation) {
      try {
        await this.m.syncRead();
        this.ready = true;
        this.schedule(0);
        return;
      } catch (e) {
        this.log.warn(`${this.name}: waiting for the store to catch up: ${e instanceof Error ? e.message : String(e)}`);
        await sleepOn(this.m.timers, 200);
      }
    }
  }

  private async follow(gen: number): Promise<void> {
    const w = this.m.store.watch({ kinds: this.kinds });
    this.watcher = w;
    try {
      for await (const ev of w) {
        if (gen !== this.generation) break;
        if (ev.action === 'reset') this.fullDue = true;
        else this.onEvent(ev);
        this.schedule(this.debounceMs);
      }
    } catch {
      // Overflow: events were lost, so the next pass re-reads everything; watch again.
      if (this.running && gen === this.generation) {
        this.fullDue = true;
        this.schedule(0);
        void this.follow(gen);
      }
    }
  }

  /** Runs a pass in `delayMs` unless one is due sooner. */
  protected schedule(delayMs: number): void {
    if (!this.running || !this.ready) return;
    const now = this.m.clock();
    const at = now + Math.max(0, delayMs);
    if (at >= this.nextAt) return;
    this.nextAt = at;
    if (this.timer !== undefined) this.m.timers.clearTimeout(this.timer);
    this.timer = this.m.timers.setTimeout(() => {
      this.timer = undefined;
      this.nextAt = Infinity;
      void this.runPass();
    }, at - now);
  }

  private async runPass(): Promise<void> {
    if (!this.running) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    const gen = this.generation;
    let result: PassResult = {};
    const now = this.m.clock();
    const full = this.fullDue || now - this.lastFull >= this.fullPeriodMs;
    if (full) {
      this.fullDue = false;
      this.lastFull = now;
    }
    const started = performance.now();
    try {
      result = await this.pass(now, full);
    } catch (e) {
      this.log.warn(`${this.name}: ${e instanceof Error ? e.message : String(e)}`);
      // What the failed pass had marked is forgotten with it: the retry reads everything.
      this.fullDue = true;
      result = { retry: true };
    } finally {
      this.busy = false;
      // Wall time, including the pass's own yields: how long its changes took to be written.
      this.m.observer?.reconcilePass?.(this.name, (performance.now() - started) / 1000);
    }
    if (gen !== this.generation) return;
    if (this.again || result.retry) {
      this.again = false;
      this.schedule(result.retry ? 100 : 0);
    }
    if (result.wakeAt !== undefined) this.schedule(result.wakeAt - this.m.clock());
    this.schedule(this.periodMs);
  }
}

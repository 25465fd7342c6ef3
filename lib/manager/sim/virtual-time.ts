// Virtual time for the control-plane simulator: a clock and one-shot timers
// over one event queue. Nothing runs by itself; the simulation pops the next
// event, moves the clock to it, runs it and lets the promises it started
// settle before the next one, so a run is a pure function of its seed.

import { EventQueue } from '../../raft/sim/event-queue';
import type { Clock, TimerHandle, Timers } from '../../util/timers';

interface Pending {
  id: number;
  fn: () => void;
}

export class VirtualTime implements Timers {
  private t: number;
  private readonly queue = new EventQueue<Pending>();
  private readonly cancelled = new Set<number>();
  private nextId = 1;

  constructor(start: number) {
    this.t = start;
  }

  readonly clock: Clock = () => this.t;

  get now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    // A negative or NaN delay runs as soon as possible, as Node's setTimeout does.
    this.queue.push(this.t + (ms > 0 ? ms : 0), { id, fn });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    if (typeof handle === 'number') this.cancelled.add(handle);
  }

  /** When the next live timer fires, or undefined when none is set. */
  peek(): number | undefined {
    this.dropCancelled();
    return this.queue.peek()?.time;
  }

  /** Runs the next timer (moving the clock to its time); false when there is none. */
  step(): boolean {
    this.dropCancelled();
    const next = this.queue.pop();
    if (!next) return false;
    this.t = next.time;
    next.payload.fn();
    return true;
  }

  private dropCancelled(): void {
    for (let head = this.queue.peek(); head && this.cancelled.has(head.payload.id); head = this.queue.peek()) {
      this.queue.pop();
      this.cancelled.delete(head.payload.id);
    }
  }
}

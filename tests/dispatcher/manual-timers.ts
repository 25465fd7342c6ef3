// Timers the test fires by hand, and a few turns of the event loop for the
// store's watch to deliver what was applied.

import { TimerHandle, Timers } from '../../lib/manager/dispatcher/timers';

export class ManualTimers implements Timers {
  private next = 1;
  readonly due = new Map<number, () => void>();
  setTimeout(fn: () => void, _ms: number): TimerHandle {
    const id = this.next++;
    this.due.set(id, fn);
    return id;
  }
  clearTimeout(handle: TimerHandle): void {
    this.due.delete(handle as number);
  }
  fire(): void {
    const fns = [...this.due.values()];
    this.due.clear();
    for (const fn of fns) fn();
  }
}

export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

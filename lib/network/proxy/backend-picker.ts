// Which backend gets the next connection or UDP flow: round robin, with
// backends that failed a moment ago put last, so one refusing task costs
// clients nothing while the table still lists it as up.

import type { Backend } from './types';

/** How long a failed backend is put last. */
const FAILED_FOR_MS = 2000;

export class BackendPicker {
  private next = 0;
  private readonly failedAt = new Map<string, number>();

  /** Backends to try for one connection, in order: at most `max`, recently failed ones last. */
  order(backends: readonly Backend[], max: number): Backend[] {
    const n = backends.length;
    if (n === 0) return [];
    const start = this.next++ % n;
    if (this.next >= Number.MAX_SAFE_INTEGER) this.next = 0;
    const good: Backend[] = [];
    let failed: Backend[] | undefined;
    const now = this.failedAt.size > 0 ? Date.now() : 0;
    for (let i = 0; i < n && good.length < max; i++) {
      const b = backends[(start + i) % n];
      if (now > 0 && this.recentlyFailed(b.taskId, now)) (failed ??= []).push(b);
      else good.push(b);
    }
    return failed ? good.concat(failed).slice(0, max) : good;
  }

  failed(b: Backend): void {
    this.failedAt.set(b.taskId, Date.now());
  }

  succeeded(b: Backend): void {
    if (this.failedAt.size > 0) this.failedAt.delete(b.taskId);
  }

  private recentlyFailed(taskId: string, now: number): boolean {
    const at = this.failedAt.get(taskId);
    if (at === undefined) return false;
    if (now - at < FAILED_FOR_MS) return true;
    this.failedAt.delete(taskId);
    return false;
  }
}

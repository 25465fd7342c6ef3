// Promises of proposals in flight, settled when their entry is applied, when
// they time out, or when the node stops.

import { RaftNodeError } from './errors';

interface Pending<T> {
  resolve(v: T): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

export class PendingRequests<K, T> {
  private readonly pending = new Map<K, Pending<T>>();

  get size(): number {
    return this.pending.size;
  }

  add(key: K, timeoutMs: number, onTimeout: () => RaftNodeError): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.pending.delete(key)) reject(onTimeout());
      }, timeoutMs);
      // A pending proposal must not keep a stopping process alive.
      timer.unref();
      this.pending.set(key, { resolve, reject, timer });
    });
  }

  has(key: K): boolean {
    return this.pending.has(key);
  }

  resolve(key: K, value: T): boolean {
    const p = this.pending.get(key);
    if (!p) return false;
    this.pending.delete(key);
    clearTimeout(p.timer);
    p.resolve(value);
    return true;
  }

  reject(key: K, err: Error): void {
    const p = this.pending.get(key);
    if (!p) return;
    this.pending.delete(key);
    clearTimeout(p.timer);
    p.reject(err);
  }

  rejectAll(err: () => Error): void {
    for (const key of [...this.pending.keys()]) this.reject(key, err());
  }

  /** Rejects the entries the predicate picks (e.g. conf changes overwritten in the log). */
  rejectWhere(pred: (key: K) => boolean, err: () => Error): void {
    for (const key of [...this.pending.keys()]) if (pred(key)) this.reject(key, err());
  }
}

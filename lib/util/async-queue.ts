// A queue read with `for await`: producers push and end it, one consumer
// reads. Unbounded unless given a bound: log lines for one reader need none
// (their producer is stopped when the reader goes away); a reader of a
// stream that never ends (cluster events) gets one, past which what waits is
// dropped and replaced by what `overflow` says.

export interface AsyncQueueOptions<T> {
  /** Most items waiting; past it they are dropped and `overflow(limit)` takes their place. */
  limit?: number;
  overflow?: (limit: number) => T;
  /** Called when the reader stops (break out of for-await, or return()). */
  onReturn?: () => void;
}

export class AsyncQueue<T> implements AsyncIterableIterator<T> {
  private items: T[] = [];
  private head = 0;
  private waiter?: (r: IteratorResult<T>) => void;
  private ended = false;

  constructor(private readonly options: AsyncQueueOptions<T> = {}) {}

  push(item: T): void {
    if (this.ended) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w({ value: item, done: false });
      return;
    }
    const { limit, overflow } = this.options;
    if (limit !== undefined && overflow && this.items.length - this.head >= limit) {
      this.items = [overflow(limit)];
      this.head = 0;
    }
    this.items.push(item);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.waiter && this.head >= this.items.length) {
      const w = this.waiter;
      this.waiter = undefined;
      w({ value: undefined, done: true });
    }
  }

  get isEnded(): boolean {
    return this.ended;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.head < this.items.length) {
      const value = this.items[this.head++];
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiter = resolve));
  }

  return(): Promise<IteratorResult<T>> {
    this.options.onReturn?.();
    this.end();
    this.items = [];
    this.head = 0;
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}

// A binary min-heap of small integers (node or branch indexes) ordered by a
// caller-supplied comparison. The keys live outside the heap (in the caller's
// typed arrays), so after the caller raises the key of the top item it calls
// topChanged() instead of a pop and a push: one sift instead of two.

export class IndexHeap {
  private n: number;

  /**
   * Builds the heap in O(n) from the first `size` entries of `items`, which it
   * takes over and reorders (no copy: callers pass scratch space).
   * `less(a, b)` must be a strict total order.
   */
  constructor(
    private readonly items: Int32Array,
    size: number,
    private readonly less: (a: number, b: number) => boolean,
  ) {
    this.n = size;
    for (let i = (this.n >> 1) - 1; i >= 0; i--) this.down(i);
  }

  get size(): number {
    return this.n;
  }

  /** The least item; the heap must not be empty. */
  top(): number {
    return this.items[0];
  }

  /** Removes the least item. */
  pop(): number {
    const top = this.items[0];
    this.n--;
    if (this.n > 0) {
      this.items[0] = this.items[this.n];
      this.down(0);
    }
    return top;
  }

  /** Puts `item` in place of the top item. */
  replaceTop(item: number): void {
    this.items[0] = item;
    this.down(0);
  }

  /** Restores order after the top item's key grew. */
  topChanged(): void {
    this.down(0);
  }

  private down(i: number): void {
    const { items, less, n } = this;
    const item = items[i];
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && less(items[child + 1], items[child])) child++;
      if (!less(items[child], item)) break;
      items[i] = items[child];
      i = child;
    }
    items[i] = item;
  }
}

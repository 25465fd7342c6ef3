// A min-heap of timed events. Ties on time are broken by insertion order, so
// the processing order never depends on anything but the seed.

export interface Scheduled<P> {
  time: number;
  seq: number;
  payload: P;
}

export class EventQueue<P> {
  private heap: Scheduled<P>[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(time: number, payload: P): void {
    const h = this.heap;
    h.push({ time, seq: this.nextSeq++, payload });
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  peek(): Scheduled<P> | undefined {
    return this.heap[0];
  }

  pop(): Scheduled<P> | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop() as Scheduled<P>;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && less(h[l], h[m])) m = l;
        if (r < h.length && less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

function less<P>(a: Scheduled<P>, b: Scheduled<P>): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}

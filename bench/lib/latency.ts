// Latencies of repeated calls: how many, how many failed, and percentiles.

export class Latencies {
  private readonly ms: number[] = [];
  errors = 0;
  lastError: string | undefined;

  async time<T>(fn: () => Promise<T>): Promise<T | undefined> {
    const t0 = performance.now();
    try {
      const r = await fn();
      this.ms.push(performance.now() - t0);
      return r;
    } catch (e) {
      // A failed call counts as slow as it took: a timeout must not improve the p99.
      this.ms.push(performance.now() - t0);
      this.errors++;
      this.lastError = e instanceof Error ? e.message : String(e);
      return undefined;
    }
  }

  get count(): number {
    return this.ms.length;
  }

  /** The q-quantile (0..1) in ms, nearest rank; undefined with no sample. */
  quantile(q: number): number | undefined {
    if (this.ms.length === 0) return undefined;
    const sorted = [...this.ms].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  }

  /** Both sets together (service ls and node ls make one API p99). */
  static merge(...all: Latencies[]): Latencies {
    const m = new Latencies();
    for (const l of all) {
      m.ms.push(...l.ms);
      m.errors += l.errors;
    }
    return m;
  }
}

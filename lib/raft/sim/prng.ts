// The only source of randomness in a simulation run. One seed gives one
// generator; everything else (per-node raft generators, the network, the
// disk) is forked from it, so a seed replays exactly.

// Bound once: under a vm context (jest) every global lookup of `Math` on the
// hot path costs an interceptor call, which made hashing dominate the run.
const { imul, floor } = Math;

/** Expands a seed into well-mixed state words (splitmix32). */
function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = imul(z ^ (z >>> 16), 0x85ebca6b);
  z = imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** xoshiro128**, seeded through splitmix32: small, fast and good enough for fault injection. */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    const st = { s: seed | 0 };
    // Mix the high bits too so seeds above 2^32 do not collide with small ones.
    st.s = (st.s ^ floor(seed / 0x100000000)) | 0;
    this.a = splitmix32(st);
    this.b = splitmix32(st);
    this.c = splitmix32(st);
    this.d = splitmix32(st);
    if ((this.a | this.b | this.c | this.d) === 0) this.d = 1; // xoshiro must not start all-zero
  }

  /** A uniformly distributed unsigned 32-bit integer (xoshiro128**). */
  nextU32(): number {
    const result = imul(rotl(imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.nextU32() / 0x100000000;
  }

  /** An integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return p > 0 && this.next() < p;
  }

  pick<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new Error('prng: pick from an empty list');
    return xs[floor(this.next() * xs.length)];
  }

  /** A float in [lo, hi), for drawing per-seed rates. */
  range(lo: number, hi: number): number {
    return lo + this.next() * (hi - lo);
  }

  /** An independent generator, so one consumer's draws do not shift another's. */
  fork(): Prng {
    return new Prng(this.nextU32() * 0x100000 + (this.nextU32() & 0xfffff));
  }

  /** Shuffles a copy of `xs`. */
  shuffled<T>(xs: readonly T[]): T[] {
    const out = xs.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

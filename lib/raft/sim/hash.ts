// Cheap, deterministic hashing for trace fingerprints and state digests. Not
// cryptographic: it only has to make accidental collisions very unlikely.

// Bound once: under a vm context (jest) every global lookup of `Math` on the
// hot path costs an interceptor call, which made hashing dominate the run.
const { imul, floor } = Math;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** A 64-bit-ish running hash as two independent 32-bit FNV-1a lanes. */
export class Hasher {
  private h1 = FNV_OFFSET;
  private h2 = 0x9747b28c;

  constructor(init?: string) {
    if (init !== undefined) this.str(init);
  }

  byte(b: number): this {
    this.h1 = imul(this.h1 ^ (b & 0xff), FNV_PRIME);
    this.h2 = imul(this.h2 ^ (b & 0xff), 0x5bd1e995);
    this.h2 ^= this.h2 >>> 15;
    return this;
  }

  num(n: number): this {
    // Safe integers fit in 7 bytes; hash them all so large terms/indexes differ.
    let x = n;
    for (let i = 0; i < 7; i++) {
      this.byte(x & 0xff);
      x = floor(x / 256);
    }
    return this;
  }

  bytes(b: Uint8Array): this {
    this.num(b.length);
    for (let i = 0; i < b.length; i++) this.byte(b[i]);
    return this;
  }

  str(s: string): this {
    this.num(s.length);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      this.byte(c);
      this.byte(c >>> 8);
    }
    return this;
  }

  hex(): string {
    return (this.h1 >>> 0).toString(16).padStart(8, '0') + (this.h2 >>> 0).toString(16).padStart(8, '0');
  }
}

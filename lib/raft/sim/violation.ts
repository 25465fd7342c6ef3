// A broken invariant. Thrown from wherever it is detected and caught once, by
// the run loop, which turns it into the seed's verdict.

export class Violation extends Error {
  constructor(
    readonly invariant: string,
    readonly detail: string,
  ) {
    super(`${invariant}: ${detail}`);
    this.name = 'Violation';
  }
}

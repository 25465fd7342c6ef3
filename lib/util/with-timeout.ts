// A promise that settles as `p` does, or rejects after `ms` (the message says
// what took too long); the timer is cleared either way.

export function withTimeout<T>(p: Promise<T>, ms: number, what = 'the operation'): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

// Quantities as docker writes them, shared by the CLI's flags and compose
// files: CPUs as decimal fractions kept exactly in nano-CPUs, memory sizes with
// go-units' RAMInBytes suffixes. Errors say what is wrong with the value; the
// caller names where it came from.

/**
 * CPUs ("0.5", "2", ".25") to nano-CPUs. Done on the decimal digits rather
 * than with floats so 0.3 CPUs is exactly 300000000, and, as docker's
 * ParseCPUs, anything finer than a nano-CPU is refused instead of rounded.
 */
export function parseNanoCpus(value: string): number {
  const m = /^(\d*)(?:\.(\d*))?$/.exec(value.trim());
  if (!m || (m[1] === '' && (m[2] ?? '') === '')) {
    throw new Error('must be a number of CPUs such as 0.5 or 2');
  }
  const fraction = (m[2] ?? '').replace(/0+$/, '');
  if (fraction.length > 9) throw new Error('value is too precise (at most 9 decimal places)');
  const nano = Number(m[1] || '0') * 1e9 + Number(fraction.padEnd(9, '0'));
  if (!Number.isSafeInteger(nano)) throw new Error('too large');
  return nano;
}

const BINARY_MULTIPLIERS: Record<string, number> = {
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
  p: 1024 ** 5,
};

/**
 * go-units RAMInBytes: a number, an optional space, then an optional unit
 * among b, k, m, g, t, p, optionally followed by "b" or "ib", any case. The
 * multiples are always 1024-based ("64M", "64mb" and "64MiB" are the same),
 * and a fractional result is truncated to whole bytes as Go's int64() does.
 */
export function parseMemoryBytes(value: string): number {
  const bad = (reason: string) => new Error(reason);
  const m = /^([0-9.]*[0-9.])( ?)([a-zA-Z]*)$/.exec(value);
  if (!m) throw bad(`invalid size: '${value}'`);
  if (!/^(\d+\.?\d*|\.\d+)$/.test(m[1])) throw bad(`invalid size: '${value}'`);
  const size = Number(m[1]);
  const suffix = m[3].toLowerCase();
  if (suffix === '') return Math.trunc(size);
  if (suffix === 'b') return Math.trunc(size);
  const multiplier = BINARY_MULTIPLIERS[suffix[0]];
  const tailOk = suffix.length === 1 || suffix.slice(1) === 'b' || suffix.slice(1) === 'ib';
  if (multiplier === undefined || !tailOk) throw bad(`invalid suffix: '${suffix}'`);
  const bytes = Math.trunc(size * multiplier);
  if (!Number.isSafeInteger(bytes)) throw bad('too large');
  return bytes;
}

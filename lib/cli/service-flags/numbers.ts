// Numbers as docker's service flags take them: counts are unsigned integers,
// CPUs are decimal fractions of a CPU kept exactly in nano-CPUs, memory takes
// go-units' RAMInBytes suffixes (1024-based), durations Go's syntax.

import { parseDuration } from '../duration';
import { flagError } from './errors';

/** A non-negative integer such as --replicas or --restart-max-attempts. */
export function parseCount(flag: string, value: string): number {
  const text = value.trim();
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw flagError(flag, value, 'must be a non-negative integer');
  }
  return Number(text);
}

/**
 * CPUs ("0.5", "2", ".25") to nano-CPUs. Done on the decimal digits rather
 * than with floats so 0.3 CPUs is exactly 300000000, and, as docker's
 * ParseCPUs, anything finer than a nano-CPU is refused instead of rounded.
 */
export function parseNanoCpus(flag: string, value: string): number {
  const m = /^(\d*)(?:\.(\d*))?$/.exec(value.trim());
  if (!m || (m[1] === '' && (m[2] ?? '') === '')) {
    throw flagError(flag, value, 'must be a number of CPUs such as 0.5 or 2');
  }
  const fraction = (m[2] ?? '').replace(/0+$/, '');
  if (fraction.length > 9) throw flagError(flag, value, 'value is too precise (at most 9 decimal places)');
  const nano = Number(m[1] || '0') * 1e9 + Number(fraction.padEnd(9, '0'));
  if (!Number.isSafeInteger(nano)) throw flagError(flag, value, 'too large');
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
export function parseMemoryBytes(flag: string, value: string): number {
  const bad = (reason: string) => flagError(flag, value, reason);
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

/** A Go duration in milliseconds, with the flag named when it does not parse. */
export function parseFlagDuration(flag: string, value: string): number {
  try {
    return parseDuration(value);
  } catch {
    throw flagError(flag, value, 'use a number with a unit (ns, us, ms, s, m, h), e.g. 500ms, 5s, 1m30s');
  }
}

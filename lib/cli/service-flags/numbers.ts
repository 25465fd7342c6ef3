// Numbers as docker's service flags take them: counts are unsigned integers,
// CPUs are decimal fractions of a CPU kept exactly in nano-CPUs, memory takes
// go-units' RAMInBytes suffixes (1024-based), durations Go's syntax.

import { parseDuration } from '../../util/go-duration';
import { parseNanoCpus as parseCpus, parseMemoryBytes as parseMemory } from '../../util/units';
import { flagError } from './errors';

/** A non-negative integer such as --replicas or --restart-max-attempts. */
export function parseCount(flag: string, value: string): number {
  const text = value.trim();
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw flagError(flag, value, 'must be a non-negative integer');
  }
  return Number(text);
}

/** CPUs ("0.5", "2", ".25") to nano-CPUs, exactly (lib/util/units.ts). */
export function parseNanoCpus(flag: string, value: string): number {
  return withFlag(flag, value, () => parseCpus(value));
}

/** go-units RAMInBytes (lib/util/units.ts). */
export function parseMemoryBytes(flag: string, value: string): number {
  return withFlag(flag, value, () => parseMemory(value));
}

function withFlag(flag: string, value: string, parse: () => number): number {
  try {
    return parse();
  } catch (e) {
    throw flagError(flag, value, e instanceof Error ? e.message : String(e));
  }
}

/** A Go duration in milliseconds, with the flag named when it does not parse. */
export function parseFlagDuration(flag: string, value: string): number {
  try {
    return parseDuration(value);
  } catch {
    throw flagError(flag, value, 'use a number with a unit (ns, us, ms, s, m, h), e.g. 500ms, 5s, 1m30s');
  }
}

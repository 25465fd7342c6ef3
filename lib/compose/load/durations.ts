import { parseDuration } from '../../util/go-duration';

// Durations in a compose file are Go durations ("1m30s", "500ms", "0"), as
// docker reads them with time.ParseDuration; kept here in milliseconds like
// the rest of the cluster's specs, and printed back the way Go's
// Duration.String() prints them ("1m30s", "1h0m0s", "1.5s") for
// `stack config`.

/** Go's grammar, sign included; the unit may be written µs or μs. */
export function isGoDuration(text: string): boolean {
  const s = text.replace(/^[+-]/, '');
  if (s === '0') return true;
  return /^(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:ns|us|µs|μs|ms|s|m|h))+$/.test(s);
}

/** Milliseconds, or an error message saying why not. */
export function parseComposeDuration(text: string): number | string {
  if (!isGoDuration(text)) return `invalid duration "${text}": use a number with a unit (ns, us, ms, s, m, h), e.g. 500ms, 5s, 1m30s`;
  if (text.startsWith('-') && text !== '-0') return `invalid duration "${text}": must not be negative`;
  return parseDuration(text.replace(/^[+-]/, '').replace(/μ/g, 'µ'));
}

/** Go's time.Duration.String() of a whole number of nanoseconds. */
export function formatGoDuration(ms: number): string {
  let ns = BigInt(Math.round(ms * 1e6));
  if (ns === 0n) return '0s';
  const neg = ns < 0n;
  if (neg) ns = -ns;
  const frac = (v: bigint, digits: number): string => {
    const s = v.toString().padStart(digits, '0').replace(/0+$/, '');
    return s === '' ? '' : `.${s}`;
  };
  let out: string;
  if (ns < 1_000_000_000n) {
    if (ns < 1_000n) out = `${ns}ns`;
    else if (ns < 1_000_000n) out = `${ns / 1_000n}${frac(ns % 1_000n, 3)}µs`;
    else out = `${ns / 1_000_000n}${frac(ns % 1_000_000n, 6)}ms`;
  } else {
    const secs = ns / 1_000_000_000n;
    const rest = `${secs % 60n}${frac(ns % 1_000_000_000n, 9)}s`;
    const mins = secs / 60n;
    if (mins === 0n) out = rest;
    else {
      const hours = mins / 60n;
      out = hours === 0n ? `${mins % 60n}m${rest}` : `${hours}h${mins % 60n}m${rest}`;
    }
  }
  return neg ? `-${out}` : out;
}

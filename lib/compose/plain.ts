// The parsed document is plain data: mappings as objects, sequences as
// arrays, scalars as strings, numbers, booleans and null. These helpers read
// it without `any` and write keys safely (a compose key may be anything,
// "__proto__" included).

export type Dict = Record<string, unknown>;

export function isDict(v: unknown): v is Dict {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function hasKey(d: Dict, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(d, key);
}

/** Sets d[key] as an own data property, even for "__proto__". */
export function setKey(d: Dict, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(d, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    d[key] = value;
  }
}

/** The value of an own key, never one inherited from Object.prototype. */
export function getKey(d: Dict, key: string): unknown {
  return hasKey(d, key) ? d[key] : undefined;
}

/** A fresh dict from entries, safe for any key. */
export function dictFrom(entries: Iterable<readonly [string, unknown]>): Dict {
  const d: Dict = {};
  for (const [k, v] of entries) setKey(d, k, v);
  return d;
}

/** Go's fmt.Sprint for the scalars YAML gives: what docker makes of a label or env value. */
export function scalarText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return goFloatText(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v === null || v === undefined) return '';
  return String(v);
}

/**
 * A number as Go prints an int or a float64 with %v: integers in full (YAML
 * gave an int), others in the shortest form that reads back.
 */
export function goFloatText(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Number.isInteger(v) && Math.abs(v) < 1e21) return String(v);
  return goFormatG(v, 64);
}

/**
 * strconv.FormatFloat(v, 'g', -1, bits): the shortest digits that read back
 * as the same float32 or float64, in %e form when the exponent is below -4
 * or at least 6, as Go prints floats in YAML and with %v.
 */
export function goFormatG(v: number, bits: 32 | 64): string {
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  let digits = '';
  let exp = 0;
  // Shortest decimal digits that round-trip at the given width.
  for (let p = 1; p <= 17; p++) {
    const s = v.toExponential(p - 1);
    const back = Number(s);
    if (bits === 32 ? Math.fround(back) === Math.fround(v) : back === v) {
      const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
      if (!m) break;
      digits = m[2] + (m[3] ?? '');
      exp = Number(m[4]);
      break;
    }
  }
  const neg = v < 0 ? '-' : '';
  digits = digits.replace(/0+$/, '') || '0';
  // With the shortest precision Go switches to %e from an exponent of 6.
  const eprec = 6;
  if (exp < -4 || exp >= eprec) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp);
    return `${neg}${mant}e${exp < 0 ? '-' : '+'}${e < 10 ? `0${e}` : e}`;
  }
  if (exp < 0) return `${neg}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${neg}${digits}${'0'.repeat(exp + 1 - digits.length)}`;
  return `${neg}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

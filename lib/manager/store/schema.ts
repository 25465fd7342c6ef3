// A tiny structural checker for data decoded from Raft entries. Entries come
// from other managers (maybe a buggier or newer version), so nothing is trusted:
// a value that does not match its type is refused with a message naming the
// field, instead of reaching the indexes and failing later on one manager only.

/** Returns a message when the value is wrong, undefined when it is fine. */
export type Check = (value: unknown, path: string) => string | undefined;

const describe = (v: unknown): string => (v === undefined ? 'nothing' : JSON.stringify(v) ?? String(v));

export const str: Check = (v, p) => (typeof v === 'string' ? undefined : `${p} must be a string (got ${describe(v)})`);

export const nonEmptyStr: Check = (v, p) =>
  typeof v === 'string' && v.length > 0 ? undefined : `${p} must be a non-empty string (got ${describe(v)})`;

export const nonNegInt: Check = (v, p) =>
  Number.isSafeInteger(v) && (v as number) >= 0 ? undefined : `${p} must be a non-negative integer (got ${describe(v)})`;

export const posInt: Check = (v, p) =>
  Number.isSafeInteger(v) && (v as number) > 0 ? undefined : `${p} must be a positive integer (got ${describe(v)})`;

export function oneOf(...values: readonly string[]): Check {
  return (v, p) =>
    typeof v === 'string' && values.includes(v)
      ? undefined
      : `${p} must be one of ${values.join(', ')} (got ${describe(v)})`;
}

export function matches(re: RegExp, what: string): Check {
  return (v, p) => (typeof v === 'string' && re.test(v) ? undefined : `${p} must be ${what} (got ${describe(v)})`);
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function record(valueCheck: Check): Check {
  return (v, p) => {
    if (!isPlainObject(v)) return `${p} must be an object (got ${describe(v)})`;
    for (const key of Object.keys(v)) {
      // JSON.parse makes "__proto__" an own key, but spreads and copies elsewhere would not keep it.
      if (key === '__proto__') return `${p} must not have a "__proto__" key`;
      const err = valueCheck(v[key], `${p}[${JSON.stringify(key)}]`);
      if (err) return err;
    }
    return undefined;
  };
}

/** A field that may be absent (JSON has no undefined, so absent is the only way to omit it). */
export interface Optional {
  optional: Check;
}
export const optional = (check: Check): Optional => ({ optional: check });

/** An object with exactly these fields: unknown ones are refused, so the schema stays the whole truth. */
export function obj(fields: Record<string, Check | Optional>): Check {
  return (v, p) => {
    if (!isPlainObject(v)) return `${p} must be an object (got ${describe(v)})`;
    for (const key of Object.keys(v)) {
      if (!Object.prototype.hasOwnProperty.call(fields, key)) return `${p} has an unknown field ${JSON.stringify(key)}`;
    }
    for (const [key, check] of Object.entries(fields)) {
      const value = v[key];
      if (typeof check === 'function') {
        const err = check(value, `${p}.${key}`);
        if (err) return err;
      } else if (value !== undefined) {
        const err = check.optional(value, `${p}.${key}`);
        if (err) return err;
      }
    }
    return undefined;
  };
}

export const bool: Check = (v, p) => (typeof v === 'boolean' ? undefined : `${p} must be true or false (got ${describe(v)})`);

export const nonNegNumber: Check = (v, p) =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 ? undefined : `${p} must be a non-negative number (got ${describe(v)})`;

/** Port numbers, where 0 means "let the engine pick". */
export const port: Check = (v, p) =>
  Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= 65535 ? undefined : `${p} must be a port number 0-65535 (got ${describe(v)})`;

export function arrayOf(itemCheck: Check): Check {
  return (v, p) => {
    if (!Array.isArray(v)) return `${p} must be an array (got ${describe(v)})`;
    for (let i = 0; i < v.length; i++) {
      const err = itemCheck(v[i], `${p}[${i}]`);
      if (err) return err;
    }
    return undefined;
  };
}

export const int: Check = (v, p) => (Number.isSafeInteger(v) ? undefined : `${p} must be an integer (got ${describe(v)})`);

/** An IPv4 CIDR in canonical form ("10.0.1.0/24": no host bits set). */
export const cidr: Check = (v, p) => {
  if (typeof v !== 'string') return `${p} must be a CIDR such as 10.0.1.0/24 (got ${describe(v)})`;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(v);
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255 || (o.length > 1 && o.startsWith('0'))) || Number(m[5]) > 32) {
    return `${p} must be a CIDR such as 10.0.1.0/24 (got ${describe(v)})`;
  }
  const bits = Number(m[5]);
  const ip = m.slice(1, 5).reduce((a, o) => a * 256 + Number(o), 0);
  const hostBits = bits === 0 ? ip : ip % 2 ** (32 - bits);
  return hostBits === 0 ? undefined : `${p} has host bits set (got ${describe(v)}; the network is written with them cleared)`;
};

/** An IPv4 address with its network's prefix length ("10.0.1.5/24"), as docker shows task and VIP addresses. */
export const addrWithPrefix: Check = (v, p) => {
  if (typeof v !== 'string') return `${p} must be an address such as 10.0.1.5/24 (got ${describe(v)})`;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(v);
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255 || (o.length > 1 && o.startsWith('0'))) || Number(m[5]) > 32) {
    return `${p} must be an address such as 10.0.1.5/24 (got ${describe(v)})`;
  }
  return undefined;
};

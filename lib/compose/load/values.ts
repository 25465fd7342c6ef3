import { posix } from 'path';
import { type Dict, dictFrom, getKey, isDict, scalarText } from '../plain';

// Readers for the value shapes the compose format allows, doing what
// docker's loader transforms do (cli/compose/loader: transformMappingOrList,
// transformStringList, ...). They run after schema validation, so shapes
// are known; anything unexpected reads as empty rather than throwing.

export function str(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : scalarText(v);
}

export function optNumber(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function num(v: unknown): number {
  return optNumber(v) ?? 0;
}

export function bool(v: unknown): boolean {
  return v === true;
}

export function optBool(v: unknown): boolean | undefined {
  return typeof v === 'boolean' ? v : undefined;
}

export function dict(v: unknown): Dict {
  return isDict(v) ? v : {};
}

export function field(d: Dict, key: string): unknown {
  return getKey(d, key);
}

/** A string or a list of strings (docker's StringList). */
export function stringList(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.map(str);
  return [];
}

/** A list of strings or numbers, as strings (StringOrNumberList). */
export function stringOrNumberList(v: unknown): string[] {
  return Array.isArray(v) ? v.map(str) : [];
}

/**
 * A mapping written as a map or as a list of KEY<sep>VALUE strings. A key
 * without a value is null when `allowNull` (environment: "take it from the
 * environment") and "" otherwise (labels).
 */
export function mappingOrList(v: unknown, sep: string, allowNull: boolean): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  if (isDict(v)) {
    for (const [k, val] of Object.entries(v)) out[k] = val === null || val === undefined ? (allowNull ? null : '') : scalarText(val);
  } else if (Array.isArray(v)) {
    for (const item of v) {
      const text = str(item);
      const at = text.indexOf(sep);
      if (at < 0) out[text] = allowNull ? null : '';
      else out[text.slice(0, at)] = text.slice(at + sep.length);
    }
  }
  return dictFrom(Object.entries(out)) as Record<string, string | null>;
}

/** A mapping whose values are all strings (labels, sysctls, driver options). */
export function stringMap(v: unknown, sep = '='): Record<string, string> {
  const m = mappingOrList(v, sep, false);
  return dictFrom(Object.entries(m).map(([k, val]) => [k, val ?? ''] as const)) as Record<string, string>;
}

/**
 * extra_hosts as docker's HostsList: "host:ip" strings from a map (sorted)
 * or a list using '=' or ':', brackets around IPv6 addresses removed.
 */
export function hostsList(v: unknown): string[] {
  const pairs: string[] = [];
  if (isDict(v)) {
    for (const [k, val] of Object.entries(v)) if (val !== null && val !== undefined) pairs.push(`${k}:${scalarText(val)}`);
    pairs.sort();
  } else if (Array.isArray(v)) {
    for (const item of v) {
      const text = str(item);
      for (const sep of ['=', ':']) {
        const at = text.indexOf(sep);
        if (at >= 0) {
          pairs.push(`${text.slice(0, at)}:${text.slice(at + 1)}`);
          break;
        }
      }
    }
  }
  return pairs.map((p) => {
    const at = p.indexOf(':');
    const host = at < 0 ? p : p.slice(0, at);
    let ip = at < 0 ? '' : p.slice(at + 1);
    if (ip.length > 2 && ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
    return `${host}:${ip}`;
  });
}

/** The `x-*` keys of a mapping. */
export function extrasOf(d: Dict): Record<string, unknown> {
  return dictFrom(Object.entries(d).filter(([k]) => k.startsWith('x-')));
}

/** Go's filepath.Clean for slash paths. */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

/** Go's filepath.Join(dir, p) unless p is absolute (docker's absPath). */
export function absPath(workingDir: string, p: string): string {
  return p.startsWith('/') ? p : cleanPath(`${workingDir}/${p}`);
}

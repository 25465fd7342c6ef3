// Environment variables for -e/--env, --env-file and --env-add/--env-rm,
// with docker's rules: `KEY` alone takes the value from the caller's
// environment (and stays a bare `KEY` when unset there); env files skip blank
// lines and # comments and drop a bare KEY the caller does not have.

import type { FlagContext } from './context';
import { flagError } from './errors';

/** The part before the first '='. */
export function envKey(entry: string): string {
  const eq = entry.indexOf('=');
  return eq < 0 ? entry : entry.slice(0, eq);
}

/** One -e/--env-add value, resolved as docker's ValidateEnv does. */
export function parseEnvFlag(flag: string, value: string, ctx: Pick<FlagContext, 'env'>): string {
  const key = envKey(value);
  if (key === '') throw flagError(flag, value, 'invalid environment variable: the name is empty');
  if (value.includes('=')) return value;
  const fromCaller = ctx.env[key];
  return fromCaller === undefined ? value : `${key}=${fromCaller}`;
}

/** The variables of one env file, in file order. */
export function readEnvFile(flag: string, path: string, ctx: Pick<FlagContext, 'env' | 'readFile'>): string[] {
  let text: string;
  try {
    text = ctx.readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw flagError(flag, path, code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? String(e)})`);
  }
  const out: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) return;
    const key = envKey(line);
    if (key === '') throw flagError(flag, path, `line ${index + 1}: no variable name on line '${line}'`);
    if (/[ \t]/.test(key)) throw flagError(flag, path, `line ${index + 1}: variable '${key}' contains whitespaces`);
    if (line.includes('=')) {
      out.push(line);
      return;
    }
    const fromCaller = ctx.env[key];
    if (fromCaller !== undefined) out.push(`${key}=${fromCaller}`);
  });
  return out;
}

/**
 * Adds entries to a list of variables: an entry replaces an earlier one of
 * the same name in place, so the order users gave is kept, and a repeated
 * identical entry changes nothing.
 */
export function mergeEnv(base: readonly string[], additions: readonly string[]): string[] {
  const out = [...base];
  for (const entry of additions) {
    const at = out.findIndex((e) => envKey(e) === envKey(entry));
    if (at < 0) out.push(entry);
    else out[at] = entry;
  }
  return out;
}

/** Drops every variable whose name is in `names`. */
export function removeEnv(base: readonly string[], names: readonly string[]): string[] {
  const gone = new Set(names.map(envKey));
  return base.filter((e) => !gone.has(envKey(e)));
}

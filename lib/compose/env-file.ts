import type { ComposeIssue } from './errors';

// Two kinds of KEY=VALUE files.
//
// A service's `env_file`: read as docker reads it (pkg/kvfile): leading
// blanks dropped, `#` lines and blank lines skipped, the value kept exactly
// as written (quotes included, trailing blanks included); a line with a
// name and no `=` takes the variable from the environment, or is left out
// when it is not set there.
//
// The `.env` file (or --env-file) whose variables feed interpolation, which
// docker's `stack deploy` does not have: read like `docker compose` reads
// one, so files written for compose work here: `export ` before a name is
// allowed, a value in matching single or double quotes loses its quotes, and
// an unquoted value ends before ` #`.

export interface EnvFileEntry {
  key: string;
  /** undefined: the line named a variable the environment does not have. */
  value: string | undefined;
  line: number;
}

export type EnvFileResult = { ok: true; entries: EnvFileEntry[] } | { ok: false; issue: ComposeIssue };

function lines(content: string): string[] {
  return content.replace(/^\uFEFF/, '').split(/\r?\n/);
}

/** A service env_file, as docker's kvfile.Parse; `lookup` answers names written alone. */
export function parseServiceEnvFile(
  path: string,
  content: string,
  lookup: (name: string) => string | undefined,
): EnvFileResult {
  const entries: EnvFileEntry[] = [];
  const all = lines(content);
  for (let n = 0; n < all.length; n++) {
    const line = all[n].replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const key = eq < 0 ? line : line.slice(0, eq);
    const fail = (message: string): EnvFileResult => ({
      ok: false,
      issue: { file: path, path: '', line: n + 1, column: 1, message: `invalid env file: ${message}` },
    });
    if (key === '') return fail(`no variable name on line '${line}'`);
    if (/[ \t]/.test(key)) return fail(`variable '${key}' contains whitespaces`);
    if (eq >= 0) entries.push({ key, value: line.slice(eq + 1), line: n + 1 });
    else {
      const value = lookup(key);
      if (value !== undefined) entries.push({ key, value, line: n + 1 });
    }
  }
  return { ok: true, entries };
}

/** The interpolation .env file, read as `docker compose` reads one. */
export function parseDotEnv(path: string, content: string): EnvFileResult {
  const entries: EnvFileEntry[] = [];
  const all = lines(content);
  for (let n = 0; n < all.length; n++) {
    let line = all[n].trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('export ')) line = line.slice('export '.length).trim();
    const eq = line.indexOf('=');
    const fail = (message: string): EnvFileResult => ({
      ok: false,
      issue: { file: path, path: '', line: n + 1, column: 1, message },
    });
    if (eq < 0) return fail(`expected KEY=VALUE, got '${line}'`);
    const key = line.slice(0, eq).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key)) return fail(`invalid variable name '${key}'`);
    let value = line.slice(eq + 1).trim();
    const q = value[0];
    if ((q === '"' || q === "'") && value.length >= 2 && value.endsWith(q)) {
      value = value.slice(1, -1);
      if (q === '"') value = value.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    } else {
      const comment = /\s#/.exec(value);
      if (comment) value = value.slice(0, comment.index).trimEnd();
    }
    entries.push({ key, value, line: n + 1 });
  }
  return { ok: true, entries };
}

// What flag parsing reads from outside the arguments: the environment (for
// `-e KEY` and env files naming a bare KEY), files (--env-file) and the
// working directory (relative bind sources). Passed in so the parsers stay
// pure functions of their inputs and tests need no real files or env.

import { readFileSync } from 'node:fs';

export interface FlagContext {
  env: Readonly<Record<string, string | undefined>>;
  readFile: (path: string) => string;
  cwd: string;
}

export function defaultFlagContext(): FlagContext {
  return { env: process.env, readFile: (p) => readFileSync(p, 'utf8'), cwd: process.cwd() };
}

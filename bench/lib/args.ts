// Command-line flags of the benches: `--name value` and bare `--flag`, with
// the value checked here so a typo fails before any daemon is started.

export function intArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(v) || v <= 0) throw new Error(`--${name} needs a positive integer`);
  return v;
}

export function hasFlag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}

export function choiceArg<T extends string>(name: string, choices: readonly T[], fallback: T): T {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = process.argv[i + 1];
  const found = choices.find((c) => c === v);
  if (found === undefined) throw new Error(`--${name} takes one of ${choices.join(', ')}`);
  return found;
}

export function stringArg(name: string): string | undefined;
export function stringArg(name: string, fallback: string): string;
export function stringArg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = process.argv[i + 1];
  if (v === undefined || v.startsWith('--')) throw new Error(`--${name} needs a value`);
  return v;
}

/** A comma-separated subset of `choices`, in the order of `choices`; all of them when absent. */
export function listArg<T extends string>(name: string, choices: readonly T[]): T[] {
  const v = stringArg(name);
  if (v === undefined) return [...choices];
  const want = v.split(',').map((x) => x.trim());
  const bad = want.filter((x) => !choices.includes(x as T));
  if (bad.length > 0 || want.length === 0) throw new Error(`--${name} takes a comma-separated list of ${choices.join(', ')}`);
  return choices.filter((c) => want.includes(c));
}

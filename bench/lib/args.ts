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

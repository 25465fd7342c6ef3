// `--filter key=value` arguments as docker's CLI reads them, for any listing:
// empty ones skipped, the key lower-cased, one list of values per key.

/** Parses the arguments into values per key; an unknown key fails with docker's message, unless `refuse` says why first. */
export function parseFilterArgs<K extends string>(
  args: readonly string[],
  keys: readonly K[],
  refuse: (key: string) => string | undefined = () => undefined,
): Partial<Record<K, string[]>> {
  const filters: Partial<Record<K, string[]>> = {};
  for (const arg of args) {
    if (arg === '') continue; // docker skips an empty --filter
    const eq = arg.indexOf('=');
    if (eq === -1) throw new Error('bad format of filter (expected name=value)');
    const key = arg.slice(0, eq).trim().toLowerCase();
    const value = arg.slice(eq + 1).trim();
    const why = refuse(key);
    if (why !== undefined) throw new Error(why);
    if (!(keys as readonly string[]).includes(key)) throw new Error(`invalid filter '${key}'`);
    (filters[key as K] ??= []).push(value);
  }
  return filters;
}

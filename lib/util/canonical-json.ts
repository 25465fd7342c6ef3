// JSON with object keys sorted at every level. Snapshots must be byte-identical
// on every manager, including one that restored from a snapshot (whose objects
// come back with a different key order than the proposer's JSON had).

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const src = value as Record<string, unknown>;
  // No prototype, so a key named __proto__ is kept as data like JSON.parse keeps it.
  const out = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(src).sort()) {
    if (src[key] !== undefined) out[key] = sortKeys(src[key]);
  }
  return out;
}

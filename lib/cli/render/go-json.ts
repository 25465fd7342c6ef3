// JSON as Go's encoding/json writes it for `docker inspect`: four-space
// indent, map keys sorted, and <, >, & and the two JavaScript line separators
// escaped (Go's HTML-safe default), so scripts that diff our output against
// docker's see the same bytes.

const GO_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/** Escapes what Go's HTML-safe JSON encoder escapes, in already-encoded JSON text. */
export function goEscape(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c]);
}

/** Go marshals a map with its keys sorted; a JS object keeps insertion order, so sort a copy. */
export function sortedMap(map: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(map).sort()) out[key] = map[key];
  return out;
}

export function goIndentedJson(value: unknown): string {
  // These characters can only occur inside string literals of the output, so a
  // replacement over the whole text escapes exactly what Go escapes.
  return goEscape(JSON.stringify(value, null, 4));
}

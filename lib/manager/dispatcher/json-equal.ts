// Structural equality of plain JSON values, key order ignored: stored objects
// come back from JSON with whatever key order their writer used. An undefined
// field is an absent one: JSON drops both alike. Written without allocating
// (no key lists), as the task channel compares every changed task with it.

export function jsonEqual(a: unknown, b: unknown, skip?: (key: string) => boolean): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const arrayA = Array.isArray(a);
  if (arrayA !== Array.isArray(b)) return false;
  if (arrayA) {
    const x = a as unknown[];
    const y = b as unknown[];
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!jsonEqual(x[i], y[i])) return false;
    return true;
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  let na = 0;
  for (const k in ra) {
    const v = ra[k];
    if (v === undefined || skip?.(k)) continue;
    na++;
    if (!jsonEqual(v, rb[k])) return false;
  }
  let nb = 0;
  for (const k in rb) if (rb[k] !== undefined && !skip?.(k)) nb++;
  return na === nb;
}

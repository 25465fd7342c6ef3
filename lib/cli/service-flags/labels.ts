// Labels (--label, --container-label and their -add forms) as docker's
// ValidateLabel takes them: `key=value`, or `key` alone for an empty value;
// the key may not be empty or contain whitespace.

import { flagError } from './errors';

export function parseLabel(flag: string, value: string): [string, string] {
  const eq = value.indexOf('=');
  const key = (eq < 0 ? value : value.slice(0, eq)).replace(/^\s+/, '');
  if (key === '') throw flagError(flag, value, 'invalid label: empty name');
  if (/\s/.test(key)) throw flagError(flag, value, `label '${key}' contains whitespaces`);
  return [key, eq < 0 ? '' : value.slice(eq + 1)];
}

/** Later values of the same key win, as in docker's ConvertKVStringsToMap. */
export function parseLabels(flag: string, values: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values ?? []) {
    const [k, val] = parseLabel(flag, v);
    out[k] = val;
  }
  return out;
}

/** --label-rm then --label-add, as docker applies them; returns a new map. */
export function updateLabels(
  current: Readonly<Record<string, string>>,
  rmFlag: string,
  remove: readonly string[] | undefined,
  addFlag: string,
  add: readonly string[] | undefined,
): Record<string, string> {
  const out: Record<string, string> = { ...current };
  for (const key of remove ?? []) {
    if (key === '') throw flagError(rmFlag, key, 'the label key is empty');
    delete out[key];
  }
  return { ...out, ...parseLabels(addFlag, add) };
}

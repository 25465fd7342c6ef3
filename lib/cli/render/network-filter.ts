// `network ls --filter key=value`, with the keys and meanings docker's daemon
// gives them (moby's network list filters):
//   name=    the name matches (docker: a regular expression, so a plain word matches as a substring)
//   id=      the id matches, the same way
//   driver=  exactly (always overlay here)
//   scope=   swarm | local | global, exactly (every network here is swarm-scoped)
//   type=    custom | builtin (the ingress network is the only builtin one here)
//   label=   `k` (present) or `k=v`
// Several values of one key: any may match, except labels, which must all
// hold. Different keys must all match. `dangling` is refused: the listing
// does not say which networks are in use.

import type { StoredNetwork } from './network-list';
import { parseFilterArgs } from './filter-args';
import { labelsMatch } from './node-filter';

type FilterKey = 'name' | 'id' | 'driver' | 'scope' | 'type' | 'label';
const KEYS: readonly FilterKey[] = ['name', 'id', 'driver', 'scope', 'type', 'label'];

export type NetworkFilters = Partial<Record<FilterKey, string[]>>;

/** Parses `--filter` arguments, failing with docker's own messages. */
export function parseNetworkFilters(args: readonly string[]): NetworkFilters {
  const filters = parseFilterArgs(args, KEYS, (key) =>
    key === 'dangling' ? "the 'dangling' filter is not supported: network ls does not know which networks are in use" : undefined,
  );
  for (const t of filters.type ?? []) {
    if (t !== 'custom' && t !== 'builtin') throw new Error(`invalid filter: 'type'='${t}'`);
  }
  return filters;
}

/** docker's filters.Match: the value itself, or as a regular expression found in the text. */
function matches(text: string, pattern: string): boolean {
  if (text === pattern) return true;
  try {
    return new RegExp(pattern).test(text);
  } catch {
    return false; // not a regular expression: docker finds no match either
  }
}

function any(values: string[] | undefined, test: (v: string) => boolean): boolean {
  return values === undefined || values.some(test);
}

/** The networks that pass every filter, in their original order. */
export function filterNetworks<N extends StoredNetwork>(networks: readonly N[], filterArgs: readonly string[]): N[] {
  const f = parseNetworkFilters(filterArgs);
  return networks.filter(
    (n) =>
      any(f.name, (v) => matches(n.spec.name, v)) &&
      any(f.id, (v) => matches(n.id, v)) &&
      any(f.driver, (v) => v === n.spec.driver) &&
      any(f.scope, (v) => v === 'swarm') &&
      any(f.type, (v) => (v === 'builtin') === n.spec.ingress) &&
      labelsMatch(n.spec.labels, f.label),
  );
}

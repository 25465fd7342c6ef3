// `--filter key=value` for node listings, with the keys and meanings docker's
// daemon gives them (moby daemon/cluster/filters.go, swarmkit's ListNodes):
//   id=         id prefix
//   name=       hostname prefix (docker has no "hostname" key; it is refused like any unknown key)
//   role=       manager | worker, case-insensitive, the role the node has now
//   membership= accepted | pending; every stored node was accepted when it joined
//   node.label= label on the node's spec, `k` (present) or `k=v`
//   label=      label on the node's engine, same forms
// Several values of id, name, role or membership: any may match. Label values
// are different in docker and here alike: every one given must match. Different
// keys must all match.

import { parseFilterArgs } from './filter-args';
import type { StoredNode } from './node-status';

type FilterKey = 'id' | 'name' | 'role' | 'membership' | 'node.label' | 'label';
const KEYS: readonly FilterKey[] = ['id', 'name', 'role', 'membership', 'node.label', 'label'];

export type NodeFilters = Partial<Record<FilterKey, string[]>>;

/** Parses `--filter` arguments, failing with docker's own messages. */
export function parseNodeFilters(args: readonly string[]): NodeFilters {
  const filters: NodeFilters = parseFilterArgs(args, KEYS);
  for (const role of filters.role ?? []) {
    if (role !== '' && !['manager', 'worker'].includes(role.toLowerCase())) {
      throw new Error(`Invalid role filter: '${role}'`);
    }
  }
  for (const membership of filters.membership ?? []) {
    if (membership !== '' && !['accepted', 'pending'].includes(membership.toLowerCase())) {
      throw new Error(`Invalid membership filter: '${membership}'`);
    }
  }
  return filters;
}

/** Values given empty ("role=") are dropped by docker rather than matching nothing. */
function nonEmpty(values: string[] | undefined): string[] {
  return (values ?? []).filter((v) => v !== '');
}

function anyPrefix(text: string | undefined, prefixes: string[] | undefined): boolean {
  if (!prefixes || prefixes.length === 0) return true;
  return text !== undefined && prefixes.some((p) => text.startsWith(p));
}

/** docker's label filter: every `k` (present) or `k=v` given must hold; shared with the network filters. */
export function labelsMatch(labels: Readonly<Record<string, string>> | undefined, wanted: string[] | undefined): boolean {
  if (!wanted || wanted.length === 0) return true;
  if (!labels) return false;
  return wanted.every((w) => {
    const eq = w.indexOf('=');
    const key = eq === -1 ? w : w.slice(0, eq);
    const value = eq === -1 ? '' : w.slice(eq + 1);
    return Object.hasOwn(labels, key) && (value === '' || labels[key] === value);
  });
}

/** The nodes that pass every filter, in their original order. */
export function filterNodes<N extends StoredNode>(nodes: readonly N[], filterArgs: readonly string[]): N[] {
  const f = parseNodeFilters(filterArgs);
  const roles = nonEmpty(f.role).map((r) => r.toLowerCase());
  const memberships = nonEmpty(f.membership).map((m) => m.toLowerCase());
  return nodes.filter(
    (n) =>
      anyPrefix(n.id, f.id) &&
      anyPrefix(n.description?.hostname, f.name) &&
      (roles.length === 0 || roles.includes(n.role)) &&
      (memberships.length === 0 || memberships.includes('accepted')) &&
      labelsMatch(n.spec.labels, f['node.label']) &&
      labelsMatch(n.description?.engine?.labels, f.label),
  );
}

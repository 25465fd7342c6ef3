import { FILTERS, type FilterName } from './filters';

// Why a task found no node, in docker's words so users and scripts that know
// docker read it the same way: each node is counted once, under the first
// filter that refused it.

const nodes = (n: number): string => (n === 1 ? '1 node' : `${n} nodes`);

const PHRASES: Record<FilterName, (n: number) => string> = {
  ready: (n) => `${nodes(n)} not available for new tasks`,
  resources: (n) => `insufficient resources on ${nodes(n)}`,
  constraints: (n) => `scheduling constraints not satisfied on ${nodes(n)}`,
  hostPorts: (n) => `host-mode port already in use on ${nodes(n)}`,
  // swarmkit says just "max replicas per node limit exceed"; the count is
  // added so this part reads like the others.
  maxReplicas: (n) => `max replicas per node limit exceed on ${nodes(n)}`,
};

/**
 * "no suitable node (A; B)" from the number of nodes each filter refused. As
 * in swarmkit the filter that refused the most nodes comes first; equal
 * counts keep pipeline order, so the text is deterministic.
 */
export function noSuitableNode(refused: ReadonlyMap<FilterName, number>): string {
  const parts = FILTERS.filter((f) => (refused.get(f) ?? 0) > 0)
    .map((f, order) => ({ f, n: refused.get(f) ?? 0, order }))
    .sort((a, b) => b.n - a.n || a.order - b.order)
    .map(({ f, n }) => PHRASES[f](n));
  return parts.length === 0 ? 'no suitable node' : `no suitable node (${parts.join('; ')})`;
}

import { matchesConstraints, type Constraint } from './constraint';
import type { ClusterState } from './state';
import type { SchedResources } from './types';

// The filter pipeline, in swarmkit's order. Every task of a batch asks the
// same of a node, so instead of testing nodes task by task the scheduler asks
// each node once how many more of the batch it can take (capacity), and keeps
// that count exact as it places tasks. refusal() names the first filter that
// says no, for the "no suitable node (...)" explanation.

export const FILTERS = ['ready', 'resources', 'constraints', 'hostPorts', 'maxReplicas'] as const;
export type FilterName = (typeof FILTERS)[number];

/** What every task of one batch asks of a node. */
export interface Demand {
  reservations: SchedResources;
  constraints: readonly Constraint[];
  /** From hostPortKeys(). */
  portKeys: readonly number[];
  /** 0: unlimited. */
  maxReplicas: number;
  /** The service's replicas per node, shared with the cluster state. */
  counts: Int32Array;
}

// As in swarmkit, a task that reserves nothing skips the resource filter, and
// one that reserves something needs every resource to be at least its
// reservation (so an overcommitted node takes nothing that reserves).
function reserves(r: SchedResources): boolean {
  return r.nanoCPUs > 0 || r.memoryBytes > 0;
}

/** How many times `need` fits in `free`, exactly for integers up to 2^53. */
function fits(free: number, need: number): number {
  if (need > free) return 0;
  if (need <= 0) return Infinity;
  let k = Math.floor(free / need);
  // Float division can round up to the next integer when free is just below a multiple.
  while (k > 0 && k * need > free) k--;
  return k;
}

/** The first filter that refuses node i one more task of the batch, if any. */
export function refusal(state: ClusterState, d: Demand, i: number): FilterName | undefined {
  if (!state.ready[i]) return 'ready';
  const r = d.reservations;
  if (reserves(r) && (r.nanoCPUs > state.freeCPU[i] || r.memoryBytes > state.freeMem[i])) return 'resources';
  if (!matchesConstraints(state.nodes[i], d.constraints)) return 'constraints';
  if (!state.portsFree(i, d.portKeys)) return 'hostPorts';
  if (d.maxReplicas > 0 && d.counts[i] >= d.maxReplicas) return 'maxReplicas';
  return undefined;
}

/**
 * Sets caps[i] to how many more tasks of the batch node i accepts now (0
 * exactly when refusal() names a filter, Infinity when nothing limits it),
 * writes the indexes of nodes that accept at least one into `open` in index
 * order, and returns their number. One pass over the nodes per batch is the
 * scheduler's fixed cost, so filters a batch does not use are not evaluated.
 */
export function capacities(state: ClusterState, d: Demand, caps: Float64Array, open: Int32Array): number {
  const { ready, freeCPU, freeMem, nodes } = state;
  const { nanoCPUs, memoryBytes } = d.reservations;
  const reservesSome = reserves(d.reservations);
  const { constraints, portKeys, maxReplicas, counts } = d;
  let m = 0;
  for (let i = 0; i < state.size; i++) {
    let cap = ready[i] ? Infinity : 0;
    if (cap > 0 && reservesSome) cap = Math.min(fits(freeCPU[i], nanoCPUs), fits(freeMem[i], memoryBytes));
    if (cap > 0 && constraints.length > 0 && !matchesConstraints(nodes[i], constraints)) cap = 0;
    // One task on the node holds the port; a second would conflict with it.
    if (cap > 0 && portKeys.length > 0) cap = state.portsFree(i, portKeys) ? 1 : 0;
    if (cap > 0 && maxReplicas > 0) cap = Math.min(cap, maxReplicas - counts[i]);
    if (cap > 0) {
      caps[i] = cap;
      open[m++] = i;
    } else {
      caps[i] = 0;
    }
  }
  return m;
}

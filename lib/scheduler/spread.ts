import { capacities, type Demand } from './filters';
import { IndexHeap } from './heap';
import { nodeValue } from './node-key';
import type { Spread } from './preference';
import type { ClusterState } from './state';

// Spreading one batch (tasks of one service and spec version) over the nodes.
//
// Placement preferences make a tree: the root's children are the values of the
// first preference's label, their children the values of the second, and the
// leaves hold nodes. Each level shares its tasks among its children so that
// replicas per child (those already there plus the new ones) come out as even
// as the children's capacity allows; nodes without the label are the child
// for the value "". Inside a leaf, each task goes to the node with the fewest
// replicas of the service, then the fewest tasks in all, then the lowest id.
//
// Both steps use heaps, and each node's capacity for the batch is known
// exactly up front (filters.capacity), so a batch of k tasks over n nodes
// costs O(n) to set up plus O(k log n), and a level never hands a child more
// than it can hold.

interface Branch {
  value: string;
  /** Replicas of the service on every node under the branch, usable or not. */
  replicas: number;
  /** How many more tasks of the batch the branch's nodes take, summed. */
  capacity: number;
  /** Sorted by value; empty for a leaf. */
  children: Branch[];
  /** Leaves only: the nodes that take at least one more task. */
  nodes: number[];
}

const newBranch = (value: string): Branch => ({ value, replicas: 0, capacity: 0, children: [], nodes: [] });

function buildTree(state: ClusterState, d: Demand, spreads: readonly Spread[], caps: Float64Array): Branch {
  const root = newBranch('');
  const index = new Map<Branch, Map<string, Branch>>();
  for (let i = 0; i < state.size; i++) {
    const cap = caps[i];
    let branch = root;
    branch.replicas += d.counts[i];
    branch.capacity += cap;
    for (const s of spreads) {
      const value = nodeValue(state.nodes[i], s.key);
      let byValue = index.get(branch);
      if (!byValue) index.set(branch, (byValue = new Map()));
      let child = byValue.get(value);
      if (!child) {
        child = newBranch(value);
        byValue.set(value, child);
        branch.children.push(child);
      }
      branch = child;
      branch.replicas += d.counts[i];
      branch.capacity += cap;
    }
    if (cap > 0) branch.nodes.push(i);
  }
  // Children in value order, so ties between them always break the same way.
  const sortChildren = (b: Branch): void => {
    b.children.sort((x, y) => (x.value < y.value ? -1 : x.value > y.value ? 1 : 0));
    b.children.forEach(sortChildren);
  };
  sortChildren(root);
  return root;
}

/** How many of k tasks each child gets: always to the child with the fewest replicas so far. */
function share(children: readonly Branch[], k: number): Int32Array {
  const given = new Int32Array(children.length);
  const open: number[] = [];
  for (let j = 0; j < children.length; j++) if (children[j].capacity > 0) open.push(j);
  const load = (j: number): number => children[j].replicas + given[j];
  const heap = new IndexHeap(Int32Array.from(open), open.length, (a, b) => load(a) < load(b) || (load(a) === load(b) && a < b));
  for (let left = k; left > 0 && heap.size > 0; left--) {
    const j = heap.top();
    if (++given[j] >= children[j].capacity) heap.pop();
    else heap.topChanged();
  }
  return given;
}

/**
 * Moves the k best of open[0..size) to its front and returns k. Only they can
 * be chosen for k tasks: a node's key only grows when it is chosen, so a node
 * outside the k best could come up only after all k best were chosen once.
 * Keeping the k best in a max-heap costs one comparison for most nodes, which
 * is what makes small batches (a rolling update's one task) cheap.
 */
function keepBest(open: Int32Array, size: number, k: number, less: (a: number, b: number) => boolean): number {
  if (k >= size) return size;
  if (k <= 0) return 0;
  const worstFirst = new IndexHeap(open, k, (a, b) => less(b, a));
  for (let j = k; j < size; j++) {
    const i = open[j];
    if (less(i, worstFirst.top())) worstFirst.replaceTop(i);
  }
  return k;
}

/** Fills the nodes open[0..size), which it reorders. */
function fillLeaf(
  state: ClusterState,
  d: Demand,
  caps: Float64Array,
  open: Int32Array,
  size: number,
  k: number,
  onPlace: (node: number) => void,
): number {
  const { counts } = d;
  const { total } = state;
  // Fewest replicas of the service, then fewest tasks, then lowest id (index).
  const less = (a: number, b: number): boolean =>
    counts[a] !== counts[b] ? counts[a] < counts[b] : total[a] !== total[b] ? total[a] < total[b] : a < b;
  const heap = new IndexHeap(open, keepBest(open, size, k, less), less);
  let placed = 0;
  while (placed < k && heap.size > 0) {
    const i = heap.top();
    state.place(i, d.reservations, counts, d.portKeys);
    onPlace(i);
    placed++;
    // Placing raised this node's counts, so it can only sink.
    if (--caps[i] <= 0) heap.pop();
    else heap.topChanged();
  }
  return placed;
}

function fill(
  state: ClusterState,
  d: Demand,
  caps: Float64Array,
  branch: Branch,
  k: number,
  onPlace: (node: number) => void,
): number {
  if (branch.children.length === 0) {
    return fillLeaf(state, d, caps, Int32Array.from(branch.nodes), branch.nodes.length, k, onPlace);
  }
  const given = share(branch.children, k);
  let placed = 0;
  branch.children.forEach((child, j) => {
    if (given[j] > 0) placed += fill(state, d, caps, child, given[j], onPlace);
  });
  return placed;
}

/**
 * Places up to k tasks of one batch, updating `state`, and calls onPlace with
 * the node index of each placement in order. Returns how many were placed:
 * fewer than k only when no node takes another task of the batch.
 */
export function spreadBatch(
  state: ClusterState,
  d: Demand,
  spreads: readonly Spread[],
  k: number,
  onPlace: (node: number) => void,
): number {
  const { caps, open } = state;
  const size = capacities(state, d, caps, open);
  // Without preferences the tree is a single leaf: skip building it.
  if (spreads.length === 0) return fillLeaf(state, d, caps, open, size, k, onPlace);
  return fill(state, d, caps, buildTree(state, d, spreads, caps), k, onPlace);
}

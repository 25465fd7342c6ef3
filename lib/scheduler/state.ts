import type { SchedNode, SchedPort, SchedResources, SchedTask } from './types';

// What the scheduler knows about every node while it places one call's worth
// of tasks: free resources, task counts and held host ports, in typed arrays
// indexed by the node's position in id order. That position doubles as the
// final tie-break, so equal nodes are always chosen in the same order.

/**
 * A host-mode published port as one number: port * 2 + (udp ? 1 : 0). Ingress
 * ports hold nothing on a node: the routing mesh opens them on every node.
 */
export function hostPortKeys(ports: readonly SchedPort[]): number[] {
  const keys: number[] = [];
  for (const p of ports) {
    if (p.publishMode !== 'host' || !(p.publishedPort > 0)) continue;
    const key = p.publishedPort * 2 + (p.protocol === 'udp' ? 1 : 0);
    if (!keys.includes(key)) keys.push(key);
  }
  return keys;
}

export class ClusterState {
  /** Sorted by id; a node's index here is its tie-break rank. */
  readonly nodes: readonly SchedNode[];
  /** 1 where the node is ready and active (fixed for the whole pass). */
  readonly ready: Uint8Array;
  readonly freeCPU: Float64Array;
  readonly freeMem: Float64Array;
  /** Tasks of every service on the node (stopping ones excluded). */
  readonly total: Int32Array;
  private readonly byId = new Map<string, number>();
  private readonly heldPorts: (Set<number> | undefined)[];
  /** Per service, (node index, replicas) pairs, until serviceCounts() turns them into an array. */
  private readonly replicaNodes = new Map<string, number[]>();
  private readonly counts = new Map<string, Int32Array>();
  /** Per-batch working space, reused: a pass may hold thousands of batches. */
  readonly caps: Float64Array;
  readonly open: Int32Array;

  constructor(nodes: readonly SchedNode[], tasks: readonly SchedTask[]) {
    this.nodes = [...nodes].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const n = this.nodes.length;
    this.ready = new Uint8Array(n);
    this.freeCPU = new Float64Array(n);
    this.freeMem = new Float64Array(n);
    this.total = new Int32Array(n);
    this.heldPorts = new Array<Set<number> | undefined>(n);
    this.caps = new Float64Array(n);
    this.open = new Int32Array(n);
    this.nodes.forEach((node, i) => {
      if (this.byId.has(node.id)) throw new Error(`scheduler: node ${node.id} given twice`);
      this.byId.set(node.id, i);
      this.ready[i] = node.state === 'ready' && node.availability === 'active' ? 1 : 0;
      this.freeCPU[i] = node.nanoCPUs;
      this.freeMem[i] = node.memoryBytes;
    });
    for (const t of tasks) {
      const i = this.byId.get(t.nodeId);
      // A task on a node that is gone holds nothing anyone can use.
      if (i === undefined) continue;
      this.hold(i, t.reservations, hostPortKeys(t.ports));
      if (t.stopping) continue;
      const count = t.count ?? 1;
      this.total[i] += count;
      const list = this.replicaNodes.get(t.serviceId);
      if (list) list.push(i, count);
      else this.replicaNodes.set(t.serviceId, [i, count]);
    }
  }

  get size(): number {
    return this.nodes.length;
  }

  indexOf(nodeId: string): number | undefined {
    return this.byId.get(nodeId);
  }

  /**
   * Replicas of a service per node. Built on first use, so a cluster with many
   * services pays only for those being scheduled.
   */
  serviceCounts(serviceId: string): Int32Array {
    let c = this.counts.get(serviceId);
    if (!c) {
      c = new Int32Array(this.nodes.length);
      const pairs = this.replicaNodes.get(serviceId) ?? [];
      for (let k = 0; k < pairs.length; k += 2) c[pairs[k]] += pairs[k + 1];
      this.replicaNodes.delete(serviceId);
      this.counts.set(serviceId, c);
    }
    return c;
  }

  portsFree(i: number, keys: readonly number[]): boolean {
    const held = this.heldPorts[i];
    if (!held) return true;
    for (const k of keys) if (held.has(k)) return false;
    return true;
  }

  /** Records a new task on node i; `counts` are its service's (from serviceCounts). */
  place(i: number, reservations: SchedResources, counts: Int32Array, portKeys: readonly number[]): void {
    this.hold(i, reservations, portKeys);
    this.total[i]++;
    counts[i]++;
  }

  private hold(i: number, r: SchedResources, portKeys: readonly number[]): void {
    this.freeCPU[i] -= r.nanoCPUs;
    this.freeMem[i] -= r.memoryBytes;
    if (portKeys.length === 0) return;
    let held = this.heldPorts[i];
    if (!held) held = this.heldPorts[i] = new Set();
    for (const k of portKeys) held.add(k);
  }
}

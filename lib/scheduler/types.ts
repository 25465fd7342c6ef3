// The scheduler's own input and output shapes: plain data, flattened from the
// store's objects by adapt.ts, so the placement code needs nothing but these
// and can be driven by tests and benchmarks with hand-made values.

/** CPU in nano-CPUs (1e9 = one CPU) and memory in bytes, as in lib/api. */
export interface SchedResources {
  nanoCPUs: number;
  memoryBytes: number;
}

/** A published port; structurally a subset of lib/api's PortConfig. */
export interface SchedPort {
  protocol: 'tcp' | 'udp';
  publishedPort: number;
  publishMode: 'host' | 'ingress';
}

export interface SchedPlacement {
  /** Expressions such as "node.labels.zone==east"; all must hold. */
  constraints: readonly string[];
  /** Applied level by level, e.g. [{ spread: 'node.labels.zone' }]. */
  preferences: readonly { spread: string }[];
  /** At most this many tasks of the service per node; 0 means unlimited. */
  maxReplicas: number;
}

export interface SchedNode {
  id: string;
  hostname: string;
  role: 'manager' | 'worker';
  availability: 'active' | 'pause' | 'drain';
  state: 'unknown' | 'down' | 'ready' | 'disconnected';
  os: string;
  arch: string;
  /** The node spec's labels (node.labels.K). */
  labels: Readonly<Record<string, string>>;
  /** The engine's labels (engine.labels.K). */
  engineLabels: Readonly<Record<string, string>>;
  /** What the node has in total; tasks already on it are subtracted by the scheduler. */
  nanoCPUs: number;
  memoryBytes: number;
}

/** A task that already holds a place on a node. */
export interface SchedTask {
  id: string;
  serviceId: string;
  nodeId: string;
  reservations: SchedResources;
  /** Host-mode ports with publishedPort > 0 are held; others are ignored. */
  ports: readonly SchedPort[];
  /**
   * True when the task is asked to stop but has not stopped yet: it still holds
   * its resources and ports, but no longer counts as a replica of its service
   * (for spreading and for placement.maxReplicas), as in swarmkit.
   */
  stopping?: boolean;
  /**
   * How many tasks this entry stands for (default 1): then `reservations` are
   * their total and `ports` the union of theirs. The leader's loop hands the
   * scheduler one entry per node, service and stopping flag (placed-index.ts),
   * so a pass costs the number of such groups, not the number of tasks.
   */
  count?: number;
}

/** A task waiting for a node. */
export interface PendingTask {
  id: string;
  serviceId: string;
  /**
   * Tasks with the same serviceId and specVersion are one batch and must carry
   * the same reservations, placement and ports (the first one's are used).
   */
  specVersion: number;
  reservations: SchedResources;
  placement: SchedPlacement;
  ports: readonly SchedPort[];
  /** Already chosen (global services): the scheduler only checks that it fits there. */
  nodeId?: string;
}

export interface ScheduleInput {
  nodes: readonly SchedNode[];
  tasks: readonly SchedTask[];
  pending: readonly PendingTask[];
}

export interface Assignment {
  taskId: string;
  nodeId: string;
}

export interface Unassigned {
  taskId: string;
  /** Docker's wording, e.g. "no suitable node (insufficient resources on 2 nodes)". */
  reason: string;
}

export interface ScheduleResult {
  /** In the order they were decided; replaying them in order never breaks a filter. */
  assignments: Assignment[];
  unassigned: Unassigned[];
}

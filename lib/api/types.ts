import type { AddressPoolSpec, Network } from './network-types';
import type { Config, Secret } from './secret-types';
import type { Service, Task } from './service-types';

export type { Config, Network, Secret, Service, Task };

// The cluster objects every manager replicates, in docker/swarmkit's shape.
// Plain JSON data on purpose: they travel inside Raft entries and snapshots,
// and the store hands them out deep-frozen, so no classes or methods here.

/**
 * Written by the store, never by a proposer. `version` is the Raft index of the
 * entry that last wrote the object (so it doubles as an optimistic-concurrency
 * token); the timestamps come from the proposer's transaction, not from a clock
 * read during apply, so every manager computes the same bytes.
 */
export interface Meta {
  version: number;
  createdAt: string;
  updatedAt: string;
}

export type NodeRole = 'manager' | 'worker';
export type NodeAvailability = 'active' | 'pause' | 'drain';
export type NodeState = 'unknown' | 'down' | 'ready' | 'disconnected';

export interface NodeSpec {
  name?: string;
  labels: Record<string, string>;
  desiredRole: NodeRole;
  availability: NodeAvailability;
}

export interface NodeDescription {
  hostname: string;
  platform: { os: string; arch: string };
  resources: { nanoCPUs: number; memoryBytes: number };
  engine?: { version: string; labels: Record<string, string> };
  /** Where other nodes reach this node's data path (its node server), and which loopback it shares. */
  dataPath?: DataPath;
}

export interface DataPath {
  /** host:port of the node's TLS port, where other nodes open tunnels to its tasks. */
  addr: string;
  /**
   * The same for nodes whose processes share one network stack (one kernel and
   * network namespace, so one loopback): they serve one another's containers.
   */
  hostKey: string;
}

export interface Node {
  id: string;
  meta: Meta;
  spec: NodeSpec;
  /** The role the node has now; spec.desiredRole is the one asked for. */
  role: NodeRole;
  description?: NodeDescription;
  status: { state: NodeState; message?: string; addr?: string };
  managerStatus?: { raftId: number; addr: string };
}

export interface ClusterSpec {
  dispatcherHeartbeatMs: number;
  taskHistoryLimit: number;
  raft: { tickMs: number; electionTick: number; heartbeatTick: number; snapshotEvery: number };
  /** Where network subnets come from; absent in clusters made before networks existed: the default. */
  addressPool?: AddressPoolSpec;
  /** Managers' data keys are sealed by the unlock key: a restarted manager stays locked until `swarm unlock`. */
  autolock?: boolean;
}

export interface Cluster {
  id: string;
  meta: Meta;
  name: string;
  spec: ClusterSpec;
  joinTokens: { worker: string; manager: string };
  rootCA: { certPem: string; keyPem: string; digest: string };
  /**
   * With autolock: the unlock key (SWMKEY-1-…) first, then the one it replaced,
   * which still opens the data key of a manager that was down during the rotation.
   */
  unlockKeys?: string[];
}

export interface ObjectsByKind {
  cluster: Cluster;
  node: Node;
  service: Service;
  task: Task;
  network: Network;
  secret: Secret;
  config: Config;
}

export type Kind = keyof ObjectsByKind;

/** Every kind, in the fixed order snapshots and listings use. */
export const KINDS: readonly Kind[] = ['cluster', 'node', 'network', 'secret', 'config', 'service', 'task'];

export type StoreObject = ObjectsByKind[Kind];

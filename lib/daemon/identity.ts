// Who this node is, kept across restarts: written once by init/join (and on
// promotion/demotion), read by `swarm start`.

import { readFileIfExists, writeFileAtomic } from './atomic-file';

export interface NodeIdentity {
  version: 1;
  nodeId: string;
  clusterId: string;
  role: 'manager' | 'worker';
  /** Managers: this node's Raft member id. */
  raftId?: number;
  hostname: string;
  listenAddr: string;
  advertiseAddr: string;
  dockerHost?: string;
  /** Where this node opens ports published through the routing mesh (--publish-addr); default 0.0.0.0. */
  publishAddr?: string;
  /** Where this node serves Prometheus metrics (--metrics-addr); none: not served. */
  metricsAddr?: string;
  /** How tasks run here: containers on the Docker engine (default) or child processes (--runtime process). */
  runtime?: 'docker' | 'process';
  /** Addresses of the managers last known, for a worker to reconnect and a manager to rejoin. */
  managers: string[];
  /** The cluster's Raft timing (managers), known before the store is loaded. */
  raft?: { tickMs: number; electionTick: number; heartbeatTick: number; snapshotEvery: number };
  /** Set by `swarm init` until the cluster object is committed, so a crash in between is finished on restart. */
  initPending?: boolean;
  /** Set by `swarm init --force-new-cluster` until the other managers are demoted in the store. */
  forceNewClusterPending?: boolean;
}

export async function readIdentity(path: string): Promise<NodeIdentity | undefined> {
  const text = await readFileIfExists(path);
  if (text === undefined) return undefined;
  const id = JSON.parse(text) as NodeIdentity;
  if (id.version !== 1 || typeof id.nodeId !== 'string' || typeof id.clusterId !== 'string') {
    throw new Error(`${path} is not a swarm node identity (or a newer version of it)`);
  }
  return id;
}

export async function writeIdentity(path: string, id: NodeIdentity): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(id, null, 2)}\n`);
}

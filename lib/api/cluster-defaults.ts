// The cluster's default settings as plain data, so the CLI can show and parse
// them without loading the manager (Raft, certificates, sockets).

import type { ClusterSpec } from './types';

export interface RaftTiming {
  tickMs: number;
  electionTick: number;
  heartbeatTick: number;
  snapshotEvery: number;
}

export const DEFAULT_RAFT_TIMING: RaftTiming = { tickMs: 100, electionTick: 10, heartbeatTick: 1, snapshotEvery: 10_000 };

export const DEFAULT_CLUSTER_SPEC: ClusterSpec = {
  dispatcherHeartbeatMs: 5_000,
  taskHistoryLimit: 5,
  raft: { ...DEFAULT_RAFT_TIMING },
};

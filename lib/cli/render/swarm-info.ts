// `swarm info`: the Swarm section of `docker info`, one indent level up
// because it is the whole output here rather than a part of the server's.

import { humanDuration } from './units';

export type LocalNodeState = 'active' | 'pending' | 'error' | 'locked';

export interface SwarmInfo {
  clusterId: string;
  nodeId: string;
  hostname: string;
  role: 'manager' | 'worker';
  state: LocalNodeState;
  isManager: boolean;
  nodeAddr: string;
  managers: readonly { nodeId: string; addr: string; reachability?: string; leader?: boolean }[];
  /** Node count; docker's "Nodes". */
  nodes: number;
  /** Manager count; docker's "Managers". */
  managersCount: number;
  raft: { snapshotInterval: number; heartbeatTick: number; electionTick: number };
  dispatcherHeartbeatMs: number;
  /** Lifetime given to node certificates, in milliseconds (docker's CA "Expiry Duration"). */
  caCertExpiry?: number;
  /** docker's "Task History Retention Limit". */
  taskHistoryLimit?: number;
  /** Why the node is in the error state, printed as docker's "Error:". */
  error?: string;
  swarmVersion: string;
}

/** Cluster-wide details are shown only where docker shows them: on a healthy manager. */
function showsCluster(info: SwarmInfo): boolean {
  return info.isManager && info.state === 'active' && !info.error;
}

/** Manager addresses sorted as strings, as docker lists its RemoteManagers. */
function managerAddrs(info: SwarmInfo): string[] {
  return info.managers.map((m) => m.addr).sort();
}

export function swarmInfoText(info: SwarmInfo): string {
  const lines = [`Swarm: ${info.state}`];
  // docker stops after the state for a locked node: nothing else can be read, but it is said how to unlock.
  if (info.state === 'locked') return [...lines, ` NodeID: ${info.nodeId}`, ` Error: ${info.error ?? 'locked'}`].join('\n') + '\n';
  lines.push(` NodeID: ${info.nodeId}`);
  if (info.error) lines.push(` Error: ${info.error}`);
  lines.push(` Is Manager: ${info.isManager}`);
  if (showsCluster(info)) {
    lines.push(` ClusterID: ${info.clusterId}`, ` Managers: ${info.managersCount}`, ` Nodes: ${info.nodes}`);
    if (info.taskHistoryLimit !== undefined) {
      lines.push(' Orchestration:', `  Task History Retention Limit: ${info.taskHistoryLimit}`);
    }
    lines.push(
      ' Raft:',
      `  Snapshot Interval: ${info.raft.snapshotInterval}`,
      `  Heartbeat Tick: ${info.raft.heartbeatTick}`,
      `  Election Tick: ${info.raft.electionTick}`,
      ' Dispatcher:',
      `  Heartbeat Period: ${humanDuration(info.dispatcherHeartbeatMs)}`,
    );
    if (info.caCertExpiry !== undefined) {
      lines.push(' CA Configuration:', `  Expiry Duration: ${humanDuration(info.caCertExpiry)}`);
    }
  }
  lines.push(` Node Address: ${info.nodeAddr}`);
  const addrs = managerAddrs(info);
  if (addrs.length > 0) lines.push(' Manager Addresses:', ...addrs.map((a) => `  ${a}`));
  return lines.join('\n') + '\n';
}

const NS_PER_MS = 1_000_000;

/**
 * docker's swarm.Info keys (what `docker info --format '{{json .Swarm}}'`
 * prints), durations in nanoseconds like Go's time.Duration; Hostname, Role
 * and SwarmVersion are ours, for scripts that want them from one call.
 */
export function swarmInfoJson(info: SwarmInfo): Record<string, unknown> {
  const json: Record<string, unknown> = {
    NodeID: info.nodeId,
    NodeAddr: info.nodeAddr,
    LocalNodeState: info.state,
    ControlAvailable: info.isManager,
    Error: info.error ?? '',
    RemoteManagers: [...info.managers]
      .sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0))
      .map((m) => ({ NodeID: m.nodeId, Addr: m.addr })),
  };
  // Go's omitempty: the counts are absent when zero, as on a worker.
  if (info.nodes) json.Nodes = info.nodes;
  if (info.managersCount) json.Managers = info.managersCount;
  if (showsCluster(info)) {
    json.Cluster = {
      ID: info.clusterId,
      Spec: {
        ...(info.taskHistoryLimit !== undefined && { Orchestration: { TaskHistoryRetentionLimit: info.taskHistoryLimit } }),
        Raft: {
          SnapshotInterval: info.raft.snapshotInterval,
          ElectionTick: info.raft.electionTick,
          HeartbeatTick: info.raft.heartbeatTick,
        },
        Dispatcher: { HeartbeatPeriod: info.dispatcherHeartbeatMs * NS_PER_MS },
        ...(info.caCertExpiry !== undefined && { CAConfig: { NodeCertExpiry: info.caCertExpiry * NS_PER_MS } }),
      },
    };
  }
  json.Hostname = info.hostname;
  json.Role = info.role;
  json.SwarmVersion = info.swarmVersion;
  return json;
}

export function renderInfo(info: SwarmInfo, options: { format?: 'text' | 'json' } = {}): string {
  return options.format === 'json' ? `${JSON.stringify(swarmInfoJson(info))}\n` : swarmInfoText(info);
}

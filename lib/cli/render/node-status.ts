// What a node listing needs beyond the stored node: which node is asking,
// who leads, and how reachable each manager is. Those live outside the node
// object (Raft membership, the caller's identity), so the command passes them.

import type { Node } from '../../api/types';
import type { DeepReadonly } from '../../util/deep-readonly';

export type StoredNode = DeepReadonly<Node>;

export type Reachability = 'reachable' | 'unreachable';

export interface ManagerView {
  /** The node id of the Raft leader, if one is known. */
  leaderNodeId?: string;
  /** A manager's reachability as the answering manager sees it; undefined prints as docker's "unknown". */
  reachability?: (node: StoredNode) => Reachability | undefined;
}

/** docker's ManagerStatus for a node, or undefined for a worker (no Raft membership). */
export function managerStatusOf(
  node: StoredNode,
  view: ManagerView,
): { leader: boolean; reachability: string; addr: string } | undefined {
  // A demoted node keeps its Raft id in managerStatus until it is out of Raft; it is no manager any more.
  if (!node.managerStatus || node.role !== 'manager') return undefined;
  const leader = view.leaderNodeId !== undefined && node.id === view.leaderNodeId;
  // The leader is the one answering for the cluster, so it is reachable by definition.
  const reachability = view.reachability?.(node) ?? (leader ? 'reachable' : 'unknown');
  return { leader, reachability, addr: node.managerStatus.addr };
}

// Errors a caller of RaftNode sees. `code` is stable for programs; the
// message is written for the operator who reads it in a CLI error.

import { NodeId } from '../core/types';

export type RaftNodeErrorCode =
  /** No leader is known (election in progress, or this node is cut off). */
  | 'NoLeader'
  /** The operation needs the leader; `leader` says who it is. */
  | 'NotLeader'
  /** The proposal was not committed in time: probably no quorum. It may still commit later. */
  | 'Timeout'
  /** The node is stopping or stopped. */
  | 'Stopped'
  /** The proposal was refused by raft (transfer in progress, membership change pending…). */
  | 'Dropped'
  /** The entry at our proposal's index was replaced by another leader's entry. */
  | 'Superseded'
  /** Storage failed: the node stopped to protect the log. */
  | 'StorageFailed';

export class RaftNodeError extends Error {
  constructor(
    readonly code: RaftNodeErrorCode,
    message: string,
    readonly leader: NodeId = 0,
  ) {
    super(message);
    this.name = 'RaftNodeError';
  }
}

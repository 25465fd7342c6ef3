// Errors the core and its Storage interface speak. Codes are stable so the
// driver can map them to user-facing messages.

export type RaftErrorCode =
  | 'Compacted' // requested index is below the first index of the log
  | 'Unavailable' // requested index is beyond the last index
  | 'SnapshotTemporarilyUnavailable'
  | 'SnapOutOfDate'
  | 'ProposalDropped' // no leader known, a transfer is under way, or this is a learner forwarding nowhere
  | 'NotLeader'
  | 'StepLocalMsg'
  | 'StepPeerNotFound';

export class RaftError extends Error {
  constructor(
    readonly code: RaftErrorCode,
    message: string,
    /** The leader known when a proposal was refused, 0 if none. */
    readonly leader = 0,
  ) {
    super(message);
    this.name = 'RaftError';
  }
}

export const errCompacted = () => new RaftError('Compacted', 'requested index is unavailable due to compaction');
export const errUnavailable = () => new RaftError('Unavailable', 'requested entry at index is unavailable');

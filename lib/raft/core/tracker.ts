import { Progress } from './progress';
import { ConfState, NodeId } from './types';

export enum VoteResult {
  Pending = 0,
  Lost = 1,
  Won = 2,
}

/** Membership (voters and learners), per-peer progress and the votes of an election. */
export class ProgressTracker {
  voters = new Set<NodeId>();
  learners = new Set<NodeId>();
  progress = new Map<NodeId, Progress>();
  votes = new Map<NodeId, boolean>();

  constructor(
    readonly maxInflight: number,
    readonly maxInflightBytes: number,
  ) {}

  confState(): ConfState {
    return { voters: [...this.voters].sort((a, b) => a - b), learners: [...this.learners].sort((a, b) => a - b) };
  }

  isSingleton(): boolean {
    return this.voters.size === 1;
  }

  quorum(): number {
    return Math.floor(this.voters.size / 2) + 1;
  }

  /** The largest index that a quorum of voters has durably matched. */
  committed(): number {
    const n = this.voters.size;
    if (n === 0) return 0;
    const matches: number[] = [];
    for (const id of this.voters) matches.push(this.progress.get(id)?.match ?? 0);
    matches.sort((a, b) => b - a);
    return matches[this.quorum() - 1];
  }

  /** Whether a quorum of voters was heard from recently; `self` always counts. */
  quorumActive(self: NodeId): boolean {
    let active = 0;
    for (const id of this.voters) {
      if (id === self || this.progress.get(id)?.recentActive) active++;
    }
    return active >= this.quorum();
  }

  resetVotes(): void {
    this.votes = new Map();
  }

  recordVote(id: NodeId, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted);
  }

  tallyVotes(): { granted: number; rejected: number; result: VoteResult } {
    let granted = 0;
    let rejected = 0;
    for (const id of this.voters) {
      const v = this.votes.get(id);
      if (v === true) granted++;
      else if (v === false) rejected++;
    }
    return { granted, rejected, result: this.voteResult(granted, rejected) };
  }

  /** Counts acknowledgements (read index) the same way as votes. */
  voteResultOf(acks: Set<NodeId>): VoteResult {
    let granted = 0;
    for (const id of this.voters) if (acks.has(id)) granted++;
    return this.voteResult(granted, 0);
  }

  private voteResult(granted: number, rejected: number): VoteResult {
    const q = this.quorum();
    if (this.voters.size === 0) return VoteResult.Won;
    if (granted >= q) return VoteResult.Won;
    if (this.voters.size - rejected >= q) return VoteResult.Pending;
    return VoteResult.Lost;
  }

  /** Peers in a stable order, so message order does not depend on Map insertion history. */
  ids(): NodeId[] {
    return [...this.progress.keys()].sort((a, b) => a - b);
  }
}

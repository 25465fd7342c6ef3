import { Storage } from './storage';
import { NodeId } from './types';
import type { Logger } from '../../util/logger';

/**
 * Deliberately broken variants, used only by the simulator's self-test to
 * prove it catches real Raft bugs. Never set in production.
 */
export type Mutation =
  /** Commit by counting replicas of entries from earlier terms (paper figure 8). */
  | 'commit-old-term'
  /** Report the vote as empty in the hard state, so it is never persisted. */
  | 'forget-vote'
  /** Do not append the no-op entry when taking office. */
  | 'skip-noop'
  /** Hold a read lease for 2 x electionTick ticks: longer than followers promise not to vote. */
  | 'lease-too-long'
  /** Grant votes at once after a restart, though the previous life may have acknowledged a lease. */
  | 'lease-no-boot-guard'
  /** The driver feeds only its timer's ticks after a pause, not the ticks real time says are due. */
  | 'lease-no-catch-up';

export type RaftLogger = Logger;

export const silentLogger: RaftLogger = { debug() {}, info() {}, warn() {} };

export interface RaftConfig {
  id: NodeId;
  storage: Storage;
  /** Ticks without a leader before a follower campaigns; randomized in [n, 2n). */
  electionTick: number;
  /** Ticks between heartbeats; must be < electionTick. */
  heartbeatTick: number;
  /** A seeded generator in [0, 1): the core never uses Math.random, so runs replay. */
  random: () => number;
  /** Last applied index when restarting, so already applied entries are not handed out again. */
  applied?: number;
  /** Max bytes of entries in one append message (at least one entry is always sent). */
  maxSizePerMsg?: number;
  /** Max bytes of committed entries in one Ready. */
  maxCommittedSizePerReady?: number;
  /** Max append messages in flight to one follower in Replicate state. */
  maxInflightMsgs?: number;
  /** Max bytes in flight to one follower; 0 means no byte limit. */
  maxInflightBytes?: number;
  /** Max bytes of uncommitted entries on a leader; further proposals are dropped. 0 means no limit. */
  maxUncommittedEntriesSize?: number;
  checkQuorum?: boolean;
  preVote?: boolean;
  /**
   * Leader leases (thesis §6.4.1): a leader that a quorum acknowledged within
   * the last `leaseTicks` of its ticks answers ReadIndex at once, without a
   * heartbeat round. Safe only because followers refuse votes for
   * electionTick ticks after hearing from it (checkQuorum) and for
   * electionTick ticks after they start (the boot guard below, also enabled by
   * this flag), and only if the driver's ticks never run slower than real
   * time on the leader: see docs/raft.md "Reads". Requires checkQuorum.
   */
  leaseReads?: boolean;
  /**
   * Length of the lease in leader ticks; default floor(electionTick / 2) - 1,
   * which stays inside the followers' promise even if the leader's ticks ran
   * 30 % slow and the followers' 30 % fast. Must be below electionTick - 1.
   */
  leaseTicks?: number;
  /** Refuse proposals on followers with a NotLeader error instead of forwarding them. */
  disableProposalForwarding?: boolean;
  logger?: RaftLogger;
  mutations?: ReadonlySet<Mutation>;
}

export interface ResolvedConfig extends Required<Omit<RaftConfig, 'mutations'>> {
  mutations: ReadonlySet<Mutation>;
}

export function resolveConfig(c: RaftConfig): ResolvedConfig {
  if (!Number.isSafeInteger(c.id) || c.id <= 0) throw new Error(`raft config: id must be a positive integer, got ${c.id}`);
  if (c.heartbeatTick <= 0) throw new Error('raft config: heartbeatTick must be greater than 0');
  if (c.electionTick <= c.heartbeatTick) throw new Error('raft config: electionTick must be greater than heartbeatTick');
  const maxInflightMsgs = c.maxInflightMsgs ?? 256;
  if (maxInflightMsgs <= 0) throw new Error('raft config: maxInflightMsgs must be greater than 0');
  const checkQuorum = c.checkQuorum ?? true;
  const leaseReads = c.leaseReads ?? false;
  if (leaseReads && !checkQuorum) throw new Error('raft config: leaseReads requires checkQuorum (followers must honour the leader lease)');
  const leaseTicks = c.leaseTicks ?? Math.max(1, Math.floor(c.electionTick / 2) - 1);
  if (leaseReads && (!Number.isSafeInteger(leaseTicks) || leaseTicks <= 0 || leaseTicks >= c.electionTick - 1)) {
    throw new Error(`raft config: leaseTicks must be an integer in [1, electionTick - 1), got ${leaseTicks}`);
  }
  return {
    id: c.id,
    storage: c.storage,
    electionTick: c.electionTick,
    heartbeatTick: c.heartbeatTick,
    random: c.random,
    applied: c.applied ?? 0,
    maxSizePerMsg: c.maxSizePerMsg ?? 1024 * 1024,
    maxCommittedSizePerReady: c.maxCommittedSizePerReady ?? 8 * 1024 * 1024,
    maxInflightMsgs,
    maxInflightBytes: c.maxInflightBytes ?? 0,
    maxUncommittedEntriesSize: c.maxUncommittedEntriesSize ?? 0,
    checkQuorum,
    leaseReads,
    leaseTicks,
    preVote: c.preVote ?? true,
    disableProposalForwarding: c.disableProposalForwarding ?? false,
    logger: c.logger ?? silentLogger,
    mutations: c.mutations ?? new Set(),
  };
}

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
  | 'skip-noop';

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
    checkQuorum: c.checkQuorum ?? true,
    preVote: c.preVote ?? true,
    disableProposalForwarding: c.disableProposalForwarding ?? false,
    logger: c.logger ?? silentLogger,
    mutations: c.mutations ?? new Set(),
  };
}

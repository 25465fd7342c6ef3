// Per-seed fault rates and cluster shape. Drawing them per seed (instead of
// fixing them) is what lets a few thousand seeds cover both calm clusters
// that make steady progress and storms that exercise the corner cases.

import { Prng } from './prng';

export interface NetworkRates {
  /** Latency of a normal delivery, in virtual time units. */
  minLatency: number;
  maxLatency: number;
  /** Probability that a message is lost. */
  drop: number;
  /** Probability that a message is delivered twice. */
  duplicate: number;
  /** Probability that a message ignores the link's FIFO order (arrives after a random latency). */
  reorder: number;
  /** Probability that a message is held back long enough to arrive far out of order. */
  longDelay: number;
  /** Upper bound of such a long delay. */
  maxLongDelay: number;
}

export interface ActionWeights {
  propose: number;
  read: number;
  crash: number;
  partition: number;
  healLinks: number;
  membership: number;
  compact: number;
  transfer: number;
  /** The process freezes (a GC or a held event loop), then catches up: only in lease seeds. */
  pause: number;
}

export interface Profile {
  mode: Mode;
  clusterSize: 1 | 3 | 5;
  /** Virtual time between two ticks of a node, and the jitter added to each. */
  tickInterval: number;
  tickJitter: number;
  electionTick: number;
  heartbeatTick: number;
  maxSizePerMsg: number;
  maxInflightMsgs: number;
  /** Production runs with both on; seeds without them cover the plain protocol (and churn more). */
  preVote: boolean;
  checkQuorum: boolean;
  /** Leader lease reads (RaftConfig.leaseReads); only with checkQuorum. */
  leaseReads: boolean;
  net: NetworkRates;
  /** Time an fsync takes. */
  minFsync: number;
  maxFsync: number;
  /** Mean virtual time between two client or fault actions. */
  meanActionGap: number;
  weights: ActionWeights;
  /** Probability that a node crashes right after it made a vote durable (finds lost-vote bugs). */
  crashAfterVote: number;
  /** Probability that a follower crashes (and is back at once) right after acknowledging a lease round. */
  crashAfterLeaseAck: number;
  /**
   * Probability that a new leader crashes or is cut off soon after taking
   * office, while it still replicates the tail it inherited (figure 8 of the
   * Raft paper is made of such leaders).
   */
  newLeaderFault: number;
  /** Latest time after taking office at which that fault strikes. */
  newLeaderFaultWithin: number;
  /**
   * Probability that a leader is cut off the moment its commit index moves,
   * before the messages that would tell the followers leave: the only node
   * that knows the entry is committed is then unreachable.
   */
  commitFault: number;
  /** Probability that a crash hits while the node's fsync is in flight rather than between Readies. */
  crashMidFsync: number;
  /** Longest downtime of a crashed node, in election timeouts. */
  maxDowntimeElections: number;
  /** Longest life of a partition, in election timeouts. */
  maxPartitionElections: number;
  /** Most proposals in one batch. */
  maxBatch: number;
  /** Upper bound on nodes ever created (membership changes add fresh ids). */
  maxNodes: number;
}

/**
 * How a seed's faults are chosen (swarm testing: each seed enables a
 * different mix). `churn` seeds keep cutting off leaders just as they take
 * office or learn a commit, with tiny messages so that a new leader repairs
 * logs one entry per round trip: the interleavings of the paper's figure 8.
 */
export type Mode = 'calm' | 'mixed' | 'churn';

/** Whether a seed runs with lease reads: drawn (about a third of the seeds), or forced on or off. */
export type LeaseMode = 'drawn' | 'on' | 'off';

export function drawProfile(rng: Prng, lease: LeaseMode = 'drawn'): Profile {
  const m = rng.next();
  const mode: Mode = m < 0.15 ? 'calm' : m < 0.75 ? 'mixed' : 'churn';
  const r = rng.next();
  const clusterSize: 1 | 3 | 5 = mode === 'churn' ? (r < 0.7 ? 3 : 5) : r < 0.12 ? 1 : r < 0.55 ? 3 : 5;
  // A storm factor scales every fault rate together, so some seeds are calm and some brutal.
  const storm = mode === 'calm' ? 0.1 : rng.pick([0.25, 0.5, 1, 1, 1.5, 2]);
  const electionTick = rng.int(8, 12);
  const tickInterval = 10;
  const maxLatency = rng.int(4, 25);
  const churn = mode === 'churn';
  const p: Profile = {
    mode,
    clusterSize,
    tickInterval,
    tickJitter: rng.int(0, 3),
    electionTick,
    heartbeatTick: rng.int(1, 3),
    // Small messages and windows split replication into many rounds (flow control paths).
    maxSizePerMsg: churn ? rng.pick([1, 64]) : rng.pick([64, 256, 1024, 1024 * 1024]),
    maxInflightMsgs: churn ? rng.pick([1, 2]) : rng.pick([1, 2, 4, 16, 256]),
    preVote: rng.chance(0.75),
    checkQuorum: rng.chance(0.75),
    leaseReads: false,
    net: {
      minLatency: rng.int(1, 3),
      maxLatency,
      drop: Math.min(0.4, rng.range(0, 0.12) * storm),
      duplicate: Math.min(0.2, rng.range(0, 0.05) * storm),
      reorder: Math.min(0.5, rng.range(0, 0.1) * storm),
      longDelay: Math.min(0.2, rng.range(0, 0.04) * storm),
      maxLongDelay: electionTick * tickInterval * rng.int(1, 4),
    },
    minFsync: 1,
    maxFsync: rng.int(2, 15),
    meanActionGap: rng.int(4, 20),
    weights: {
      propose: 40,
      read: rng.int(0, 12),
      // At most a crash or partition every few election timeouts on average, so
      // that even stormy seeds elect leaders and commit between faults.
      crash: rng.range(0.5, 3) * storm,
      partition: rng.range(0.5, 3) * storm,
      healLinks: rng.range(1, 4),
      membership: clusterSize === 1 ? rng.range(0.5, 3) : rng.range(0, 3),
      compact: rng.range(0, 3),
      transfer: rng.range(0, 3),
      pause: 0,
    },
    crashAfterVote: Math.min(0.6, rng.range(0, 0.25) * storm),
    crashAfterLeaseAck: 0,
    newLeaderFault: churn ? rng.range(0.3, 0.8) : Math.min(0.6, rng.range(0, 0.3) * storm),
    newLeaderFaultWithin: rng.int(1, 8) * maxLatency,
    commitFault: churn ? rng.range(0.1, 0.35) : Math.min(0.2, rng.range(0, 0.03) * storm),
    crashMidFsync: rng.range(0, 0.7),
    maxDowntimeElections: rng.pick([0.2, 1, 3, 6]),
    maxPartitionElections: rng.pick([1, 3, 8]),
    maxBatch: rng.pick([1, 1, 3, 8]),
    maxNodes: 9,
  };
  // Drawn last, and always, so that adding it changed no other draw of any seed.
  const drawnLease = rng.chance(0.5);
  const drawnPause = rng.next();
  const drawnLeaseAckCrash = rng.next();
  p.leaseReads = lease === 'on' || (lease === 'drawn' && p.checkQuorum && drawnLease);
  if (p.leaseReads) {
    p.checkQuorum = true;
    // Reads are what a lease can get wrong: ask enough of them.
    p.weights.read = Math.max(p.weights.read, 8);
    p.weights.pause = 1 + 2 * drawnPause;
    // Every heartbeat is a lease round, so this is per heartbeat answered: rare.
    p.crashAfterLeaseAck = 0.01 * drawnLeaseAckCrash;
  }
  return p;
}

export function describeProfile(p: Profile): string {
  const n = p.net;
  return (
    `${p.mode} nodes=${p.clusterSize} election=${p.electionTick} heartbeat=${p.heartbeatTick} ` +
    `msg=${p.maxSizePerMsg}x${p.maxInflightMsgs}${p.preVote ? ' prevote' : ''}${p.checkQuorum ? ' checkquorum' : ''}${p.leaseReads ? ' lease' : ''} ` +
    `latency=${n.minLatency}-${n.maxLatency} drop=${n.drop.toFixed(3)} dup=${n.duplicate.toFixed(3)} ` +
    `reorder=${n.reorder.toFixed(3)} longDelay=${n.longDelay.toFixed(3)} fsync<=${p.maxFsync} actionGap=${p.meanActionGap} ` +
    `crash=${p.weights.crash.toFixed(2)} partition=${p.weights.partition.toFixed(2)} ` +
    `membership=${p.weights.membership.toFixed(2)} crashAfterVote=${p.crashAfterVote.toFixed(2)} newLeaderFault=${p.newLeaderFault.toFixed(2)} commitFault=${p.commitFault.toFixed(3)}`
  );
}

// How long a healed cluster may take to converge before that counts as a
// liveness bug.

import { NodeId } from '../core/types';
import { Profile } from './profile';
import { SimNode } from './sim-node';

/**
 * Time to stream the backlog (entries some node lacks) through the seed's
 * flow-control window at the worst latency. Seeds with tiny windows and
 * messages are slow, not stuck; the election-timeout bound alone would call
 * them liveness bugs.
 */
export function catchUpAllowance(nodes: ReadonlyMap<NodeId, SimNode>, p: Profile): number {
  let maxLast = 0;
  let minApplied = Number.MAX_SAFE_INTEGER;
  for (const n of nodes.values()) {
    const r = n.raw?.raft;
    if (!r) continue;
    maxLast = Math.max(maxLast, r.raftLog.lastIndex());
    minApplied = Math.min(minApplied, n.app.applied);
  }
  const backlog = Math.max(0, maxLast - minApplied);
  // Entries are at most ~80 bytes with the header, so a message holds at least this many.
  const perMessage = Math.max(1, Math.floor(p.maxSizePerMsg / 80));
  const perRound = p.maxInflightMsgs * perMessage;
  const roundTrip = 2 * p.net.maxLatency + p.maxFsync + p.heartbeatTick * p.tickInterval;
  return Math.ceil(backlog / perRound) * roundTrip;
}

// Counters of what a run did, so a clean run can show that its faults and
// features actually happened (a run with no crashes proves little).

export interface SimStats {
  events: number;
  nodes: number;
  crashes: number;
  /** Crashes that lost writes not yet synced. */
  tornWrites: number;
  partitions: number;
  /** Processes frozen for a while (lease seeds only). */
  pauses: number;
  proposals: number;
  acked: number;
  reads: number;
  readsServed: number;
  /** ReadIndex requests a leader answered from its lease (no heartbeat round). */
  leaseReads: number;
  leaders: number;
  snapshotsSent: number;
  snapshotsInstalled: number;
  confChanges: number;
  compactions: number;
  transfers: number;
  messages: number;
  dropped: number;
  maxCommitted: number;
  /** Diagnostic: leaders that moved their commit onto an earlier term's entry (never without a mutation). */
  oldTermCommits: number;
  virtualTime: number;
  healTime: number;
}

export function emptyStats(): SimStats {
  return {
    events: 0,
    nodes: 0,
    crashes: 0,
    tornWrites: 0,
    partitions: 0,
    pauses: 0,
    proposals: 0,
    acked: 0,
    reads: 0,
    readsServed: 0,
    leaseReads: 0,
    leaders: 0,
    snapshotsSent: 0,
    snapshotsInstalled: 0,
    confChanges: 0,
    compactions: 0,
    transfers: 0,
    messages: 0,
    dropped: 0,
    maxCommitted: 0,
    oldTermCommits: 0,
    virtualTime: 0,
    healTime: 0,
  };
}

export function addStats(a: SimStats, b: SimStats): SimStats {
  const out = { ...a };
  for (const k of Object.keys(b) as Array<keyof SimStats>) out[k] = a[k] + b[k];
  return out;
}

// Lease reads (docs/raft.md, "Reads") are on for managers; SWARM_RAFT_LEASE_READS=0
// in the daemon's environment turns them off, e.g. to compare API latency
// with one ReadIndex heartbeat round per read.

export const LEASE_READS_ENV = 'SWARM_RAFT_LEASE_READS';

/** On unless the variable says off; anything but a clear yes or no is refused with the variable named. */
export function leaseReadsFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const text = (env[LEASE_READS_ENV] ?? '').trim().toLowerCase();
  if (text === '' || text === '1' || text === 'true' || text === 'on') return true;
  if (text === '0' || text === 'false' || text === 'off') return false;
  throw new Error(`${LEASE_READS_ENV}: "${env[LEASE_READS_ENV]}" is not one of 1, 0, true, false, on, off`);
}

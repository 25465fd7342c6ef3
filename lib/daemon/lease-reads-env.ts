// Lease reads (docs/raft.md, "Reads") are off for managers until they have run
// through the whole e2e suite in CI: SWARM_RAFT_LEASE_READS=1 in the daemon's
// environment turns them on (a CI run with them on saw one promotion never
// settle, not reproduced since).

export const LEASE_READS_ENV = 'SWARM_RAFT_LEASE_READS';

/** Off unless the variable says on; anything but a clear yes or no is refused with the variable named. */
export function leaseReadsFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const text = (env[LEASE_READS_ENV] ?? '').trim().toLowerCase();
  if (text === '1' || text === 'true' || text === 'on') return true;
  if (text === '' || text === '0' || text === 'false' || text === 'off') return false;
  throw new Error(`${LEASE_READS_ENV}: "${env[LEASE_READS_ENV]}" is not one of 1, 0, true, false, on, off`);
}

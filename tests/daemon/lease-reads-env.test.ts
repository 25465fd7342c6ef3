// SWARM_RAFT_LEASE_READS: lease reads are off for managers unless the daemon's
// environment says on; a value that is neither is refused, naming the variable.

import { LEASE_READS_ENV, leaseReadsFromEnv } from '../../lib/daemon/lease-reads-env';

describe('leaseReadsFromEnv', () => {
  test('off when unset or empty', () => {
    expect(leaseReadsFromEnv({})).toBe(false);
    expect(leaseReadsFromEnv({ [LEASE_READS_ENV]: '' })).toBe(false);
  });

  test('reads the usual spellings of yes and no', () => {
    for (const v of ['1', 'true', 'on', 'ON', ' True ']) expect(leaseReadsFromEnv({ [LEASE_READS_ENV]: v })).toBe(true);
    for (const v of ['0', 'false', 'off', 'OFF']) expect(leaseReadsFromEnv({ [LEASE_READS_ENV]: v })).toBe(false);
  });

  test('refuses anything else with the variable named', () => {
    expect(() => leaseReadsFromEnv({ [LEASE_READS_ENV]: 'maybe' })).toThrow(/SWARM_RAFT_LEASE_READS: "maybe"/);
  });
});

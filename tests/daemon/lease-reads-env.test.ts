// SWARM_RAFT_LEASE_READS: lease reads are on for managers unless the daemon's
// environment says off; a value that is neither is refused, naming the variable.

import { LEASE_READS_ENV, leaseReadsFromEnv } from '../../lib/daemon/lease-reads-env';

describe('leaseReadsFromEnv', () => {
  test('on when unset or empty', () => {
    expect(leaseReadsFromEnv({})).toBe(true);
    expect(leaseReadsFromEnv({ [LEASE_READS_ENV]: '' })).toBe(true);
  });

  test('reads the usual spellings of yes and no', () => {
    for (const v of ['1', 'true', 'on', 'ON', ' True ']) expect(leaseReadsFromEnv({ [LEASE_READS_ENV]: v })).toBe(true);
    for (const v of ['0', 'false', 'off', 'OFF']) expect(leaseReadsFromEnv({ [LEASE_READS_ENV]: v })).toBe(false);
  });

  test('refuses anything else with the variable named', () => {
    expect(() => leaseReadsFromEnv({ [LEASE_READS_ENV]: 'maybe' })).toThrow(/SWARM_RAFT_LEASE_READS: "maybe"/);
  });
});

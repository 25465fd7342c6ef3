import { checkAddressPool, freeSubnet } from '../../../lib/manager/network/subnets';

describe('subnets from the address pool', () => {
  const pool = { pools: ['100.64.0.0/10'], subnetSize: 20 };

  test('the first free block of the pool, skipping taken ones and user subnets that overlap', () => {
    expect(freeSubnet(pool, [])).toBe('100.64.0.0/20');
    expect(freeSubnet(pool, ['100.64.0.0/20'])).toBe('100.64.16.0/20');
    // A user's /16 inside the pool covers sixteen blocks at once.
    expect(freeSubnet(pool, ['100.64.0.0/20', '100.64.16.0/20', '100.65.0.0/16', '100.64.32.0/24'])).toBe('100.64.48.0/20');
    expect(freeSubnet(pool, ['10.0.0.0/8'])).toBe('100.64.0.0/20');
  });

  test('several pools in order, and none left', () => {
    const two = { pools: ['10.10.0.0/23', '10.20.0.0/24'], subnetSize: 24 };
    expect(freeSubnet(two, ['10.10.0.0/24', '10.10.1.0/24'])).toBe('10.20.0.0/24');
    expect(freeSubnet(two, ['10.10.0.0/23', '10.20.0.0/24'])).toBeUndefined();
  });

  test('a pool spec is checked', () => {
    expect(() => checkAddressPool({ pools: ['10.0.0.0/26'], subnetSize: 24 })).toThrow('address pool 10.0.0.0/26 is smaller than one /24 subnet');
    expect(() => checkAddressPool({ pools: ['10.0.0.5/8'], subnetSize: 24 })).toThrow('host bits set');
    expect(() => checkAddressPool({ pools: [], subnetSize: 24 })).toThrow('at least one CIDR');
    expect(() => checkAddressPool({ pools: ['10.0.0.0/8'], subnetSize: 31 })).toThrow('prefix length from 1 to 29');
    expect(() => checkAddressPool(pool)).not.toThrow();
  });
});

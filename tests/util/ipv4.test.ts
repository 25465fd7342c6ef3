import { addressAt, cidrContains, cidrSize, cidrsOverlap, formatCidr, formatIpv4, parseCidr, parseIpv4 } from '../../lib/util/ipv4';

describe('ipv4', () => {
  test('addresses round-trip and reject what is not one', () => {
    expect(formatIpv4(parseIpv4('100.64.16.2') as number)).toBe('100.64.16.2');
    expect(parseIpv4('255.255.255.255')).toBe(2 ** 32 - 1);
    for (const bad of ['256.0.0.1', '1.2.3', '01.2.3.4', 'a.b.c.d', '1.2.3.4.5', '']) expect(parseIpv4(bad)).toBeUndefined();
  });

  test('CIDRs parse, with a clear error for host bits and nonsense', () => {
    expect(formatCidr(parseCidr('100.64.0.0/10'))).toBe('100.64.0.0/10');
    expect(cidrSize(parseCidr('10.0.1.0/24'))).toBe(256);
    expect(() => parseCidr('10.0.1.5/24')).toThrow('invalid subnet "10.0.1.5/24": it has host bits set (the network is 10.0.1.0/24)');
    expect(() => parseCidr('10.0.1.0/33')).toThrow('invalid subnet "10.0.1.0/33": use a CIDR such as 10.0.1.0/24');
    expect(() => parseCidr('10.0.1.0')).toThrow('use a CIDR');
  });

  test('containment, overlap and positions', () => {
    const a = parseCidr('10.0.0.0/16');
    const b = parseCidr('10.0.1.0/24');
    const c = parseCidr('10.1.0.0/24');
    expect(cidrsOverlap(a, b)).toBe(true);
    expect(cidrsOverlap(b, a)).toBe(true);
    expect(cidrsOverlap(a, c)).toBe(false);
    expect(cidrContains(b, parseIpv4('10.0.1.255') as number)).toBe(true);
    expect(cidrContains(b, parseIpv4('10.0.2.0') as number)).toBe(false);
    expect(formatIpv4(addressAt(b, 2))).toBe('10.0.1.2');
    expect(() => addressAt(b, 256)).toThrow(RangeError);
  });
});

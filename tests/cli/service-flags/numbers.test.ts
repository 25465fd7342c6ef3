import { parseCount, parseFlagDuration, parseMemoryBytes, parseNanoCpus } from '../../../lib/cli/service-flags/numbers';

describe('counts', () => {
  test('non-negative integers', () => {
    expect(parseCount('replicas', '0')).toBe(0);
    expect(parseCount('replicas', '12')).toBe(12);
  });
  test.each(['-1', '1.5', 'abc', '', '3x', '99999999999999999999'])('refuses %p, naming flag and value', (v) => {
    expect(() => parseCount('replicas', v)).toThrow(`invalid argument "${v}" for "--replicas" flag: must be a non-negative integer`);
  });
});

describe('CPUs as nano-CPUs, exactly', () => {
  test.each([
    ['0.5', 500_000_000],
    ['2', 2_000_000_000],
    ['.25', 250_000_000],
    ['0.3', 300_000_000],
    ['1.000000001', 1_000_000_001],
    ['3.', 3_000_000_000],
    ['0.1000000000', 100_000_000],
  ])('%s', (text, nano) => {
    expect(parseNanoCpus('reserve-cpu', text)).toBe(nano);
  });
  test('finer than a nano-CPU is refused, as docker does', () => {
    expect(() => parseNanoCpus('limit-cpu', '0.0000000001')).toThrow(
      'invalid argument "0.0000000001" for "--limit-cpu" flag: value is too precise (at most 9 decimal places)',
    );
  });
  test.each(['-1', 'half', '', '.', '1e3', '1/2'])('refuses %p', (v) => {
    expect(() => parseNanoCpus('reserve-cpu', v)).toThrow(`invalid argument "${v}" for "--reserve-cpu" flag: must be a number of CPUs`);
  });
});

describe("memory as docker's RAMInBytes (1024-based)", () => {
  test.each([
    ['64M', 64 * 1024 ** 2],
    ['64m', 64 * 1024 ** 2],
    ['64mb', 64 * 1024 ** 2],
    ['64MiB', 64 * 1024 ** 2],
    ['1g', 1024 ** 3],
    ['1.5G', 1.5 * 1024 ** 3],
    ['512k', 512 * 1024],
    ['512KB', 512 * 1024],
    ['2t', 2 * 1024 ** 4],
    ['1p', 1024 ** 5],
    ['100', 100],
    ['100b', 100],
    ['100B', 100],
    ['64 M', 64 * 1024 ** 2],
    ['0.5k', 512],
    ['1.3k', 1331], // truncated to whole bytes like Go's int64()
  ])('%s', (text, bytes) => {
    expect(parseMemoryBytes('reserve-memory', text)).toBe(bytes);
  });
  test.each([
    ['64x', "invalid suffix: 'x'"],
    ['64mx', "invalid suffix: 'mx'"],
    ['64bb', "invalid suffix: 'bb'"],
    ['64kib2', "invalid size: '64kib2'"],
    ['M', "invalid size: 'M'"],
    ['-1', "invalid size: '-1'"],
    ['', "invalid size: ''"],
    ['1.2.3m', "invalid size: '1.2.3m'"],
  ])('refuses %p', (text, reason) => {
    expect(() => parseMemoryBytes('limit-memory', text)).toThrow(`invalid argument "${text}" for "--limit-memory" flag: ${reason}`);
  });
});

describe('durations', () => {
  test("Go's syntax, in milliseconds", () => {
    expect(parseFlagDuration('restart-delay', '5s')).toBe(5000);
    expect(parseFlagDuration('restart-delay', '1m30s')).toBe(90_000);
    expect(parseFlagDuration('restart-delay', '250ms')).toBe(250);
    expect(parseFlagDuration('restart-delay', '0')).toBe(0);
  });
  test.each(['5', '-5s', 'soon', ''])('refuses %p naming the flag', (v) => {
    expect(() => parseFlagDuration('restart-delay', v)).toThrow(
      `invalid argument "${v}" for "--restart-delay" flag: use a number with a unit (ns, us, ms, s, m, h), e.g. 500ms, 5s, 1m30s`,
    );
  });
});

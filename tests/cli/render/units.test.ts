import { goTimeString, prettyPrint } from '../../../lib/cli/render/docker-text';
import { naturalCompare } from '../../../lib/cli/render/natural-order';
import { renderDockerTable } from '../../../lib/cli/render/tabwriter';
import { bytesSize, cpuCount, formatSignificant, humanDuration } from '../../../lib/cli/render/units';

describe('docker units', () => {
  test.each([
    [0, '0B'],
    [1023, '1023B'],
    [1024, '1KiB'],
    [1088, '1.062KiB'], // an exact tie rounds to even, as Go does
    [1039843328, '991.7MiB'],
    [2087354368, '1.944GiB'],
    [2 ** 31, '2GiB'],
    [1024 ** 4 * 3.5, '3.5TiB'],
  ])('bytesSize(%d) = %s', (bytes, text) => {
    expect(bytesSize(bytes)).toBe(text);
  });

  test("Go's %.4g beyond sizes", () => {
    expect(formatSignificant(99999, 4)).toBe('1e+05');
    expect(formatSignificant(0.00001, 4)).toBe('1e-05');
    expect(formatSignificant(0.5, 4)).toBe('0.5');
    expect(formatSignificant(9.9996, 4)).toBe('10');
    expect(formatSignificant(-1.25, 2)).toBe('-1.2');
  });

  test('CPUs are whole, fraction cut off', () => {
    expect(cpuCount(2_000_000_000)).toBe(2);
    expect(cpuCount(2_900_000_000)).toBe(2);
    expect(cpuCount(0)).toBe(0);
  });

  test.each([
    [500, 'Less than a second'],
    [1000, '1 second'],
    [5000, '5 seconds'],
    [60_000, 'About a minute'],
    [300_000, '5 minutes'],
    [3_600_000, 'About an hour'],
    [5 * 3_600_000, '5 hours'],
    [3 * 86_400_000, '3 days'],
    [21 * 86_400_000, '3 weeks'],
    [90 * 86_400_000, '3 months'],
    [800 * 86_400_000, '2 years'],
  ])('humanDuration(%d) = %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });
});

describe('docker text', () => {
  test('PrettyPrint capitalizes the first letter and lowers the rest', () => {
    expect(prettyPrint('ready')).toBe('Ready');
    expect(prettyPrint('NEEDS ROTATION')).toBe('Needs rotation');
    expect(prettyPrint('')).toBe('');
    expect(prettyPrint('A')).toBe('a');
  });

  test("times print as Go's time.Time.String in UTC", () => {
    expect(goTimeString('2016-06-16T22:52:44.9910662Z')).toBe('2016-06-16 22:52:44.9910662 +0000 UTC');
    expect(goTimeString('2024-01-02T03:04:05Z')).toBe('2024-01-02 03:04:05 +0000 UTC');
    expect(goTimeString('2024-01-02T05:04:05.120+02:00')).toBe('2024-01-02 03:04:05.12 +0000 UTC');
  });

  test('natural order', () => {
    const sorted = ['n10', 'n9', 'n09', 'n', 'm2', 'n1a', 'n1'].sort(naturalCompare);
    expect(sorted).toEqual(['m2', 'n', 'n1', 'n1a', 'n9', 'n09', 'n10']);
  });

  test('docker table: 10-character minimum, 3 spaces of padding, last column unpadded', () => {
    expect(renderDockerTable(['A', 'LONGER HEADER', 'Z'], [['x', 'y', 'last']])).toBe(
      'A         LONGER HEADER   Z\nx         y               last\n',
    );
  });
});

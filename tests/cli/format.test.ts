import { formatDuration, parseDuration } from '../../lib/util/go-duration';
import { renderJsonLines, shortId } from '../../lib/cli/table';

describe('durations as docker takes them', () => {
  test.each([
    ['5s', 5000],
    ['300ms', 300],
    ['1m30s', 90_000],
    ['1h2m3.5s', 3_723_500],
    ['0', 0],
    ['1.5s', 1500],
    ['250us', 0.25],
  ])('%s = %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  test.each(['5', 's', '5 s', '-5s', '5x', '', '1m30', '1.2.3s'])('"%s" is refused with a message naming it', (text) => {
    expect(() => parseDuration(text, 'heartbeat period')).toThrow(`invalid heartbeat period "${text}"`);
  });

  test('formats back to what docker prints', () => {
    expect(formatDuration(5000)).toBe('5s');
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(250)).toBe('250ms');
    expect(formatDuration(3_723_500)).toBe('1h2m3.5s');
    expect(formatDuration(0)).toBe('0s');
  });
});

describe('json lines and ids', () => {
  test('json lines and short ids', () => {
    expect(renderJsonLines([{ ID: 'a' }, { ID: 'b' }])).toBe('{"ID":"a"}\n{"ID":"b"}\n');
    expect(renderJsonLines([])).toBe('');
    expect(shortId('0123456789abcdefghijklmno')).toBe('0123456789ab');
    expect(shortId('0123456789abcdefghijklmno', true)).toBe('0123456789abcdefghijklmno');
  });
});

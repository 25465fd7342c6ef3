// `swarm events`: its times, filters and output checked before anything streams.

import { formatEventLine, makeEvent, parseEventFilters, parseEventTime } from '../../lib/api/cluster-events';
import { eventsQuery, formatEventItem } from '../../lib/cli/commands/events';

const NOW = Date.parse('2026-12-03T17:30:00.000Z');

describe('--since / --until times, as docker takes them', () => {
  test.each([
    ['2026-12-03T17:00:00Z', Date.parse('2026-12-03T17:00:00Z')],
    ['2026-12-03T18:00:00+01:00', Date.parse('2026-12-03T17:00:00Z')],
    ['2026-12-03T17:00:00.250Z', Date.parse('2026-12-03T17:00:00.250Z')],
    ['2026-12-03T17:00:00', Date.parse('2026-12-03T17:00:00Z')],
    ['2026-12-03', Date.parse('2026-12-03T00:00:00Z')],
    ['1764781200', 1764781200_000],
    ['1764781200.5', 1764781200_500],
    ['10m', NOW - 600_000],
    ['1h30m', NOW - 5_400_000],
  ])('%s', (text, ms) => {
    expect(parseEventTime(text, NOW)).toBe(ms);
  });

  test.each(['yesterday', '10 minutes', '2026-13-45T00:00:00Z', '', '-5m'])('"%s" is refused with the forms that work', (text) => {
    expect(() => parseEventTime(text, NOW, '--since')).toThrow(/invalid --since .*RFC 3339.*Unix seconds.*10m/);
  });
});

describe('filters', () => {
  test('several values of a key are kept together', () => {
    expect(parseEventFilters(['type=service', 'type=node', 'event=update'])).toEqual({ type: ['service', 'node'], event: ['update'] });
  });

  test.each([
    ['colour=red', /invalid filter key "colour": use one of type, event, service/],
    ['type=container', /invalid filter type=container: use one of service, node, task, network, secret, config/],
    ['type', /bad filter "type": use key=value/],
    ['=web', /bad filter/],
    ['service=', /bad filter/],
  ])('%s is refused', (word, msg) => {
    expect(() => parseEventFilters([word])).toThrow(msg);
  });
});

describe('the request the command makes', () => {
  test('times go as Unix seconds read on this clock, filters one per parameter', () => {
    const q = eventsQuery({ since: '10m', until: '2026-12-03T17:40:00Z', filter: ['type=service', 'service=web'], format: 'json' }, NOW);
    expect(q.get('since')).toBe(((NOW - 600_000) / 1000).toFixed(3));
    expect(q.get('until')).toBe((Date.parse('2026-12-03T17:40:00Z') / 1000).toFixed(3));
    expect(q.getAll('filter')).toEqual(['type=service', 'service=web']);
  });

  test('bad input fails before any request, and --until before --since is refused', () => {
    expect(() => eventsQuery({ filter: ['nope=1'], format: 'text' }, NOW)).toThrow(/invalid filter key/);
    expect(() => eventsQuery({ since: 'soon', filter: [], format: 'text' }, NOW)).toThrow(/invalid --since "soon"/);
    expect(() => eventsQuery({ since: '1m', until: '5m', filter: [], format: 'text' }, NOW)).toThrow(/--until is before --since/);
  });
});

describe('output', () => {
  const ev = makeEvent('service', 'update', 'abc123', { 'replicas.old': '2', name: 'web', 'replicas.new': '3' }, Date.parse('2026-12-03T17:00:00.042Z'));

  test("docker's text line: nanosecond time, type, action, id and the attributes sorted", () => {
    expect(formatEventLine(ev)).toBe('2026-12-03T17:00:00.042000000Z service update abc123 (name=web, replicas.new=3, replicas.old=2)');
    expect(formatEventLine(makeEvent('network', 'create', 'n1', {}, 0))).toBe('1970-01-01T00:00:00.000000000Z network create n1');
  });

  test('json is one object per line in docker\'s keys; a gap is a warning on stderr', () => {
    const { out } = formatEventItem(ev, 'json');
    expect(out?.endsWith('\n')).toBe(true);
    expect(JSON.parse(out!)).toEqual({
      Type: 'service',
      Action: 'update',
      Actor: { ID: 'abc123', Attributes: { name: 'web', 'replicas.old': '2', 'replicas.new': '3' } },
      scope: 'swarm',
      time: 1796317200,
      timeNano: 1796317200042000000,
    });
    expect(formatEventItem({ gap: 'missed some' }, 'text')).toEqual({ err: 'warning: missed some\n' });
  });
});

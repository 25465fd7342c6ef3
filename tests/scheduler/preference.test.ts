import { parsePreference, parseSpread } from '../../lib/scheduler';

describe('parsePreference', () => {
  test('turns docker\'s "spread=KEY" into the stored form', () => {
    expect(parsePreference('spread=node.labels.zone')).toEqual({ spread: 'node.labels.zone' });
    expect(parsePreference(' spread = engine.labels.rack ')).toEqual({ spread: 'engine.labels.rack' });
    expect(parsePreference('spread=node.hostname')).toEqual({ spread: 'node.hostname' });
    expect(parsePreference('spread=node.platform.arch')).toEqual({ spread: 'node.platform.arch' });
  });

  test.each([
    ['node.labels.zone', 'expected spread=KEY'],
    ['binpack=node.labels.zone', 'unsupported strategy "binpack" (only spread is supported)'],
    ['Spread=node.labels.zone', 'unsupported strategy "Spread"'],
    ['spread=', 'missing key after spread='],
    ['spread=node.foo', 'unknown key "node.foo"'],
    ['spread=zone', 'unknown key "zone"'],
    ['spread=node.labels.', '"node.labels." names no label'],
    ['spread=node.labels.zone=east', 'label name "zone=east" is invalid'],
  ])('refuses %j: %s', (expr, why) => {
    expect(() => parsePreference(expr)).toThrow(`invalid placement preference "${expr}": ${why}`);
  });
});

describe('parseSpread', () => {
  test('reads a stored descriptor', () => {
    expect(parseSpread('node.labels.zone')).toEqual({ descriptor: 'node.labels.zone', key: { kind: 'nodeLabel', label: 'zone' } });
  });

  test('refuses one the CLI would have refused', () => {
    expect(() => parseSpread('node.foo')).toThrow('invalid placement preference "spread=node.foo": unknown key "node.foo"');
  });
});

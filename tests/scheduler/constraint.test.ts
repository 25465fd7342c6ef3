import { matchesConstraint, parseConstraint, parseConstraints } from '../../lib/scheduler';
import { node } from './fixtures';

describe('parseConstraint', () => {
  test('reads key, operator and value, trimming spaces around them', () => {
    const c = parseConstraint(' node.labels.zone  ==  East ');
    expect(c.key).toEqual({ kind: 'nodeLabel', label: 'zone' });
    expect(c.op).toBe('==');
    expect(c.value).toBe('East');
    expect(parseConstraint('node.role!=manager')).toMatchObject({ key: { kind: 'role' }, op: '!=', value: 'manager' });
  });

  test('knows every key docker documents, the fixed part in any case', () => {
    expect(parseConstraint('node.id==abc').key).toEqual({ kind: 'id' });
    expect(parseConstraint('NODE.HOSTNAME==h1').key).toEqual({ kind: 'hostname' });
    expect(parseConstraint('node.role==worker').key).toEqual({ kind: 'role' });
    expect(parseConstraint('node.platform.os==linux').key).toEqual({ kind: 'os' });
    expect(parseConstraint('node.Platform.Arch==x86_64').key).toEqual({ kind: 'arch' });
    expect(parseConstraint('engine.labels.storage==ssd').key).toEqual({ kind: 'engineLabel', label: 'storage' });
  });

  test('keeps the case of a label name: labels are case-sensitive', () => {
    expect(parseConstraint('Node.Labels.Zone==east').key).toEqual({ kind: 'nodeLabel', label: 'Zone' });
  });

  test.each([
    ['node.labels.zone=east', 'expected KEY==VALUE or KEY!=VALUE'],
    ['node.labels.zone', 'expected KEY==VALUE or KEY!=VALUE'],
    ['node.foo==bar', 'unknown key "node.foo"'],
    ['zone==east', 'unknown key "zone"'],
    ['node.ip==10.0.0.1', 'unknown key "node.ip"'],
    ['==east', 'missing key'],
    ['node.role==', 'missing value'],
    ['node.role==  ', 'missing value'],
    ['node.labels.==east', '"node.labels." names no label'],
    ['node.labels.a b==east', 'label name "a b" is invalid'],
    ['node.labels.zone===east', 'value "=east" is invalid'],
    ['node.labels.zone==a!=b', 'value "a!=b" is invalid'],
    ['node.labels.zone==<east>', 'value "<east>" is invalid'],
  ])('refuses %j: %s', (expr, why) => {
    expect(() => parseConstraint(expr)).toThrow(`invalid constraint "${expr}": ${why}`);
  });

  test('splits at the first operator, whichever it is', () => {
    // "!=" comes first, so the value "a==b" is what is wrong, not the key.
    expect(() => parseConstraint('node.role!=a==b')).toThrow('value "a==b" is invalid');
  });

  test('parseConstraints stops at the first bad expression', () => {
    expect(parseConstraints(['node.role==worker', 'node.labels.zone==east'])).toHaveLength(2);
    expect(() => parseConstraints(['node.role==worker', 'bogus'])).toThrow('invalid constraint "bogus"');
  });
});

describe('matching a node', () => {
  const n = node('n1', {
    hostname: 'Web-1',
    role: 'manager',
    os: 'linux',
    arch: 'aarch64',
    labels: { zone: 'East', Tier: 'front' },
    engineLabels: { disk: 'ssd' },
  });
  const matches = (expr: string): boolean => matchesConstraint(n, parseConstraint(expr));

  test('compares values without regard to case', () => {
    expect(matches('node.labels.zone==east')).toBe(true);
    expect(matches('node.labels.zone==EAST')).toBe(true);
    expect(matches('node.labels.zone!=east')).toBe(false);
    expect(matches('node.hostname==web-1')).toBe(true);
  });

  test('reads each key from its own field', () => {
    expect(matches('node.id==N1')).toBe(true);
    expect(matches('node.role==manager')).toBe(true);
    expect(matches('node.role==worker')).toBe(false);
    expect(matches('node.platform.os==linux')).toBe(true);
    expect(matches('node.platform.arch==aarch64')).toBe(true);
    expect(matches('node.platform.arch!=x86_64')).toBe(true);
    expect(matches('engine.labels.disk==ssd')).toBe(true);
    expect(matches('node.labels.disk==ssd')).toBe(false);
    expect(matches('engine.labels.zone==east')).toBe(false);
  });

  test('a missing label reads as the empty string: == fails, != holds', () => {
    expect(matches('node.labels.rack==r1')).toBe(false);
    expect(matches('node.labels.rack!=r1')).toBe(true);
    // Label names are case-sensitive: "tier" is not "Tier".
    expect(matches('node.labels.tier==front')).toBe(false);
    expect(matches('node.labels.Tier==front')).toBe(true);
  });

  test('an inherited property name is not a label', () => {
    expect(matches('node.labels.constructor!=x')).toBe(true);
    expect(matches('node.labels.toString==x')).toBe(false);
  });
});

import { mergeEnv, parseEnvFlag, readEnvFile, removeEnv } from '../../../lib/cli/service-flags/env';
import { parseLabel, parseLabels, updateLabels } from '../../../lib/cli/service-flags/labels';
import { fakeContext } from './helpers';

describe('-e/--env', () => {
  const ctx = fakeContext({}, { HOME: '/home/me', EMPTY: '' });
  test('KEY=VALUE is kept as given, = and all', () => {
    expect(parseEnvFlag('env', 'A=b=c', ctx)).toBe('A=b=c');
    expect(parseEnvFlag('env', 'A=', ctx)).toBe('A=');
  });
  test("KEY alone takes the caller's value, or stays bare when the caller has none", () => {
    expect(parseEnvFlag('env', 'HOME', ctx)).toBe('HOME=/home/me');
    expect(parseEnvFlag('env', 'EMPTY', ctx)).toBe('EMPTY=');
    expect(parseEnvFlag('env', 'UNSET', ctx)).toBe('UNSET');
  });
  test('an empty name is refused', () => {
    expect(() => parseEnvFlag('env', '=x', ctx)).toThrow(
      'invalid argument "=x" for "--env" flag: invalid environment variable: the name is empty',
    );
  });
});

describe('--env-file', () => {
  const files = {
    'app.env': '\uFEFF# settings\nA=1\n\n   B=two words\r\nHOME\nUNSET\n  # indented comment\nC=\n',
    'bad.env': 'OK=1\nMY VAR=1\n',
    'noname.env': '=1\n',
  };
  const ctx = fakeContext(files, { HOME: '/root' });
  test('comments and blank lines skipped, leading blanks trimmed, bare names looked up or dropped', () => {
    expect(readEnvFile('env-file', 'app.env', ctx)).toEqual(['A=1', 'B=two words', 'HOME=/root', 'C=']);
  });
  test('errors name the file and the line', () => {
    expect(() => readEnvFile('env-file', 'bad.env', ctx)).toThrow(
      `invalid argument "bad.env" for "--env-file" flag: line 2: variable 'MY VAR' contains whitespaces`,
    );
    expect(() => readEnvFile('env-file', 'noname.env', ctx)).toThrow("line 1: no variable name on line '=1'");
    expect(() => readEnvFile('env-file', 'missing.env', ctx)).toThrow(
      'invalid argument "missing.env" for "--env-file" flag: no such file',
    );
  });
});

test('merging replaces a variable in place and removing goes by name', () => {
  expect(mergeEnv(['A=1', 'B=2'], ['B=3', 'C=4', 'A=1'])).toEqual(['A=1', 'B=3', 'C=4']);
  expect(removeEnv(['A=1', 'B=2', 'C'], ['B', 'C=ignored-value'])).toEqual(['A=1']);
});

describe('labels', () => {
  test('key=value, key alone, later wins', () => {
    expect(parseLabel('label', 'a=b=c')).toEqual(['a', 'b=c']);
    expect(parseLabel('label', 'flag')).toEqual(['flag', '']);
    expect(parseLabel('label', '  lead=x')).toEqual(['lead', 'x']);
    expect(parseLabels('label', ['a=1', 'a=2', 'b'])).toEqual({ a: '2', b: '' });
    expect(parseLabels('label', undefined)).toEqual({});
  });
  test.each([
    ['=x', 'invalid label: empty name'],
    ['a b=x', "label 'a b' contains whitespaces"],
  ])('refuses %p', (text, why) => {
    expect(() => parseLabel('container-label', text)).toThrow(`invalid argument "${text}" for "--container-label" flag: ${why}`);
  });
  test('update removes first, then adds, and leaves the input alone', () => {
    const current = Object.freeze({ a: '1', b: '2' });
    expect(updateLabels(current, 'label-rm', ['a', 'zz'], 'label-add', ['a=3', 'c'])).toEqual({ a: '3', b: '2', c: '' });
    expect(current).toEqual({ a: '1', b: '2' });
  });
});

// The equality the task channel decides what to send with: JSON's, not JavaScript's.

import { jsonEqual } from '../../lib/manager/dispatcher/json-equal';

describe('jsonEqual', () => {
  it.each([
    ['key order ignored', { a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 }, true],
    ['an undefined field is an absent one', { a: 1, b: undefined }, { a: 1 }, true],
    ['an absent field is not a null one', { a: 1 }, { a: 1, b: null }, false],
    ['array order matters', [1, 2], [2, 1], false],
    ['an array is not an object with indexes', [1], { 0: 1 }, false],
    ['a field more on either side', { a: 1 }, { a: 1, b: 2 }, false],
    ['a nested difference', { a: { b: { c: 'x' } } }, { a: { b: { c: 'y' } } }, false],
    ['a string is not a number', { a: '1' }, { a: 1 }, false],
  ])('%s', (_what, a, b, equal) => {
    expect(jsonEqual(a, b)).toBe(equal);
    expect(jsonEqual(b, a)).toBe(equal);
  });

  it('skips the named top-level fields only', () => {
    const skip = (k: string) => k === 'status';
    expect(jsonEqual({ id: 1, status: 'a' }, { id: 1, status: 'b' }, skip)).toBe(true);
    expect(jsonEqual({ id: 1, status: 'a' }, { id: 1 }, skip)).toBe(true);
    expect(jsonEqual({ id: 1, spec: { status: 'a' } }, { id: 1, spec: { status: 'b' } }, skip)).toBe(false);
  });
});

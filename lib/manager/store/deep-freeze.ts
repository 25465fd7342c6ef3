// The store hands out its own objects instead of copies (reads are hot in the
// control loops), so they are frozen all the way down: a caller that tries to
// change one gets a TypeError in strict mode instead of silently corrupting
// the state every other manager agrees on.

import type { DeepReadonly } from '../../util/deep-readonly';

export type { DeepReadonly };

export function deepFreeze<T>(value: T): DeepReadonly<T> {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value as DeepReadonly<T>;
}

export type DeepMutable<T> = T extends readonly (infer U)[]
  ? DeepMutable<U>[]
  : T extends object
    ? { -readonly [K in keyof T]: DeepMutable<T[K]> }
    : T;

/** A mutable deep copy of a stored object, e.g. to edit and propose as an update. */
export function thaw<T>(value: T): DeepMutable<T> {
  return structuredClone(value) as DeepMutable<T>;
}

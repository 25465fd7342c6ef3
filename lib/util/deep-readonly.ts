// Read-only all the way down: what the store hands out (lib/manager/store/
// deep-freeze.ts freezes it so), and what the CLI renders from the control
// API's answers, which carry the same objects.

export type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

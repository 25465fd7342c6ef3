import { nodeValue, parseNodeKey, type NodeKey } from './node-key';
import type { SchedNode } from './types';

// Placement constraints, docker's syntax: KEY==VALUE or KEY!=VALUE, values
// compared case-insensitively, a missing label compared as "". The CLI parses
// with these functions before anything is stored, so a bad expression is
// refused at the door rather than leaving tasks pending forever.

export interface Constraint {
  /** The expression as written, for messages. */
  expr: string;
  key: NodeKey;
  op: '==' | '!=';
  value: string;
  /** value in lower case, compared against the node's value in lower case. */
  folded: string;
}

// Characters that are (or could become) operators have no place in a value:
// "zone==a==b" or "zone=>east" are mistakes, not values.
const BAD_VALUE_CHARS = /[=!<>~]/;

/** Parses one constraint; throws an Error naming the expression and what is wrong. */
export function parseConstraint(expr: string): Constraint {
  const fail = (why: string): never => {
    throw new Error(`invalid constraint "${expr}": ${why}`);
  };
  const eq = expr.indexOf('==');
  const ne = expr.indexOf('!=');
  if (eq < 0 && ne < 0) return fail('expected KEY==VALUE or KEY!=VALUE');
  // The first operator in the text splits it, whichever it is.
  const at = ne >= 0 && (eq < 0 || ne < eq) ? ne : eq;
  const op = at === ne ? '!=' : '==';
  const rawKey = expr.slice(0, at).trim();
  const value = expr.slice(at + 2).trim();
  if (rawKey === '') return fail('missing key before the operator');
  if (value === '') return fail('missing value after the operator');
  if (BAD_VALUE_CHARS.test(value)) return fail(`value "${value}" is invalid`);
  const key = parseNodeKey(rawKey);
  if (typeof key === 'string') return fail(key);
  return { expr, key, op, value, folded: value.toLowerCase() };
}

/** Parses every expression; throws on the first invalid one. */
export function parseConstraints(exprs: readonly string[]): Constraint[] {
  return exprs.map(parseConstraint);
}

export function matchesConstraint(node: SchedNode, c: Constraint): boolean {
  const equal = nodeValue(node, c.key).toLowerCase() === c.folded;
  return c.op === '==' ? equal : !equal;
}

export function matchesConstraints(node: SchedNode, cs: readonly Constraint[]): boolean {
  for (const c of cs) if (!matchesConstraint(node, c)) return false;
  return true;
}

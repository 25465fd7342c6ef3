import { parseNodeKey, type NodeKey } from './node-key';

// Placement preferences, docker's syntax: "spread=node.labels.zone". Only the
// spread strategy exists (as in docker); it may name any key a constraint can.

export interface Spread {
  /** As stored, e.g. "node.labels.zone". */
  descriptor: string;
  key: NodeKey;
}

/** Parses a stored spread descriptor ("node.labels.zone"); throws on an unknown key. */
export function parseSpread(descriptor: string): Spread {
  const key = parseNodeKey(descriptor.trim());
  if (typeof key === 'string') throw new Error(`invalid placement preference "spread=${descriptor}": ${key}`);
  return { descriptor: descriptor.trim(), key };
}

/**
 * Parses the command-line form "spread=KEY" into the stored form. Throws an
 * Error naming the expression when the strategy or the key is not supported.
 */
export function parsePreference(expr: string): { spread: string } {
  const at = expr.indexOf('=');
  if (at < 0) throw new Error(`invalid placement preference "${expr}": expected spread=KEY`);
  const strategy = expr.slice(0, at).trim();
  if (strategy !== 'spread') {
    throw new Error(`invalid placement preference "${expr}": unsupported strategy "${strategy}" (only spread is supported)`);
  }
  const descriptor = expr.slice(at + 1).trim();
  if (descriptor === '') throw new Error(`invalid placement preference "${expr}": missing key after spread=`);
  const key = parseNodeKey(descriptor);
  if (typeof key === 'string') throw new Error(`invalid placement preference "${expr}": ${key}`);
  return { spread: descriptor };
}

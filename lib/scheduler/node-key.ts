import type { SchedNode } from './types';

// The node attributes that constraints and spread preferences may name. One
// parser for both, so `--constraint` and `--placement-pref` accept the same
// keys and read a node the same way.

export type NodeKey =
  | { kind: 'id' | 'hostname' | 'role' | 'os' | 'arch' }
  | { kind: 'nodeLabel' | 'engineLabel'; label: string };

const FIXED_KEYS: Record<string, NodeKey> = {
  'node.id': { kind: 'id' },
  'node.hostname': { kind: 'hostname' },
  'node.role': { kind: 'role' },
  'node.platform.os': { kind: 'os' },
  'node.platform.arch': { kind: 'arch' },
};

const NODE_LABEL_PREFIX = 'node.labels.';
const ENGINE_LABEL_PREFIX = 'engine.labels.';

export const KNOWN_KEYS = `${Object.keys(FIXED_KEYS).join(', ')}, ${NODE_LABEL_PREFIX}<label>, ${ENGINE_LABEL_PREFIX}<label>`;

// Label names are free-form in docker, but characters that read as an operator
// or a separator would make the expression ambiguous.
const LABEL_NAME = /^[^\s=!<>~,]+$/;

/**
 * Parses "node.labels.zone", "node.hostname", ... The fixed part is matched
 * case-insensitively (as swarmkit does); a label's own name keeps its case,
 * because labels are case-sensitive. Returns an error message instead of
 * throwing so each caller can say what kind of expression was wrong.
 */
export function parseNodeKey(raw: string): NodeKey | string {
  const lower = raw.toLowerCase();
  const fixed = FIXED_KEYS[lower];
  if (fixed !== undefined) return fixed;
  for (const [prefix, kind] of [
    [NODE_LABEL_PREFIX, 'nodeLabel'],
    [ENGINE_LABEL_PREFIX, 'engineLabel'],
  ] as const) {
    if (!lower.startsWith(prefix)) continue;
    const label = raw.slice(prefix.length);
    if (label === '') return `"${raw}" names no label`;
    if (!LABEL_NAME.test(label)) return `label name "${label}" is invalid`;
    return { kind, label };
  }
  return `unknown key "${raw}" (known: ${KNOWN_KEYS})`;
}

/** The node's value for a key; a missing label reads as the empty string. */
export function nodeValue(node: SchedNode, key: NodeKey): string {
  switch (key.kind) {
    case 'id':
      return node.id;
    case 'hostname':
      return node.hostname;
    case 'role':
      return node.role;
    case 'os':
      return node.os;
    case 'arch':
      return node.arch;
    case 'nodeLabel':
      return Object.prototype.hasOwnProperty.call(node.labels, key.label) ? node.labels[key.label] : '';
    case 'engineLabel':
      return Object.prototype.hasOwnProperty.call(node.engineLabels, key.label) ? node.engineLabels[key.label] : '';
  }
}

import * as yaml from 'js-yaml';
import type { ComposeIssue } from '../errors';
import { dictFrom, isDict } from '../plain';
import { FrameRecorder, PositionIndex } from './positions';
import { COMPOSE_YAML_SCHEMA } from './scalar-schema';

// One compose file from text to plain data with a position index. Anchors
// are expanded into copies here, so nothing later shares or mutates a node
// that two places point at. Aliases make small text stand for huge data
// ("billion laughs") or even a loop; both are refused with a clear message
// before anything walks the data.

/** How many nodes a file may expand to through aliases. */
export const MAX_EXPANDED_NODES = 1_000_000;

export interface ParsedFile {
  path: string;
  value: unknown;
  positions: PositionIndex;
}

export type ParseResult = { ok: true; file: ParsedFile } | { ok: false; issue: ComposeIssue };

export function parseYamlFile(path: string, content: string): ParseResult {
  const recorder = new FrameRecorder();
  let value: unknown;
  try {
    value = yaml.load(content, { schema: COMPOSE_YAML_SCHEMA, filename: path, listener: recorder.listener });
  } catch (e) {
    if (e instanceof yaml.YAMLException) {
      const mark = e.mark as yaml.Mark | undefined;
      return {
        ok: false,
        issue: { file: path, path: '', line: (mark?.line ?? 0) + 1, column: (mark?.column ?? 0) + 1, message: e.reason || e.message },
      };
    }
    return { ok: false, issue: { file: path, path: '', line: 1, column: 1, message: e instanceof Error ? e.message : String(e) } };
  }
  const positions = new PositionIndex(recorder.input || content, recorder.root());
  const problem = checkExpansion(value);
  if (problem !== undefined) {
    return { ok: false, issue: { file: path, path: '', line: 1, column: 1, message: problem } };
  }
  return { ok: true, file: { path, value: copyTree(value), positions } };
}

/** Refuses alias loops and documents that alias into more than MAX_EXPANDED_NODES nodes. */
function checkExpansion(root: unknown): string | undefined {
  const sizes = new Map<object, number>();
  const active = new Set<object>();
  let problem: string | undefined;
  const size = (v: unknown): number => {
    if (problem !== undefined || typeof v !== 'object' || v === null) return 1;
    const known = sizes.get(v);
    if (known !== undefined) return known;
    if (active.has(v)) {
      problem = 'an alias refers to a node that contains it: the document would be infinite';
      return 1;
    }
    active.add(v);
    let n = 1;
    const children = Array.isArray(v) ? v : Object.values(v);
    for (const c of children) {
      n += size(c);
      if (n > MAX_EXPANDED_NODES) break;
    }
    active.delete(v);
    sizes.set(v, n);
    return n;
  };
  const total = size(root);
  if (problem !== undefined) return problem;
  if (total > MAX_EXPANDED_NODES) {
    return `the document expands to more than ${MAX_EXPANDED_NODES} values through aliases`;
  }
  return undefined;
}

function copyTree(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(copyTree);
  if (isDict(v)) return dictFrom(Object.entries(v).map(([k, c]) => [k, copyTree(c)] as const));
  return v;
}

import type { PathSegment, SourcePosition } from '../errors';

// Where each value of a parsed file is written. js-yaml has no source map,
// but its loader calls a listener when it starts and ends each node; the
// frames those calls leave form a tree that mirrors the document. Keys and
// values of a mapping come as consecutive frames, aliases point back to the
// frame that defined their anchor, and `<<` merges are followed to their
// sources, so a path such as services.web.deploy.replicas finds the line and
// column even when the value came through an anchor.
//
// The matching is tolerant: wherever the frames do not line up as expected
// (explicit `? key` entries, empty list items) the lookup stops at the
// nearest ancestor it is sure of. A position is always returned.

/** What the listener reads from js-yaml's loader state (fields it does not type). */
interface LoaderState {
  input: string;
  position: number;
  kind: string | null;
  result: unknown;
  tag: string | null;
}

export interface Frame {
  /** Offset where the loader began this node (before any leading blanks). */
  open: number;
  /** Offset after the node. */
  end: number;
  kind: 'mapping' | 'sequence' | 'scalar' | null;
  result: unknown;
  tag: string | null;
  children: Frame[];
}

const MERGE_TAG = 'tag:yaml.org,2002:merge';

/** Collects frames through js-yaml's `listener` option. */
export class FrameRecorder {
  input = '';
  private readonly stack: Frame[] = [{ open: 0, end: 0, kind: null, result: null, tag: null, children: [] }];

  readonly listener = (event: 'open' | 'close', raw: unknown): void => {
    const state = raw as LoaderState;
    if (event === 'open') {
      this.input = state.input;
      this.stack.push({ open: state.position, end: state.position, kind: null, result: null, tag: null, children: [] });
      return;
    }
    const frame = this.stack.pop();
    if (!frame || this.stack.length === 0) return;
    frame.end = state.position;
    frame.kind = state.kind === 'mapping' || state.kind === 'sequence' || state.kind === 'scalar' ? state.kind : null;
    frame.result = state.result;
    frame.tag = state.tag;
    this.stack[this.stack.length - 1].children.push(frame);
  };

  /** The document's node, once loading succeeded. */
  root(): Frame | undefined {
    const top = this.stack[0].children;
    return top[top.length - 1];
  }
}

interface Entry {
  key: Frame;
  value: Frame | null;
}

interface MappingIndex {
  entries: Map<string, Entry>;
  /** Frames given to `<<`, in order: the first one that has a key wins, as in js-yaml. */
  merges: Frame[];
}

/** Positions of the values of one parsed file. */
export class PositionIndex {
  private readonly lineStarts: number[] = [0];
  private readonly anchors = new Map<object, Frame>();
  private readonly mappings = new WeakMap<Frame, MappingIndex>();

  constructor(
    private readonly input: string,
    private readonly root: Frame | undefined,
  ) {
    for (let i = 0; i < input.length; i++) if (input.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
    if (root) this.registerObjects(root);
  }

  /** Line and column of an offset. */
  at(offset: number): SourcePosition {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.lineStarts[lo] + 1 };
  }

  /** Where the value at `path` is written, or its nearest written ancestor. */
  position(path: readonly PathSegment[]): SourcePosition {
    const found = this.walk(path);
    return this.at(found.offset);
  }

  /**
   * Where the key of the last segment is written (for "this key is not
   * allowed"); for a list item, where the item is.
   */
  keyPosition(path: readonly PathSegment[]): SourcePosition {
    const found = this.walk(path);
    return this.at(found.keyOffset ?? found.offset);
  }

  /** Whether the whole path exists in the written document. */
  has(path: readonly PathSegment[]): boolean {
    return this.walk(path).complete;
  }

  private walk(path: readonly PathSegment[]): { offset: number; keyOffset?: number; complete: boolean } {
    if (!this.root) return { offset: 0, complete: false };
    let frame = this.resolve(this.root);
    let offset = this.start(frame);
    let keyOffset: number | undefined;
    for (const seg of path) {
      if (typeof seg === 'string' && frame.kind === 'mapping') {
        const entry = this.lookup(frame, seg, 0);
        if (!entry) return { offset, keyOffset, complete: false };
        keyOffset = this.start(entry.key);
        if (!entry.value || this.isEmpty(entry.value)) {
          // `key:` with nothing after it: the key is the best place to show.
          return { offset: keyOffset, keyOffset, complete: seg === path[path.length - 1] };
        }
        frame = this.resolve(entry.value);
        offset = this.start(frame);
      } else if (typeof seg === 'number' && frame.kind === 'sequence') {
        const item = this.item(frame, seg);
        if (!item) return { offset, keyOffset, complete: false };
        frame = this.resolve(item);
        offset = this.start(frame);
        keyOffset = offset;
      } else {
        return { offset, keyOffset, complete: false };
      }
    }
    return { offset, keyOffset, complete: true };
  }

  /** The first character of a node's content: past blanks, line breaks and comments. */
  private start(frame: Frame): number {
    const s = this.input;
    let i = frame.open;
    while (i < s.length) {
      const c = s[i];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
        i++;
      } else if (c === '#' && (i === 0 || /\s/.test(s[i - 1]))) {
        while (i < s.length && s[i] !== '\n') i++;
      } else {
        break;
      }
    }
    return Math.min(i, Math.max(frame.end, frame.open));
  }

  /** Skips `&anchor` and `!tag` properties (and the blanks after them) from `at`. */
  private afterProperties(at: number): number {
    const s = this.input;
    let i = at;
    while (s[i] === '&' || s[i] === '!') {
      while (i < s.length && !/\s/.test(s[i])) i++;
      while (i < s.length && /\s/.test(s[i])) i++;
    }
    return i;
  }

  private isAlias(frame: Frame): boolean {
    return frame.kind === null && this.input[this.start(frame)] === '*';
  }

  private isEmpty(frame: Frame): boolean {
    return frame.kind === null && !this.isAlias(frame);
  }

  /** Follows an alias to its anchor and steps into wrappers around the same node. */
  private resolve(frame: Frame): Frame {
    let f = frame;
    if (this.isAlias(f) && typeof f.result === 'object' && f.result !== null) {
      const target = this.anchors.get(f.result);
      if (target) f = target;
    }
    for (let guard = 0; guard < 1000; guard++) {
      const only = f.children.length === 1 ? f.children[0] : undefined;
      if (only && only.result === f.result && only.kind === f.kind && f.kind !== 'scalar') f = only;
      else break;
    }
    return f;
  }

  /** Remembers, for each mapping or list object, the innermost frame that made it. */
  private registerObjects(root: Frame): void {
    const todo: Frame[] = [root];
    const order: Frame[] = [];
    while (todo.length > 0) {
      const f = todo.pop() as Frame;
      order.push(f);
      for (const c of f.children) todo.push(c);
    }
    // Children before parents: the innermost frame of an object wins.
    for (let i = order.length - 1; i >= 0; i--) {
      const f = order[i];
      if ((f.kind === 'mapping' || f.kind === 'sequence') && typeof f.result === 'object' && f.result !== null) {
        if (!this.anchors.has(f.result)) this.anchors.set(f.result, f);
      }
    }
  }

  private lookup(frame: Frame, key: string, depth: number): Entry | undefined {
    if (depth > 50) return undefined;
    const index = this.mappingIndex(frame);
    const direct = index.entries.get(key);
    if (direct) return direct;
    for (const m of index.merges) {
      const sources = this.resolve(m);
      const targets =
        sources.kind === 'sequence' ? sources.children.map((c) => this.resolve(c)) : [sources];
      for (const t of targets) {
        if (t.kind !== 'mapping') continue;
        const found = this.lookup(t, key, depth + 1);
        if (found) return found;
      }
    }
    return undefined;
  }

  private mappingIndex(frame: Frame): MappingIndex {
    const cached = this.mappings.get(frame);
    if (cached) return cached;
    const index: MappingIndex = { entries: new Map(), merges: [] };
    const flow = this.input[this.afterProperties(this.start(frame))] === '{';
    const kids = frame.children;
    for (let i = 0; i < kids.length; ) {
      const key = kids[i];
      const colon = this.colonAfter(key, flow);
      if (colon < 0 || (key.kind !== 'scalar' && !this.isAlias(key) && key.kind !== null)) {
        i++;
        continue;
      }
      const next = kids[i + 1];
      const isValue = next !== undefined && (flow ? next.open > colon : next.open === colon + 1);
      const entry: Entry = { key, value: isValue ? next : null };
      i += isValue ? 2 : 1;
      if (key.tag === MERGE_TAG) {
        if (entry.value) index.merges.push(entry.value);
        continue;
      }
      const name = typeof key.result === 'string' ? key.result : String(key.result);
      if (!index.entries.has(name)) index.entries.set(name, entry);
    }
    this.mappings.set(frame, index);
    return index;
  }

  /** Offset of the ':' that follows a key, or -1. */
  private colonAfter(key: Frame, flow: boolean): number {
    const s = this.input;
    let i = key.end;
    while (i < s.length) {
      const c = s[i];
      if (c === ' ' || c === '\t' || (flow && (c === '\n' || c === '\r'))) i++;
      else if (flow && c === '#') while (i < s.length && s[i] !== '\n') i++;
      else break;
    }
    return s[i] === ':' ? i : -1;
  }

  private item(frame: Frame, index: number): Frame | undefined {
    const items = Array.isArray(frame.result) ? frame.result : [];
    // One frame per item unless some items were empty (`- ` alone), which
    // leave no frame: then only a full match is trusted.
    if (frame.children.length !== items.length) return undefined;
    return frame.children[index];
  }
}

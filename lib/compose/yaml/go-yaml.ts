import { goFormatG } from '../plain';

// A YAML writer that prints what `docker stack config` prints: docker
// marshalled the stack with Go's yaml.v2 (until docker 28 moved to yaml.v3,
// which indents lists differently), so this follows yaml.v2's encoder and
// emitter (libyaml's): two-space indentation with list dashes at their
// key's column, map keys in Go's "natural" order, strings quoted only when
// they would otherwise read as something else (then "double quoted"), or
// 'single quoted' when they cannot be plain, long plain lines folded past
// column 80, multi-line strings as `|` blocks, empty maps and lists as {}
// and [].

export type YNode =
  | { kind: 'map'; entries: [string, YNode][] }
  | { kind: 'seq'; items: YNode[] }
  | { kind: 'str'; value: string }
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number; bits: 32 | 64 }
  | { kind: 'bool'; value: boolean }
  | { kind: 'null' };

export const Y = {
  str: (value: string): YNode => ({ kind: 'str', value }),
  int: (value: number): YNode => ({ kind: 'int', value }),
  float: (value: number, bits: 32 | 64 = 64): YNode => ({ kind: 'float', value, bits }),
  bool: (value: boolean): YNode => ({ kind: 'bool', value }),
  null: (): YNode => ({ kind: 'null' }),
  seq: (items: YNode[]): YNode => ({ kind: 'seq', items }),
  /** A struct: keys in the order given. */
  struct: (entries: [string, YNode][]): YNode => ({ kind: 'map', entries }),
  /** A Go map: keys sorted as yaml.v2 sorts them. */
  map: (entries: [string, YNode][]): YNode => ({ kind: 'map', entries: [...entries].sort((a, b) => goKeyCompare(a[0], b[0])) }),
};

const isLetter = (c: string) => /\p{L}/u.test(c);
const isDigit = (c: string) => /\p{Nd}/u.test(c);

/** yaml.v2's keyList.Less for string keys: digit runs compare as numbers. */
export function goKeyLess(a: string, b: string): boolean {
  const ar = [...a];
  const br = [...b];
  let digits = false;
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) {
      digits = isDigit(ar[i]);
      continue;
    }
    const al = isLetter(ar[i]);
    const bl = isLetter(br[i]);
    if (al && bl) return ar[i] < br[i];
    if (al || bl) return digits ? al : bl;
    let an = 0;
    let bn = 0;
    if (ar[i] === '0' || br[i] === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]); j--) {
        if (ar[j] !== '0') {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && isDigit(ar[ai]); ai++) an = an * 10 + (ar[ai].charCodeAt(0) - 48);
    let bi = i;
    for (; bi < br.length && isDigit(br[bi]); bi++) bn = bn * 10 + (br[bi].charCodeAt(0) - 48);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ar[i] < br[i];
  }
  return ar.length < br.length;
}

export function goKeyCompare(a: string, b: string): number {
  return goKeyLess(a, b) ? -1 : goKeyLess(b, a) ? 1 : 0;
}

// ---- what a plain string would read as (yaml.v2's resolve) ----

const RESOLVE_MAP = new Set([
  'y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON',
  'n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF',
  '', '~', 'null', 'Null', 'NULL',
  '.nan', '.NaN', '.NAN', '.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF',
  '<<',
]);

function isTimestamp(s: string): boolean {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:([Tt ])(\d{1,2}):(\d{1,2}):(\d{1,2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?)?$/.exec(s);
  if (!m) return false;
  if (m[4] !== undefined && (m[4] === ' ') === (m[9] !== undefined)) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > new Date(Date.UTC(y, mo, 0)).getUTCDate()) return false;
  if (m[4] !== undefined && (Number(m[5]) > 23 || Number(m[6]) > 59 || Number(m[7]) > 59)) return false;
  return true;
}

function isGoInt(plain: string): boolean {
  return /^[+-]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.test(plain);
}

/** Whether yaml.v2 would read the plain text as something other than a string. */
function resolvesToNonString(s: string): boolean {
  if (RESOLVE_MAP.has(s)) return true;
  const c = s[0];
  if (c === '.') return /^\.[0-9]+(?:[eE][-+]?[0-9]+)?$/.test(s);
  if (c !== undefined && /[0-9+-]/.test(c)) {
    if (isTimestamp(s)) return true;
    const plain = s.replace(/_/g, '');
    if (isGoInt(plain)) return true;
    if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/.test(plain)) return true;
    if (/^-?0b[01]+$/.test(plain)) return true;
  }
  return false;
}

const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

// ---- libyaml's scalar analysis ----

const isSpace = (c: string | undefined) => c === ' ';
const isBreak = (c: string | undefined) => c === '\r' || c === '\n' || c === '\u0085' || c === '\u2028' || c === '\u2029';
const isBlank = (c: string | undefined) => c === ' ' || c === '\t';
const isBlankz = (c: string | undefined) => c === undefined || isBlank(c) || isBreak(c);

function isPrintable(c: string): boolean {
  const cp = c.codePointAt(0) ?? 0;
  return (
    cp === 0x0a ||
    (cp >= 0x20 && cp <= 0x7e) ||
    (cp >= 0xa0 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff)
  );
}

interface Analysis {
  multiline: boolean;
  flowPlain: boolean;
  blockPlain: boolean;
  singleQuoted: boolean;
  block: boolean;
}

function analyze(value: string): Analysis {
  if (value === '') return { multiline: false, flowPlain: false, blockPlain: true, singleQuoted: true, block: false };
  const chars = [...value];
  let blockIndicators = false;
  let flowIndicators = false;
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  if (value.startsWith('---') || value.startsWith('...')) {
    blockIndicators = true;
    flowIndicators = true;
  }
  let precededByWhitespace = true;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    const followedByWhitespace = i + 1 >= chars.length || isBlank(chars[i + 1]) || isBreak(chars[i + 1]);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(c)) {
        flowIndicators = true;
        blockIndicators = true;
      } else if (c === '?' || c === ':') {
        flowIndicators = true;
        if (followedByWhitespace) blockIndicators = true;
      } else if (c === '-' && followedByWhitespace) {
        flowIndicators = true;
        blockIndicators = true;
      }
    } else if (',?[]{}'.includes(c)) {
      flowIndicators = true;
    } else if (c === ':') {
      flowIndicators = true;
      if (followedByWhitespace) blockIndicators = true;
    } else if (c === '#' && precededByWhitespace) {
      flowIndicators = true;
      blockIndicators = true;
    }
    if (!isPrintable(c)) special = true;
    if (isSpace(c)) {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === chars.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlankz(c);
  }
  const a: Analysis = { multiline: lineBreaks, flowPlain: true, blockPlain: true, singleQuoted: true, block: true };
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) {
    a.flowPlain = false;
    a.blockPlain = false;
  }
  if (trailingSpace) a.block = false;
  if (breakSpace) {
    a.flowPlain = false;
    a.blockPlain = false;
    a.singleQuoted = false;
  }
  if (spaceBreak || special) {
    a.flowPlain = false;
    a.blockPlain = false;
    a.singleQuoted = false;
    a.block = false;
  }
  if (lineBreaks) {
    a.flowPlain = false;
    a.blockPlain = false;
  }
  if (flowIndicators) a.flowPlain = false;
  if (blockIndicators) a.blockPlain = false;
  return a;
}

type Style = 'plain' | 'single' | 'double' | 'literal';

// ---- the emitter ----

const BEST_INDENT = 2;
const BEST_WIDTH = 80;

class Emitter {
  out = '';
  column = 0;
  indent = -1;
  whitespace = true;
  indention = true;
  private readonly indents: number[] = [];

  private put(s: string): void {
    this.out += s;
    this.column += [...s].length;
  }

  private putBreak(): void {
    this.out += '\n';
    this.column = 0;
  }

  private increaseIndent(flow: boolean, indentless: boolean): void {
    this.indents.push(this.indent);
    if (this.indent < 0) this.indent = flow ? BEST_INDENT : 0;
    else if (!indentless) this.indent += BEST_INDENT;
  }

  private decreaseIndent(): void {
    this.indent = this.indents.pop() ?? -1;
  }

  private writeIndent(): void {
    const indent = Math.max(this.indent, 0);
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.putBreak();
    while (this.column < indent) this.put(' ');
    this.whitespace = true;
    this.indention = true;
  }

  private writeIndicator(indicator: string, needWhitespace: boolean, isWhitespace: boolean, isIndention: boolean): void {
    if (needWhitespace && !this.whitespace) this.put(' ');
    this.put(indicator);
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }

  node(n: YNode, ctx: { mapping: boolean; simpleKey: boolean; root?: boolean }): void {
    switch (n.kind) {
      case 'map':
        if (n.entries.length === 0) return this.emptyFlow('{', '}');
        return this.blockMapping(n.entries);
      case 'seq':
        if (n.items.length === 0) return this.emptyFlow('[', ']');
        return this.blockSequence(n.items, ctx.mapping);
      case 'str':
        return this.scalar(n.value, this.stringStyle(n.value), ctx.simpleKey);
      case 'int':
        return this.scalar(String(n.value), 'plain', ctx.simpleKey);
      case 'float':
        return this.scalar(formatFloat(n.value, n.bits), 'plain', ctx.simpleKey);
      case 'bool':
        return this.scalar(n.value ? 'true' : 'false', 'plain', ctx.simpleKey);
      case 'null':
        return this.scalar('null', 'plain', ctx.simpleKey);
    }
  }

  /** yaml.v2's encoder choice for a Go string. */
  private stringStyle(s: string): Style {
    if (s.includes('\n')) return 'literal';
    return resolvesToNonString(s) || BASE60_FLOAT.test(s) ? 'double' : 'plain';
  }

  private emptyFlow(open: string, close: string): void {
    this.writeIndicator(open, true, true, false);
    this.increaseIndent(true, false);
    this.decreaseIndent();
    this.writeIndicator(close, false, false, false);
  }

  private blockMapping(entries: [string, YNode][]): void {
    this.increaseIndent(false, false);
    for (const [key, value] of entries) {
      this.writeIndent();
      this.node({ kind: 'str', value: key }, { mapping: true, simpleKey: true });
      this.writeIndicator(':', false, false, false);
      this.node(value, { mapping: true, simpleKey: false });
    }
    this.decreaseIndent();
  }

  private blockSequence(items: YNode[], mappingContext: boolean): void {
    this.increaseIndent(false, mappingContext && !this.indention);
    for (const item of items) {
      this.writeIndent();
      this.writeIndicator('-', true, false, true);
      this.node(item, { mapping: false, simpleKey: false });
    }
    this.decreaseIndent();
  }

  private scalar(value: string, requested: Style, simpleKey: boolean): void {
    const a = analyze(value);
    let style = requested;
    if (simpleKey && a.multiline) style = 'double';
    if (style === 'plain') {
      if (!a.blockPlain || (value === '' && simpleKey)) style = 'single';
    }
    if (style === 'single' && !a.singleQuoted) style = 'double';
    if (style === 'literal' && (!a.block || simpleKey)) style = 'double';
    this.increaseIndent(true, false);
    const breaks = !simpleKey;
    if (style === 'plain') this.writePlain(value, breaks);
    else if (style === 'single') this.writeSingle(value, breaks);
    else if (style === 'double') this.writeDouble(value, breaks);
    else this.writeLiteral(value);
    this.decreaseIndent();
  }

  private writePlain(value: string, allowBreaks: boolean): void {
    if (!this.whitespace) this.put(' ');
    const chars = [...value];
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i];
      if (isSpace(c)) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && !isSpace(chars[i + 1])) this.writeIndent();
        else this.put(c);
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === '\n') this.putBreak();
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.put(c);
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    this.whitespace = false;
    this.indention = false;
  }

  private writeBreak(c: string): void {
    if (c === '\n') this.putBreak();
    else {
      this.out += c;
      this.column = 0;
    }
  }

  private writeSingle(value: string, allowBreaks: boolean): void {
    this.writeIndicator("'", true, false, false);
    const chars = [...value];
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i];
      if (isSpace(c)) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i > 0 && i < chars.length - 1 && !isSpace(chars[i + 1])) {
          this.writeIndent();
        } else this.put(c);
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === '\n') this.putBreak();
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        if (c === "'") this.put("'");
        this.put(c);
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    this.writeIndicator("'", false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private writeDouble(value: string, allowBreaks: boolean): void {
    this.writeIndicator('"', true, false, false);
    const chars = [...value];
    let spaces = false;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i];
      const cp = c.codePointAt(0) ?? 0;
      if (!isPrintable(c) || cp === 0xfeff || isBreak(c) || c === '"' || c === '\\') {
        this.put(`\\${escapeFor(cp)}`);
        spaces = false;
      } else if (isSpace(c)) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i > 0 && i < chars.length - 1) {
          this.writeIndent();
          if (isSpace(chars[i + 1])) this.put('\\');
        } else this.put(c);
        spaces = true;
      } else {
        this.put(c);
        spaces = false;
      }
    }
    this.writeIndicator('"', false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private writeLiteral(value: string): void {
    this.writeIndicator('|', true, false, false);
    const chars = [...value];
    if (isSpace(chars[0]) || isBreak(chars[0])) this.writeIndicator(String(BEST_INDENT), false, false, false);
    const last = chars[chars.length - 1];
    let chomp = '';
    if (!isBreak(last)) chomp = '-';
    else if (chars.length === 1 || isBreak(chars[chars.length - 2])) chomp = '+';
    if (chomp) this.writeIndicator(chomp, false, false, false);
    this.putBreak();
    this.indention = true;
    this.whitespace = true;
    let breaks = true;
    for (const c of chars) {
      if (isBreak(c)) {
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.put(c);
        this.indention = false;
        breaks = false;
      }
    }
  }
}

function escapeFor(cp: number): string {
  const simple: Record<number, string> = {
    0x00: '0', 0x07: 'a', 0x08: 'b', 0x09: 't', 0x0a: 'n', 0x0b: 'v', 0x0c: 'f', 0x0d: 'r', 0x1b: 'e',
    0x22: '"', 0x5c: '\\', 0x85: 'N', 0xa0: '_', 0x2028: 'L', 0x2029: 'P',
  };
  if (simple[cp] !== undefined) return simple[cp];
  const hex = cp.toString(16).toUpperCase();
  if (cp <= 0xff) return `x${hex.padStart(2, '0')}`;
  if (cp <= 0xffff) return `u${hex.padStart(4, '0')}`;
  return `U${hex.padStart(8, '0')}`;
}

function formatFloat(v: number, bits: 32 | 64): string {
  if (Number.isNaN(v)) return '.nan';
  if (v === Infinity) return '.inf';
  if (v === -Infinity) return '-.inf';
  return goFormatG(v, bits);
}

/** The document as yaml.v2 marshals it, ending with a line break. */
export function emitYaml(root: YNode): string {
  const e = new Emitter();
  e.node(root, { mapping: false, simpleKey: false, root: true });
  // The document end writes one last indent: a line break.
  return e.out.endsWith('\n') ? e.out : `${e.out}\n`;
}

// Variable substitution in one string, as docker's compose loader does it
// (cli/compose/template): `$$` is a literal `$`; `$VAR` and `${VAR}` take the
// value (empty when unset); `${VAR:-default}` when unset or empty,
// `${VAR-default}` when unset; `${VAR:?message}` and `${VAR?message}` fail
// when unset (or empty, with the colon). Docker's pattern is kept as is:
//
//   \$(?i:(\$)|([_a-z][_a-z0-9]*(?::?[-?][^}]*)?)|{([_a-z][_a-z0-9]*(?::?[-?][^}]*)?)}|())
//
// so a default runs to the first `}` and is taken literally: a bcrypt hash
// such as `${PASS:-$2y$05$abc}` is the default `$2y$05$abc`, unexpanded. A
// `$` that starts none of these forms is an error, as in docker.
//
// Two deliberate differences:
//  - a default that itself contains `${` is read up to its matching brace
//    and substituted in turn, so `${A:-${B:-x}}` works (docker would take
//    `${B:-x` literally and leave a stray `}`);
//  - the operator is the one right after the name. Docker tries `:-`, `-`,
//    `:?`, `?` anywhere in the expression in that order, so a message with a
//    dash, `${VAR?not-set}`, silently became the default "set}"-style value
//    instead of an error.

export type Lookup = (name: string) => string | undefined;

export class TemplateError extends Error {
  constructor(
    message: string,
    /** The variable a required-variable error is about. */
    readonly variable?: string,
  ) {
    super(message);
  }
}

const NAME = /^[_a-zA-Z][_a-zA-Z0-9]*/;

interface Expression {
  name: string;
  op: '' | ':-' | '-' | ':?' | '?';
  arg: string;
  /** The default contains `${` and is itself a template. */
  nested: boolean;
  /** Index just past the expression. */
  end: number;
}

/** Reads the operator after a name at `i`; returns it and the index after it. */
function readOp(s: string, i: number): [Expression['op'], number] {
  if (s[i] === ':' && (s[i + 1] === '-' || s[i + 1] === '?')) return [s[i + 1] === '-' ? ':-' : ':?', i + 2];
  if (s[i] === '-' || s[i] === '?') return [s[i] as '-' | '?', i + 1];
  return ['', i];
}

/** Index of the `}` closing a nested default that starts at `from`, or -1. */
function matchingBrace(s: string, from: number): number {
  let depth = 1;
  for (let k = from; k < s.length; k++) {
    if (s[k] === '$' && s[k + 1] === '$') k++;
    else if (s[k] === '$' && s[k + 1] === '{') {
      depth++;
      k++;
    } else if (s[k] === '}') {
      depth--;
      if (depth === 0) return k;
    }
  }
  return -1;
}

/** Parses the expression after a `$` at index `dollar`; undefined when it is not one. */
function parseExpression(s: string, dollar: number): Expression | undefined {
  const braced = s[dollar + 1] === '{';
  const nameAt = dollar + (braced ? 2 : 1);
  const m = NAME.exec(s.slice(nameAt));
  if (!m) return undefined;
  const name = m[0];
  const [op, argAt] = readOp(s, nameAt + name.length);
  const firstBrace = s.indexOf('}', argAt);
  if (!braced) {
    // Docker's unbraced form also takes an operator and runs to the first `}`.
    if (op === '') return { name, op, arg: '', nested: false, end: argAt };
    const end = firstBrace < 0 ? s.length : firstBrace;
    return { name, op, arg: s.slice(argAt, end), nested: false, end };
  }
  if (op === '') return s[argAt] === '}' ? { name, op, arg: '', nested: false, end: argAt + 1 } : undefined;
  if (firstBrace < 0) return undefined;
  const literal = s.slice(argAt, firstBrace);
  if (literal.includes('${')) {
    const close = matchingBrace(s, argAt);
    if (close >= 0) return { name, op, arg: s.slice(argAt, close), nested: true, end: close + 1 };
  }
  return { name, op, arg: literal, nested: false, end: firstBrace + 1 };
}

function evaluate(e: Expression, lookup: Lookup, depth: number): string {
  const value = lookup(e.name);
  const fallback = () => (e.nested ? substituteAt(e.arg, lookup, depth + 1) : e.arg);
  switch (e.op) {
    case '':
      return value ?? '';
    case ':-':
      return value === undefined || value === '' ? fallback() : value;
    case '-':
      return value === undefined ? fallback() : value;
    case ':?':
    case '?':
      if (value === undefined || (e.op === ':?' && value === '')) {
        throw new TemplateError(`required variable ${e.name} is missing a value: ${e.arg}`, e.name);
      }
      return value;
  }
}

function substituteAt(template: string, lookup: Lookup, depth: number): string {
  if (depth > 20) throw new TemplateError(`invalid interpolation format: defaults nested too deeply in "${template}"`);
  let out = '';
  let i = 0;
  while (i < template.length) {
    const at = template.indexOf('$', i);
    if (at < 0) {
      out += template.slice(i);
      break;
    }
    out += template.slice(i, at);
    if (template[at + 1] === '$') {
      out += '$';
      i = at + 2;
      continue;
    }
    const e = parseExpression(template, at);
    if (!e) {
      throw new TemplateError(`invalid interpolation format: "${template}"; you may need to escape any $ with another $`);
    }
    out += evaluate(e, lookup, depth);
    i = e.end;
  }
  return out;
}

/** Substitutes every variable in `template`; throws TemplateError. */
export function substitute(template: string, lookup: Lookup): string {
  return substituteAt(template, lookup, 0);
}

/** Names of the variables a template reads without a default or requirement (to warn when unset). */
export function plainVariables(template: string): string[] {
  const names: string[] = [];
  let i = template.indexOf('$');
  while (i >= 0) {
    if (template[i + 1] === '$') {
      i = template.indexOf('$', i + 2);
      continue;
    }
    const e = parseExpression(template, i);
    if (e && e.op === '') names.push(e.name);
    // A default is not read as variables: docker takes it literally.
    i = template.indexOf('$', e ? e.end : i + 1);
  }
  return names;
}

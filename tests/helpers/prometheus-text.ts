// A strict reader of Prometheus' text exposition format (0.0.4), as a
// Prometheus server reads a scrape: a line it would reject fails the test,
// and every sample must belong to a family declared by a TYPE line.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  help: Map<string, string>;
  types: Map<string, string>;
  samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})?\\s+(\\S+)(?:\\s+(-?\\d+))?$`);
const LABEL = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function unescape(s: string): string {
  return s.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));
}

function parseValue(v: string, line: string): number {
  // As Go's ParseFloat, which Prometheus uses: Inf and NaN in any case.
  const lower = v.toLowerCase();
  if (lower === '+inf' || lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  if (lower === 'nan') return NaN;
  const n = Number(v);
  if (v === '' || Number.isNaN(n)) throw new Error(`bad sample value in ${JSON.stringify(line)}`);
  return n;
}

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest.trim() !== '') {
    const m = LABEL.exec(rest);
    if (!m) throw new Error(`bad labels in ${JSON.stringify(line)}`);
    if (m[1] in labels) throw new Error(`label ${m[1]} twice in ${JSON.stringify(line)}`);
    labels[m[1]] = unescape(m[2]);
    rest = rest.slice(m[0].length);
  }
  return labels;
}

/** The family a sample belongs to: a histogram's _bucket/_sum/_count, a summary's _sum/_count. */
function familyOf(name: string, types: Map<string, string>): string | undefined {
  if (types.has(name)) return name;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!name.endsWith(suffix)) continue;
    const base = name.slice(0, -suffix.length);
    const t = types.get(base);
    if (t === 'histogram' || (t === 'summary' && suffix !== '_bucket')) return base;
  }
  return undefined;
}

export function parseExposition(text: string): Exposition {
  const exp: Exposition = { help: new Map(), types: new Map(), samples: [] };
  if (!text.endsWith('\n')) throw new Error('an exposition ends with a newline');
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const m = new RegExp(`^# (HELP|TYPE) (${NAME}) (.*)$`).exec(line);
      if (!m) continue; // a plain comment
      if (m[1] === 'HELP') {
        if (exp.help.has(m[2])) throw new Error(`HELP for ${m[2]} twice`);
        exp.help.set(m[2], unescape(m[3]));
      } else {
        if (!TYPES.has(m[3])) throw new Error(`unknown type in ${JSON.stringify(line)}`);
        if (exp.types.has(m[2])) throw new Error(`TYPE for ${m[2]} twice`);
        exp.types.set(m[2], m[3]);
      }
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
    if (!familyOf(m[1], exp.types)) throw new Error(`sample ${m[1]} comes before (or without) its TYPE line`);
    exp.samples.push({ name: m[1], labels: parseLabels(m[2] ?? '', line), value: parseValue(m[3], line) });
  }
  return exp;
}

/** The value of the one sample with exactly these labels; undefined if there is none. */
export function sampleValue(exp: Exposition, name: string, labels: Record<string, string>): number | undefined {
  const want = JSON.stringify(Object.entries(labels).sort());
  const found = exp.samples.filter((s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === want);
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} with labels ${want}`);
  return found[0]?.value;
}

import type { PathSegment } from '../errors';
import { dictFrom, isDict } from '../plain';
import { type Lookup, TemplateError, plainVariables, substitute } from './template';

// Interpolation of a whole parsed file, before it is validated (as docker
// does): every string value, never a key. Values that the schema wants as a
// number or a boolean are converted when a variable made them, so
// `replicas: ${REPLICAS:-2}` is the integer 2 (docker's
// interpolateTypeCastMapping, the same paths).

export interface InterpolationProblem {
  path: PathSegment[];
  message: string;
  variable?: string;
}

type Cast = (text: string) => unknown;

/** strconv.Atoi */
const toInt: Cast = (t) => {
  if (!/^[+-]?[0-9]+$/.test(t) || !Number.isSafeInteger(Number(t))) throw new Error(`"${t}" is not an integer`);
  return Number(t);
};

/** strconv.ParseFloat */
const toFloat: Cast = (t) => {
  if (!/^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(t)) throw new Error(`"${t}" is not a number`);
  return Number(t);
};

/** yaml.org/type/bool */
const toBool: Cast = (t) => {
  const l = t.toLowerCase();
  if (['y', 'yes', 'true', 'on'].includes(l)) return true;
  if (['n', 'no', 'false', 'off'].includes(l)) return false;
  throw new Error(`invalid boolean: ${t}`);
};

// '*' is any key, '[]' any list item.
const CASTS: [string[], Cast][] = [
  [['services', '*', 'configs', '[]', 'mode'], toInt],
  [['services', '*', 'secrets', '[]', 'mode'], toInt],
  [['services', '*', 'healthcheck', 'retries'], toInt],
  [['services', '*', 'healthcheck', 'disable'], toBool],
  [['services', '*', 'deploy', 'replicas'], toInt],
  [['services', '*', 'deploy', 'update_config', 'parallelism'], toInt],
  [['services', '*', 'deploy', 'update_config', 'max_failure_ratio'], toFloat],
  [['services', '*', 'deploy', 'rollback_config', 'parallelism'], toInt],
  [['services', '*', 'deploy', 'rollback_config', 'max_failure_ratio'], toFloat],
  [['services', '*', 'deploy', 'restart_policy', 'max_attempts'], toInt],
  [['services', '*', 'deploy', 'placement', 'max_replicas_per_node'], toInt],
  [['services', '*', 'ports', '[]', 'target'], toInt],
  [['services', '*', 'ports', '[]', 'published'], toInt],
  [['services', '*', 'ulimits', '*'], toInt],
  [['services', '*', 'ulimits', '*', 'hard'], toInt],
  [['services', '*', 'ulimits', '*', 'soft'], toInt],
  [['services', '*', 'privileged'], toBool],
  [['services', '*', 'oom_score_adj'], toInt],
  [['services', '*', 'read_only'], toBool],
  [['services', '*', 'stdin_open'], toBool],
  [['services', '*', 'tty'], toBool],
  [['services', '*', 'volumes', '[]', 'read_only'], toBool],
  [['services', '*', 'volumes', '[]', 'volume', 'nocopy'], toBool],
  [['networks', '*', 'external'], toBool],
  [['networks', '*', 'internal'], toBool],
  [['networks', '*', 'attachable'], toBool],
  [['volumes', '*', 'external'], toBool],
  [['secrets', '*', 'external'], toBool],
  [['configs', '*', 'external'], toBool],
];

function castFor(path: readonly PathSegment[]): Cast | undefined {
  for (const [pattern, cast] of CASTS) {
    if (pattern.length !== path.length) continue;
    const match = pattern.every((p, i) =>
      p === '*' ? typeof path[i] === 'string' : p === '[]' ? typeof path[i] === 'number' : p === path[i],
    );
    if (match) return cast;
  }
  return undefined;
}

export interface InterpolationResult {
  value: unknown;
  problems: InterpolationProblem[];
  /** Variables read bare (`$X`, `${X}`) that were not set: they became "". */
  unset: Set<string>;
}

/** Interpolates every string in a parsed file; collects every problem. */
export function interpolateDocument(doc: unknown, lookup: Lookup): InterpolationResult {
  const problems: InterpolationProblem[] = [];
  const unset = new Set<string>();
  const walk = (v: unknown, path: PathSegment[]): unknown => {
    if (typeof v === 'string') {
      if (!v.includes('$')) return v;
      let out: string;
      try {
        out = substitute(v, lookup);
      } catch (e) {
        if (e instanceof TemplateError) problems.push({ path, message: e.message, variable: e.variable });
        else throw e;
        return v;
      }
      for (const name of plainVariables(v)) if (lookup(name) === undefined) unset.add(name);
      if (out === v) return v;
      const cast = castFor(path);
      if (!cast) return out;
      try {
        return cast(out);
      } catch (e) {
        problems.push({ path, message: `failed to cast to expected type: ${(e as Error).message}` });
        return out;
      }
    }
    if (Array.isArray(v)) return v.map((item, i) => walk(item, [...path, i]));
    if (isDict(v)) return dictFrom(Object.entries(v).map(([k, c]) => [k, walk(c, [...path, k])] as const));
    return v;
  };
  return { value: walk(doc, []), problems, unset };
}

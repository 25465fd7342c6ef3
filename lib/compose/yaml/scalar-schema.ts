import * as yaml from 'js-yaml';

// Plain scalars read as docker's YAML library (Go's yaml) reads them, so a
// file means here what it means to `docker stack deploy`:
//   - integers as Go's strconv.ParseInt with base 0 after dropping "_":
//     "0555" is octal 365 (a config's `mode: 0555`), "0x1F" hex, "0b101";
//   - no timestamps: `2024-01-01` stays the string docker passes on;
//   - booleans only true/false (yes/no/on/off stay strings), nulls as YAML 1.2;
//   - `<<` merge keys.

const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

/** Go's strconv.ParseInt(s, 0, 64), falling back to ParseUint; undefined when neither parses. */
export function goParseInt(s: string): number | undefined {
  const m = /^([+-]?)(?:0([xX])([0-9a-fA-F]+)|0([oO])([0-7]+)|0([bB])([01]+)|(0[0-7]*)|([1-9][0-9]*))$/.exec(s);
  if (!m) return undefined;
  let n: bigint;
  if (m[2]) n = BigInt(`0x${m[3]}`);
  else if (m[4]) n = BigInt(`0o${m[5]}`);
  else if (m[6]) n = BigInt(`0b${m[7]}`);
  else if (m[8] !== undefined) n = m[8].length > 1 ? BigInt(`0o${m[8].slice(1)}`) : 0n;
  else n = BigInt(m[9]);
  if (m[1] === '-') n = -n;
  if (n < INT64_MIN || n > UINT64_MAX || (m[1] !== '' && n > 2n ** 63n - 1n)) return undefined;
  return Number(n);
}

const goInt = new yaml.Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (data: string | null) => {
    if (data === null || !/^[0-9+-]/.test(data)) return false;
    return goParseInt(data.replace(/_/g, '')) !== undefined;
  },
  construct: (data: string) => goParseInt(data.replace(/_/g, '')),
  predicate: (v: object) => typeof v === 'number' && Number.isInteger(v),
});

const nullType = new yaml.Type('tag:yaml.org,2002:null', {
  kind: 'scalar',
  resolve: (data: string | null) => data === null || ['', '~', 'null', 'Null', 'NULL'].includes(data),
  construct: () => null,
  predicate: (v: object) => v === null,
});

const boolType = new yaml.Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (data: string | null) => data !== null && ['true', 'True', 'TRUE', 'false', 'False', 'FALSE'].includes(data),
  construct: (data: string) => data === 'true' || data === 'True' || data === 'TRUE',
  predicate: (v: object) => typeof v === 'boolean',
});

// Go's yaml: "1.5", "1e3", ".5", ".inf", ".nan" (after the integers failed).
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const SPECIAL_FLOATS: Record<string, number> = {
  '.nan': NaN,
  '.NaN': NaN,
  '.NAN': NaN,
  '.inf': Infinity,
  '.Inf': Infinity,
  '.INF': Infinity,
  '+.inf': Infinity,
  '+.Inf': Infinity,
  '+.INF': Infinity,
  '-.inf': -Infinity,
  '-.Inf': -Infinity,
  '-.INF': -Infinity,
};

const floatType = new yaml.Type('tag:yaml.org,2002:float', {
  kind: 'scalar',
  resolve: (data: string | null) => {
    if (data === null) return false;
    if (Object.prototype.hasOwnProperty.call(SPECIAL_FLOATS, data)) return true;
    const plain = /^[0-9+-]/.test(data) ? data.replace(/_/g, '') : data;
    return FLOAT.test(plain) && Number.isFinite(Number(plain));
  },
  construct: (data: string) => {
    if (Object.prototype.hasOwnProperty.call(SPECIAL_FLOATS, data)) return SPECIAL_FLOATS[data];
    return Number(/^[0-9+-]/.test(data) ? data.replace(/_/g, '') : data);
  },
  predicate: (v: object) => typeof v === 'number',
});

const mergeType = new yaml.Type('tag:yaml.org,2002:merge', {
  kind: 'scalar',
  resolve: (data: string | null) => data === '<<',
});

export const COMPOSE_YAML_SCHEMA = yaml.FAILSAFE_SCHEMA.extend({
  implicit: [nullType, boolType, goInt, floatType, mergeType],
});

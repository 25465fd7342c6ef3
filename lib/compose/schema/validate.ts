import Ajv04 from 'ajv-draft-04';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { PathSegment } from '../errors';
import { isDict } from '../plain';
import v3_0 from './data/config_schema_v3.0.json';
import v3_1 from './data/config_schema_v3.1.json';
import v3_2 from './data/config_schema_v3.2.json';
import v3_3 from './data/config_schema_v3.3.json';
import v3_4 from './data/config_schema_v3.4.json';
import v3_5 from './data/config_schema_v3.5.json';
import v3_6 from './data/config_schema_v3.6.json';
import v3_7 from './data/config_schema_v3.7.json';
import v3_8 from './data/config_schema_v3.8.json';
import v3_9 from './data/config_schema_v3.9.json';
import v3_10 from './data/config_schema_v3.10.json';
import v3_11 from './data/config_schema_v3.11.json';
import v3_12 from './data/config_schema_v3.12.json';
import v3_13 from './data/config_schema_v3.13.json';

// Validation against the schema `docker stack deploy` itself uses: docker
// CLI's compose file schemas, one per format version 3.0 to 3.13 (vendored
// in ./data, see README.md there), chosen by the file's `version` as docker
// chooses (none, or "3", means 3.13). The schemas are draft-04, so Ajv's
// draft-04 build runs them; the custom formats get docker's own checks
// (Go durations and port specs are checked when typing; "expose" is not
// checked, as in docker).
//
// One relaxation, on purpose: `deploy.resources.*.cpus` may be a number and
// `memory` an integer (docker's schema wants strings; the compose
// specification takes both, and `cpus: 0.5` is a common way to write it).
//
// Ajv reports every failed branch of a oneOf; the errors are reduced to the
// ones that say what is wrong, worded as docker words them.

export const DEFAULT_VERSION = '3.13';

const SCHEMAS: Record<string, object> = {
  '3.0': v3_0,
  '3.1': v3_1,
  '3.2': v3_2,
  '3.3': v3_3,
  '3.4': v3_4,
  '3.5': v3_5,
  '3.6': v3_6,
  '3.7': v3_7,
  '3.8': v3_8,
  '3.9': v3_9,
  '3.10': v3_10,
  '3.11': v3_11,
  '3.12': v3_12,
  '3.13': v3_13,
};

export const SUPPORTED_VERSIONS = Object.keys(SCHEMAS);

/** docker's normalizeVersion: no version, "" and "3" mean the latest 3.x. */
export function normalizeVersion(v: string): string {
  return v === '' || v === '3' ? DEFAULT_VERSION : v;
}

export function isSupportedVersion(v: string): boolean {
  return Object.prototype.hasOwnProperty.call(SCHEMAS, normalizeVersion(v));
}

let ajv: Ajv04 | undefined;
const compiled = new Map<string, ValidateFunction>();

function relax(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(relax);
  if (!isDict(schema)) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = relax(v);
  const props = out.properties;
  if (isDict(props)) {
    const cpus = props.cpus;
    if (isDict(cpus) && cpus.type === 'string') props.cpus = { ...cpus, type: ['string', 'number'] };
    const memory = props.memory;
    if (isDict(memory) && memory.type === 'string' && isDict(cpus)) props.memory = { ...memory, type: ['string', 'integer'] };
  }
  return out;
}

function validator(version: string): ValidateFunction {
  const v = normalizeVersion(version);
  const known = compiled.get(v);
  if (known) return known;
  if (!ajv) {
    ajv = new Ajv04({ allErrors: true, strict: false });
    // Durations and port specs are checked again when the file is typed,
    // with a message that says what is wrong ("invalid hostPort: 70000")
    // rather than the schema's "Does not match format 'ports'"; the schema
    // lets them through so that message is the one shown.
    ajv.addFormat('duration', { type: 'string', validate: () => true });
    ajv.addFormat('ports', { type: 'string', validate: () => true });
    ajv.addFormat('expose', { type: 'string', validate: () => true });
  }
  const fn = ajv.compile(relax(SCHEMAS[v]) as object);
  compiled.set(v, fn);
  return fn;
}

export interface SchemaProblem {
  /** The path the message is about (a mapping, for an unknown key in it). */
  path: PathSegment[];
  /** Where to point: the unknown key itself, the repeated item. */
  locate: PathSegment[];
  /** Point at the key of `locate`'s last segment rather than its value. */
  atKey: boolean;
  message: string;
}

function toPath(pointer: string, doc: unknown): PathSegment[] {
  if (pointer === '') return [];
  const out: PathSegment[] = [];
  let node = doc;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      out.push(Number(seg));
      node = node[Number(seg)];
    } else {
      out.push(seg);
      node = isDict(node) ? node[seg] : undefined;
    }
  }
  return out;
}

function humanType(t: string): string {
  return t === 'object' ? 'mapping' : t === 'array' ? 'list' : t;
}

function typeList(types: string[]): string {
  const names = [...new Set(types)].map(humanType);
  if (names.length === 1) return names[0];
  return `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

function typesOf(e: ErrorObject): string[] {
  const t = (e.params as { type?: string | string[] }).type;
  return Array.isArray(t) ? t : typeof t === 'string' ? t.split(',') : [];
}

function isUnder(path: string, ancestor: string): boolean {
  return path === ancestor || path.startsWith(`${ancestor}/`);
}

function describe(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'type':
      return `must be a ${typeList(typesOf(e))}`;
    case 'additionalProperties':
      return `Additional property ${String(p.additionalProperty)} is not allowed`;
    case 'required':
      return `${String(p.missingProperty)} is required`;
    case 'format':
      return `Does not match format '${String(p.format)}'`;
    case 'enum':
      return `must be one of the following: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'uniqueItems':
      return `array items[${Math.min(Number(p.i), Number(p.j))},${Math.max(Number(p.i), Number(p.j))}] must be unique`;
    case 'minimum':
      return `must be greater than or equal to ${String(p.limit)}`;
    default:
      return e.message ?? e.keyword;
  }
}

/** Validates one interpolated file against its version's schema; [] when valid. */
export function validateAgainstSchema(doc: unknown, version: string): SchemaProblem[] {
  const fn = validator(version);
  if (fn(doc)) return [];
  const errors = fn.errors ?? [];
  const choice = new Set(errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf').map((e) => e.instancePath));
  // A type error where a oneOf sits is only "this branch did not apply".
  const isBranchType = (e: ErrorObject) => e.keyword === 'type' && choice.has(e.instancePath);
  const real = errors.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf' && !isBranchType(e));

  const problems: SchemaProblem[] = [];
  const seen = new Set<string>();
  const add = (p: SchemaProblem) => {
    const key = `${p.path.join('\u0000')}|${p.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    problems.push(p);
  };
  // A oneOf that no branch's own error explains: none of the types matched.
  for (const at of choice) {
    if (real.some((e) => isUnder(e.instancePath, at))) continue;
    const types = errors.filter((e) => isBranchType(e) && e.instancePath === at).flatMap(typesOf);
    const path = toPath(at, doc);
    add({
      path,
      locate: path,
      atKey: false,
      message: types.length > 0 ? `must be a ${typeList(types)}` : 'does not match any of the allowed forms',
    });
  }
  for (const e of real) {
    const path = toPath(e.instancePath, doc);
    if (e.keyword === 'additionalProperties') {
      const prop = String((e.params as { additionalProperty: string }).additionalProperty);
      add({ path, locate: [...path, prop], atKey: true, message: describe(e) });
    } else if (e.keyword === 'uniqueItems') {
      const { i, j } = e.params as { i: number; j: number };
      add({ path, locate: [...path, Math.max(i, j)], atKey: false, message: describe(e) });
    } else {
      add({ path, locate: path, atKey: false, message: describe(e) });
    }
  }
  return problems;
}

// --mount and --mount-add values: `type=bind|volume,source=...,target=...`
// with docker's key names and aliases (src, dst/destination, ro). Like docker
// the type defaults to volume, a source starting with "." is made absolute,
// and readonly/ro alone means true. Docker's other mount kinds and options
// are refused by name rather than silently dropped.

import * as path from 'node:path';
import type { Mount } from '../../api/service-types';
import { splitCsvRecord } from './csv-fields';
import { flagError } from './errors';

const UNSUPPORTED_OPTIONS = new Set([
  'consistency',
  'bind-propagation',
  'bind-recursive',
  'bind-nonrecursive',
  'bind-create-src',
  'volume-subpath',
  'volume-nocopy',
  'volume-label',
  'volume-driver',
  'volume-opt',
  'image-subpath',
  'tmpfs-size',
  'tmpfs-mode',
]);

function parseBool(flag: string, value: string, key: string, text: string | undefined): boolean {
  if (text === undefined || text === '1' || text === 'true') return true;
  if (text === '0' || text === 'false') return false;
  throw flagError(flag, value, `invalid value for '${key}': ${text} (use true, 1, false or 0)`);
}

export function parseMount(flag: string, value: string, cwd: string): Mount {
  const trimmed = value.trim();
  if (trimmed === '') throw flagError(flag, value, 'value is empty');
  let fields: string[];
  try {
    fields = splitCsvRecord(trimmed);
  } catch (e) {
    throw flagError(flag, value, (e as Error).message);
  }
  let type = 'volume';
  let source = '';
  let target = '';
  let readOnly = false;
  for (const field of fields) {
    const eq = field.indexOf('=');
    const rawKey = eq < 0 ? field : field.slice(0, eq);
    const val = eq < 0 ? undefined : field.slice(eq + 1);
    if (rawKey.trim() !== rawKey) throw flagError(flag, value, `invalid option '${rawKey.trim()}' in '${field}': option should not have whitespace`);
    if (val !== undefined && val.trim() === '') throw flagError(flag, value, `invalid value for '${rawKey}': value is empty`);
    if (val !== undefined && val.trim() !== val) throw flagError(flag, value, `invalid value for '${rawKey}' in '${field}': value should not have whitespace`);
    const key = rawKey.toLowerCase();
    if (val === undefined && key !== 'readonly' && key !== 'ro') {
      throw flagError(flag, value, `invalid field '${field}' must be a key=value pair`);
    }
    switch (key) {
      case 'type':
        type = (val ?? '').toLowerCase();
        break;
      case 'source':
      case 'src':
        source = val ?? '';
        // docker turns "./data" into an absolute path on the client.
        if (!path.isAbsolute(source) && source.startsWith('.')) source = path.resolve(cwd, source);
        break;
      case 'target':
      case 'dst':
      case 'destination':
        target = val ?? '';
        break;
      case 'readonly':
      case 'ro':
        readOnly = parseBool(flag, value, key, val);
        break;
      default:
        if (UNSUPPORTED_OPTIONS.has(key)) throw flagError(flag, value, `option '${key}' is not supported`);
        throw flagError(flag, value, `unknown option '${key}' in '${field}'`);
    }
  }
  if (type === 'tmpfs' || type === 'npipe' || type === 'cluster' || type === 'image') {
    throw flagError(flag, value, `mount type '${type}' is not supported (use bind or volume)`);
  }
  if (type !== 'bind' && type !== 'volume') throw flagError(flag, value, `invalid mount type '${type}' (use bind or volume)`);
  const invalid = (why: string) => flagError(flag, value, `invalid mount config for type "${type}": ${why}`);
  if (target === '') throw invalid('field Target must not be empty');
  if (!path.posix.isAbsolute(target)) throw invalid(`invalid mount path: '${target}' mount path must be absolute`);
  if (type === 'bind') {
    if (source === '') throw invalid('field Source must not be empty');
    if (!path.posix.isAbsolute(source)) throw invalid(`invalid mount path: '${source}' mount path must be absolute`);
  } else if (source.includes('/')) {
    throw invalid(`volume name '${source}' may not contain '/' (use type=bind for a host path)`);
  }
  return { type, source, target, readOnly };
}

// --secret and --config values, as docker's SecretOpt/ConfigOpt read them:
// `NAME` alone, or `source=NAME,target=T,uid=U,gid=G,mode=M` (a CSV record;
// src is source's alias; mode in Go's base-0 notation, so 0400 is octal).
// The reference carries the name only; the manager puts in the id when the
// service is written. A secret's target is a file name under /run/secrets
// (or an absolute path); a config's defaults to /NAME.

import type { ConfigReference, FileTarget, SecretReference } from '../../api/secret-types';
import { splitCsvRecord } from './csv-fields';
import { flagError } from './errors';

type Kind = 'secret' | 'config';

/** Go's strconv.ParseUint(s, 0, 32): 0x, 0o, 0b and a leading 0 (octal) prefixes. */
function parseMode(flag: string, value: string, text: string): number {
  const m = /^0[xX]([0-9a-fA-F]+)$|^0[oO]?([0-7]+)$|^0[bB]([01]+)$|^([1-9][0-9]*|0)$/.exec(text);
  if (!m) throw flagError(flag, value, `invalid mode specified: ${JSON.stringify(text)} is not a number (e.g. 0400)`);
  const n = m[1] !== undefined ? parseInt(m[1], 16) : m[2] !== undefined ? parseInt(m[2], 8) : m[3] !== undefined ? parseInt(m[3], 2) : parseInt(m[4], 10);
  if (n > 0o777) throw flagError(flag, value, `invalid mode specified: ${text} sets more than the permission bits (at most 0777)`);
  return n;
}

function parseFileRef(flag: string, value: string, kind: Kind): { name: string; file: FileTarget } {
  if (value.trim() === '') throw flagError(flag, value, 'value is empty');
  let fields: string[];
  try {
    fields = splitCsvRecord(value);
  } catch (e) {
    throw flagError(flag, value, (e as Error).message);
  }
  const file: FileTarget = { name: '', uid: '0', gid: '0', mode: 0o444 };
  let name = '';
  if (fields.length === 1 && !fields[0].includes('=')) {
    name = fields[0];
  } else {
    for (const field of fields) {
      const eq = field.indexOf('=');
      if (eq <= 0) throw flagError(flag, value, `invalid field '${field}' must be a key=value pair`);
      const key = field.slice(0, eq).toLowerCase();
      const val = field.slice(eq + 1);
      switch (key) {
        case 'source':
        case 'src':
          name = val;
          break;
        case 'target':
          file.name = val;
          break;
        case 'uid':
        case 'gid':
          if (!/^[0-9]+$/.test(val)) throw flagError(flag, value, `${key} must be a numeric id (got ${JSON.stringify(val)})`);
          file[key] = val;
          break;
        case 'mode':
          file.mode = parseMode(flag, value, val);
          break;
        default:
          throw flagError(flag, value, `invalid field in ${kind} request: ${key}`);
      }
    }
  }
  if (name === '') throw flagError(flag, value, 'source is required');
  if (file.name === '') file.name = name;
  if (kind === 'config' && !file.name.startsWith('/')) file.name = `/${file.name}`;
  if (file.name.split('/').includes('..')) throw flagError(flag, value, `target ${file.name} may not contain ".."`);
  return { name, file };
}

export function parseSecretFlag(flag: string, value: string): SecretReference {
  const { name, file } = parseFileRef(flag, value, 'secret');
  return { secretId: '', secretName: name, file };
}

export function parseConfigFlag(flag: string, value: string): ConfigReference {
  const { name, file } = parseFileRef(flag, value, 'config');
  return { configId: '', configName: name, file };
}

/**
 * `service update --secret-rm/--secret-add` (and the config pair), as docker:
 * the references named in rm go (by name, or by id), then the added ones are
 * appended. A name in rm that the service does not use is an error, so a typo
 * is not taken for success.
 */
export function updateSecretRefs(current: readonly SecretReference[], rm: readonly string[] = [], add: readonly string[] = []): SecretReference[] {
  for (const r of rm) {
    if (!current.some((c) => c.secretName === r || c.secretId === r)) throw flagError('secret-rm', r, `the service does not use secret ${r}`);
  }
  const kept = current.filter((c) => !rm.includes(c.secretName) && !rm.includes(c.secretId));
  return [...kept.map((c) => structuredClone(c)), ...add.map((a) => parseSecretFlag('secret-add', a))];
}

export function updateConfigRefs(current: readonly ConfigReference[], rm: readonly string[] = [], add: readonly string[] = []): ConfigReference[] {
  for (const r of rm) {
    if (!current.some((c) => c.configName === r || c.configId === r)) throw flagError('config-rm', r, `the service does not use config ${r}`);
  }
  const kept = current.filter((c) => !rm.includes(c.configName) && !rm.includes(c.configId));
  return [...kept.map((c) => structuredClone(c)), ...add.map((a) => parseConfigFlag('config-add', a))];
}

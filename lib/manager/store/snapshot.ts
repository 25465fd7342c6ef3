// The store's snapshot for Raft compaction: a format byte, then canonical JSON
// (kinds in a fixed order, objects sorted by id, keys sorted), so two managers
// with the same state produce the same bytes whatever order they built it in.

import { KINDS, Kind, StoreObject } from '../../api/types';
import { canonicalJson } from './canonical-json';
import { deepFreeze } from './deep-freeze';
import { NAME_INDEX, Tables, newTables, tableOf, uniqueNameKey } from './kinds';
import { checkStoredObject } from './object-schemas';
import { isPlainObject } from './schema';

export const SNAPSHOT_FORMAT_JSON_V1 = 1;

export class SnapshotError extends Error {
  constructor(message: string) {
    super(`store snapshot: ${message}`);
    this.name = 'SnapshotError';
  }
}

export function encodeSnapshot(appliedIndex: number, tables: Tables): Uint8Array {
  const objects: Record<string, unknown[]> = {};
  for (const kind of KINDS) objects[kind] = tables[kind].all();
  const json = Buffer.from(canonicalJson({ appliedIndex, objects }), 'utf8');
  const out = new Uint8Array(json.length + 1);
  out[0] = SNAPSHOT_FORMAT_JSON_V1;
  out.set(json, 1);
  return out;
}

/**
 * Builds fresh tables from a snapshot, checking everything first. Throws a
 * SnapshotError when the bytes are not a snapshot of ours: unlike a bad entry,
 * a bad snapshot leaves no state to carry on with, and the caller's state is
 * left untouched.
 */
export function decodeSnapshot(data: Uint8Array): { appliedIndex: number; tables: Tables } {
  if (data.length === 0 || data[0] !== SNAPSHOT_FORMAT_JSON_V1) {
    throw new SnapshotError(`unknown format byte ${data.length === 0 ? 'none (empty)' : data[0]}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data.subarray(1)));
  } catch (e) {
    throw new SnapshotError(`not JSON: ${(e as Error).message}`);
  }
  if (!isPlainObject(value) || !isPlainObject(value.objects)) throw new SnapshotError('missing objects');
  const appliedIndex = value.appliedIndex;
  if (!Number.isSafeInteger(appliedIndex) || (appliedIndex as number) < 0) throw new SnapshotError('bad appliedIndex');
  const tables = newTables();
  for (const kind of Object.keys(value.objects)) {
    if (!(KINDS as readonly string[]).includes(kind)) throw new SnapshotError(`unknown kind ${JSON.stringify(kind)}`);
  }
  for (const kind of KINDS) {
    const list = value.objects[kind] ?? [];
    if (!Array.isArray(list)) throw new SnapshotError(`objects.${kind} must be an array`);
    list.forEach((obj: unknown, i: number) => {
      const err = checkStoredObject(kind, obj, `objects.${kind}[${i}]`);
      if (err) throw new SnapshotError(err);
      const o = obj as StoreObject;
      if (tables[kind].get(o.id)) throw new SnapshotError(`${kind} ${o.id} appears twice`);
      checkUniqueName(tables, kind, o);
      tableOf(tables, kind).put(deepFreeze(o));
    });
  }
  return { appliedIndex: appliedIndex as number, tables };
}

function checkUniqueName(tables: Tables, kind: Kind, o: StoreObject): void {
  const key = uniqueNameKey(kind, o);
  if (key === undefined) return;
  const other = tables[kind].idsBy(NAME_INDEX, key)[0];
  if (other !== undefined) throw new SnapshotError(`${kind} ${o.id} and ${other} share the name ${JSON.stringify(key)}`);
}

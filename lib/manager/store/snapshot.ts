// The store's snapshot for Raft compaction. Two managers with the same state
// produce the same bytes whatever order they built it in (kinds in a fixed
// order, objects sorted by id, keys sorted). Written in format 2 (one object
// per line, built in slices: snapshot-stream.ts); format 1 (one canonical JSON
// document) is still read, so a data dir from before loads.

import { KINDS, StoreObject } from '../../api/types';
import { canonicalJson } from './canonical-json';
import { deepFreeze } from './deep-freeze';
import { Tables, newTables, tableOf } from './kinds';
import { checkStoredObject } from './object-schemas';
import { isPlainObject } from './schema';
import { SnapshotError } from './snapshot-error';
import {
  SNAPSHOT_FORMAT_LINES_V2,
  SnapshotSlicing,
  captureView,
  checkUniqueName,
  decodeSteps,
  encodeSteps,
  joinChunks,
  runThrough,
} from './snapshot-stream';

export { SnapshotError };
export { SNAPSHOT_FORMAT_LINES_V2 };

/** The first format: kept readable, no longer written. */
export const SNAPSHOT_FORMAT_JSON_V1 = 1;

/** The whole snapshot at once (tests, small stores); MemoryStore.snapshotChunks() is the one that yields. */
export function encodeSnapshot(appliedIndex: number, tables: Tables): Uint8Array {
  return joinChunks(runThrough(encodeSteps(captureView(appliedIndex, tables))));
}

/** Format 1, as it was written: for tests that check old data dirs still load. */
export function encodeSnapshotV1(appliedIndex: number, tables: Tables): Uint8Array {
  const objects: Record<string, unknown[]> = {};
  for (const kind of KINDS) objects[kind] = tables[kind].all();
  const json = Buffer.from(canonicalJson({ appliedIndex, objects }), 'utf8');
  const out = new Uint8Array(json.length + 1);
  out[0] = SNAPSHOT_FORMAT_JSON_V1;
  out.set(json, 1);
  return out;
}

/** The decoding steps for either format (format 1 in one step: its JSON cannot be parsed in parts). */
export function* decodeSnapshotSteps(data: Uint8Array, slicing?: SnapshotSlicing): Generator<void, { appliedIndex: number; tables: Tables }> {
  if (data.length > 0 && data[0] === SNAPSHOT_FORMAT_LINES_V2) return yield* decodeSteps(data, slicing);
  return decodeV1(data);
}

/**
 * Builds fresh tables from a snapshot, checking everything first. Throws a
 * SnapshotError when the bytes are not a snapshot of ours: unlike a bad entry,
 * a bad snapshot leaves no state to carry on with, and the caller's state is
 * left untouched.
 */
export function decodeSnapshot(data: Uint8Array): { appliedIndex: number; tables: Tables } {
  return runThrough(decodeSnapshotSteps(data));
}

function decodeV1(data: Uint8Array): { appliedIndex: number; tables: Tables } {
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

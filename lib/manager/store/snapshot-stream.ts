// The store snapshot's second format, built and read in bounded slices so that
// a store of any size never holds the event loop for long and never needs one
// JSON string of the whole state (V8 caps strings at ~512 MiB; a million
// tasks are more than that).
//
//   u8  format (2)
//   a header line: canonical JSON {"appliedIndex":N,"counts":{kind:n,...},"format":2}
//   then, kind by kind in KINDS order, counts[kind] lines of one object each
//   (canonical JSON, ids ascending)
//
// Every line ends with "\n"; JSON.stringify escapes newlines inside strings,
// so a line is always exactly one value. Output is the same bytes whatever the
// slice size or chunk size: only where the work pauses changes.
//
// Both directions are generators that yield between slices: the sync drivers
// (snapshot(), restore()) run them through, the async ones give the event loop
// a turn at each yield.

import { KINDS, Kind, StoreObject } from '../../api/types';
import { canonicalJson } from './canonical-json';
import { deepFreeze, DeepReadonly } from './deep-freeze';
import { NAME_INDEX, Tables, newTables, tableOf, uniqueNameKey } from './kinds';
import { checkStoredObject } from './object-schemas';
import { isPlainObject } from './schema';
import { SnapshotError } from './snapshot-error';

export const SNAPSHOT_FORMAT_LINES_V2 = 2;

export interface SnapshotSlicing {
  /** Objects serialized, sorted or decoded between two yields. */
  sliceObjects?: number;
  /** Chunks are cut once they reach about this many bytes (a chunk ends on an object boundary). */
  chunkBytes?: number;
}

export const DEFAULT_SLICE_OBJECTS = 256;
/** The async driver runs steps until this much time has passed, then pauses. */
export const DEFAULT_SLICE_MS = 10;
export const DEFAULT_CHUNK_BYTES = 1024 * 1024;

type Obj = DeepReadonly<StoreObject>;

/** The references of every object, taken synchronously: objects are frozen and replaced on write, so this is the state at this instant. */
export interface StoreView {
  appliedIndex: number;
  objects: Record<Kind, Obj[]>;
}

export function captureView(appliedIndex: number, tables: Tables): StoreView {
  const objects = {} as Record<Kind, Obj[]>;
  for (const kind of KINDS) objects[kind] = Array.from(tableOf(tables, kind).values()) as Obj[];
  return { appliedIndex, objects };
}

const byId = (a: Obj, b: Obj): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Sorts `items` by id in place, pausing every `slice` element moves: sorted runs, then bottom-up merges. */
function* sortInSlices(items: Obj[], slice: number): Generator<void, Obj[]> {
  const n = items.length;
  for (let start = 0; start < n; start += slice) {
    const run = items.slice(start, start + slice).sort(byId);
    for (let i = 0; i < run.length; i++) items[start + i] = run[i];
    if (n > slice) yield;
  }
  let src = items;
  let dst = new Array<Obj>(n);
  let moved = 0;
  for (let width = slice; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      for (let k = lo; k < hi; k++) {
        dst[k] = i < mid && (j >= hi || src[i].id <= src[j].id) ? src[i++] : src[j++];
        if (++moved % slice === 0) yield;
      }
    }
    [src, dst] = [dst, src];
  }
  return src;
}

/** Produces the snapshot's bytes as chunks of about `chunkBytes`. */
export function* encodeSteps(view: StoreView, slicing: SnapshotSlicing = {}): Generator<void, Uint8Array[]> {
  const slice = Math.max(1, slicing.sliceObjects ?? DEFAULT_SLICE_OBJECTS);
  // Characters before a cut: a UTF-8 character is at most 3 bytes per UTF-16 unit.
  const cutChars = Math.max(1, Math.floor((slicing.chunkBytes ?? DEFAULT_CHUNK_BYTES) / 3));
  const chunks: Uint8Array[] = [];
  let pending: string[] = [];
  let pendingChars = 0;
  const flush = () => {
    if (pendingChars === 0) return;
    chunks.push(Buffer.from(pending.join(''), 'utf8'));
    pending = [];
    pendingChars = 0;
  };
  const add = (line: string) => {
    pending.push(line, '\n');
    pendingChars += line.length + 1;
    if (pendingChars >= cutChars) flush();
  };
  const counts: Record<string, number> = {};
  for (const kind of KINDS) counts[kind] = view.objects[kind].length;
  chunks.push(Uint8Array.of(SNAPSHOT_FORMAT_LINES_V2));
  add(canonicalJson({ appliedIndex: view.appliedIndex, counts, format: SNAPSHOT_FORMAT_LINES_V2 }));
  let done = 0;
  for (const kind of KINDS) {
    const sorted = yield* sortInSlices(view.objects[kind], slice);
    for (const obj of sorted) {
      add(canonicalJson(obj));
      if (++done % slice === 0) yield;
    }
  }
  flush();
  return chunks;
}

/** Builds fresh tables from format-2 bytes, checking everything; throws SnapshotError and builds nothing usable on bad input. */
export function* decodeSteps(data: Uint8Array, slicing: SnapshotSlicing = {}): Generator<void, { appliedIndex: number; tables: Tables }> {
  const slice = Math.max(1, slicing.sliceObjects ?? DEFAULT_SLICE_OBJECTS);
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let pos = 1;
  let lineNo = 0;
  const nextLine = (): unknown => {
    lineNo++;
    const end = buf.indexOf(0x0a, pos);
    if (end < 0) throw new SnapshotError(`line ${lineNo}: ${pos >= buf.length ? 'missing (truncated snapshot)' : 'not terminated (truncated snapshot)'}`);
    let text: string;
    try {
      text = utf8.decode(buf.subarray(pos, end));
    } catch {
      throw new SnapshotError(`line ${lineNo}: not UTF-8`);
    }
    pos = end + 1;
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new SnapshotError(`line ${lineNo}: not JSON: ${(e as Error).message}`);
    }
  };
  const header = nextLine();
  if (!isPlainObject(header) || header.format !== SNAPSHOT_FORMAT_LINES_V2) throw new SnapshotError('header line missing or of another format');
  const appliedIndex = header.appliedIndex;
  if (!Number.isSafeInteger(appliedIndex) || (appliedIndex as number) < 0) throw new SnapshotError('bad appliedIndex');
  const counts = header.counts;
  if (!isPlainObject(counts)) throw new SnapshotError('header has no counts');
  for (const kind of Object.keys(counts)) {
    if (!(KINDS as readonly string[]).includes(kind)) throw new SnapshotError(`unknown kind ${JSON.stringify(kind)}`);
    const n = counts[kind];
    if (!Number.isSafeInteger(n) || (n as number) < 0) throw new SnapshotError(`bad count for ${kind}`);
  }
  const tables = newTables();
  let done = 0;
  for (const kind of KINDS) {
    const n = (counts[kind] as number | undefined) ?? 0;
    for (let i = 0; i < n; i++) {
      const obj = nextLine();
      const err = checkStoredObject(kind, obj, `${kind}[${i}]`);
      if (err) throw new SnapshotError(err);
      const o = obj as StoreObject;
      if (tables[kind].get(o.id)) throw new SnapshotError(`${kind} ${o.id} appears twice`);
      checkUniqueName(tables, kind, o);
      tableOf(tables, kind).put(deepFreeze(o));
      if (++done % slice === 0) yield;
    }
  }
  if (pos !== buf.length) throw new SnapshotError(`${buf.length - pos} bytes after the last object (more than the header counts)`);
  return { appliedIndex: appliedIndex as number, tables };
}

export function checkUniqueName(tables: Tables, kind: Kind, o: StoreObject): void {
  const key = uniqueNameKey(kind, o);
  if (key === undefined) return;
  const other = tables[kind].idsBy(NAME_INDEX, key)[0];
  if (other !== undefined) throw new SnapshotError(`${kind} ${o.id} and ${other} share the name ${JSON.stringify(key)}`);
}

/** Runs a step generator to its end without pausing. */
export function runThrough<T>(steps: Generator<void, T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * Runs a step generator, awaiting `pause` (default: one turn of the event
 * loop) once `sliceMs` have passed since the last one; with sliceMs 0, at
 * every step (tests count steps that way).
 */
export async function runInSlices<T>(steps: Generator<void, T>, pause: () => Promise<void> = nextTurn, sliceMs = DEFAULT_SLICE_MS): Promise<T> {
  let since = performance.now();
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (sliceMs <= 0 || performance.now() - since >= sliceMs) {
      await pause();
      since = performance.now();
    }
  }
}

/** setImmediate, not a microtask: timers and sockets get their turn. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** One buffer from chunks, for callers that need contiguous bytes (a copy per chunk, no string). */
export function joinChunks(chunks: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const c of chunks) size += c.length;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

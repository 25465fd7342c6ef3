// One kind's objects by id, plus secondary indexes kept in step on every write.
// Objects are stored frozen and handed out as is.
//
// Lists come sorted by id, so no caller ever sees insertion order. The sorted
// ids are kept until the set they list changes (an object added or removed,
// or moved to another key), not when an object is replaced in place: a task's
// status changing many times a second leaves every sorted list as it was, and
// `service ls` over 100,000 tasks no longer sorts them on every call.

import { DeepReadonly } from './deep-freeze';

export interface IndexDef<T> {
  name: string;
  /** The keys an object is found under (none, one or several). */
  keys(obj: DeepReadonly<T>): string[];
}

interface Index<T> {
  def: IndexDef<T>;
  map: Map<string, Set<string>>;
  /** Sorted ids per key, for the keys looked up since their set last changed. */
  sorted: Map<string, string[]>;
}

export class Table<T extends { id: string }> {
  private readonly byId = new Map<string, DeepReadonly<T>>();
  private readonly indexes = new Map<string, Index<T>>();
  private sortedIds: string[] | undefined;

  constructor(defs: readonly IndexDef<T>[]) {
    for (const def of defs) this.indexes.set(def.name, { def, map: new Map(), sorted: new Map() });
  }

  get size(): number {
    return this.byId.size;
  }

  get(id: string): DeepReadonly<T> | undefined {
    return this.byId.get(id);
  }

  /** Insert or replace. */
  put(obj: DeepReadonly<T>): void {
    const old = this.byId.get(obj.id);
    this.byId.set(obj.id, obj);
    if (!old) this.sortedIds = undefined;
    for (const index of this.indexes.values()) {
      const keys = index.def.keys(obj);
      if (old) {
        const before = index.def.keys(old);
        // Most updates (a task's status) keep every key: nothing to move.
        if (sameKeys(before, keys)) continue;
        for (const key of before) remove(index, key, obj.id);
      }
      for (const key of keys) add(index, key, obj.id);
    }
  }

  delete(id: string): void {
    const old = this.byId.get(id);
    if (!old) return;
    for (const index of this.indexes.values()) for (const key of index.def.keys(old)) remove(index, key, id);
    this.byId.delete(id);
    this.sortedIds = undefined;
  }

  clear(): void {
    this.byId.clear();
    this.sortedIds = undefined;
    for (const { map, sorted } of this.indexes.values()) {
      map.clear();
      sorted.clear();
    }
  }

  /** Ids under an index key, sorted, so callers never see insertion order. A fresh array: the caller may keep or change it. */
  idsBy(index: string, key: string): string[] {
    return [...this.sortedBy(index, key)];
  }

  lookup(index: string, key: string): DeepReadonly<T>[] {
    return this.sortedBy(index, key).map((id) => this.byId.get(id) as DeepReadonly<T>);
  }

  /** All objects sorted by id. */
  all(): DeepReadonly<T>[] {
    this.sortedIds ??= [...this.byId.keys()].sort();
    return this.sortedIds.map((id) => this.byId.get(id) as DeepReadonly<T>);
  }

  /** Unsorted, for scans whose result the caller sorts or counts. */
  values(): IterableIterator<DeepReadonly<T>> {
    return this.byId.values();
  }

  private sortedBy(name: string, key: string): readonly string[] {
    const index = this.indexes.get(name);
    if (!index) throw new Error(`no index ${name}`); // a programming error, not a user one
    let ids = index.sorted.get(key);
    if (!ids) {
      ids = [...(index.map.get(key) ?? [])].sort();
      index.sorted.set(key, ids);
    }
    return ids;
  }
}

function add<T>(index: Index<T>, key: string, id: string): void {
  let ids = index.map.get(key);
  if (!ids) index.map.set(key, (ids = new Set()));
  ids.add(id);
  index.sorted.delete(key);
}

function remove<T>(index: Index<T>, key: string, id: string): void {
  const ids = index.map.get(key);
  if (!ids) return;
  ids.delete(id);
  if (ids.size === 0) index.map.delete(key);
  index.sorted.delete(key);
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// One kind's objects by id, plus secondary indexes kept in step on every write.
// Objects are stored frozen and handed out as is.

import { DeepReadonly } from './deep-freeze';

export interface IndexDef<T> {
  name: string;
  /** The keys an object is found under (none, one or several). */
  keys(obj: DeepReadonly<T>): string[];
}

export class Table<T extends { id: string }> {
  private readonly byId = new Map<string, DeepReadonly<T>>();
  private readonly indexes = new Map<string, { def: IndexDef<T>; map: Map<string, Set<string>> }>();

  constructor(defs: readonly IndexDef<T>[]) {
    for (const def of defs) this.indexes.set(def.name, { def, map: new Map() });
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
    for (const { def, map } of this.indexes.values()) {
      const keys = def.keys(obj);
      if (old) {
        const before = def.keys(old);
        // Most updates (a task's status) keep every key: nothing to move.
        if (sameKeys(before, keys)) continue;
        for (const key of before) remove(map, key, obj.id);
      }
      for (const key of keys) {
        let ids = map.get(key);
        if (!ids) map.set(key, (ids = new Set()));
        ids.add(obj.id);
      }
    }
  }

  delete(id: string): void {
    const old = this.byId.get(id);
    if (!old) return;
    this.unindex(old);
    this.byId.delete(id);
  }

  clear(): void {
    this.byId.clear();
    for (const { map } of this.indexes.values()) map.clear();
  }

  /** Ids under an index key, sorted, so callers never see insertion order. */
  idsBy(index: string, key: string): string[] {
    const entry = this.indexes.get(index);
    if (!entry) throw new Error(`no index ${index}`); // a programming error, not a user one
    return [...(entry.map.get(key) ?? [])].sort();
  }

  lookup(index: string, key: string): DeepReadonly<T>[] {
    return this.idsBy(index, key).map((id) => this.byId.get(id) as DeepReadonly<T>);
  }

  /** All objects sorted by id. */
  all(): DeepReadonly<T>[] {
    return [...this.byId.keys()].sort().map((id) => this.byId.get(id) as DeepReadonly<T>);
  }

  /** Unsorted, for scans whose result the caller sorts or counts. */
  values(): IterableIterator<DeepReadonly<T>> {
    return this.byId.values();
  }

  private unindex(obj: DeepReadonly<T>): void {
    for (const { def, map } of this.indexes.values()) {
      for (const key of def.keys(obj)) remove(map, key, obj.id);
    }
  }
}

function remove(map: Map<string, Set<string>>, key: string, id: string): void {
  const ids = map.get(key);
  if (!ids) return;
  ids.delete(id);
  if (ids.size === 0) map.delete(key);
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

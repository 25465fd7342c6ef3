// Turning what a user typed into one object, the docker way: an exact id wins,
// then a name, then a unique id prefix. Anything ambiguous is refused with the
// candidates listed, never guessed.

import { Kind, ObjectsByKind, StoreObject } from '../../api/types';
import { DeepReadonly } from './deep-freeze';
import { NAME_INDEX, Tables, displayName, nameKey, tableOf } from './kinds';

export type ResolveResult<T> =
  | { ok: true; object: DeepReadonly<T> }
  | { ok: false; error: { code: 'NotFound' | 'Ambiguous'; message: string; candidates: string[] } };

const MAX_LISTED = 10;

export function resolve<K extends Kind>(tables: Tables, kind: K, ref: string): ResolveResult<ObjectsByKind[K]> {
  const found = resolveAny(tables, kind, ref);
  return found as ResolveResult<ObjectsByKind[K]>;
}

function resolveAny(tables: Tables, kind: Kind, ref: string): ResolveResult<StoreObject> {
  const table = tableOf(tables, kind);
  if (ref.length === 0) return notFound(kind, ref);
  const exact = table.get(ref);
  if (exact) return { ok: true, object: exact };

  if (kind !== 'task') {
    const named = table.lookup(NAME_INDEX, nameKey(ref));
    if (named.length === 1) return { ok: true, object: named[0] };
    if (named.length > 1) {
      return ambiguous(kind, named, `${kind} name ${JSON.stringify(ref)} is ambiguous: ${named.length} ${kind}s have it`, 'use an id instead');
    }
  }

  // Ids are lowercase; a prefix typed in capitals still means the same id.
  const prefix = ref.toLowerCase();
  const matches: DeepReadonly<StoreObject>[] = [];
  for (const o of table.values()) if (o.id.startsWith(prefix)) matches.push(o);
  if (matches.length === 1) return { ok: true, object: matches[0] };
  if (matches.length > 1) {
    matches.sort((a, b) => (a.id < b.id ? -1 : 1));
    return ambiguous(kind, matches, `${kind} id prefix ${JSON.stringify(ref)} is ambiguous: it matches ${matches.length} ${kind}s`, 'use a longer prefix');
  }
  return notFound(kind, ref);
}

function notFound(kind: Kind, ref: string): ResolveResult<StoreObject> {
  const how = kind === 'task' ? 'id or id prefix' : 'id, name or id prefix';
  return {
    ok: false,
    error: { code: 'NotFound', message: `no ${kind} matches ${JSON.stringify(ref)} (by ${how})`, candidates: [] },
  };
}

function ambiguous(kind: Kind, objs: DeepReadonly<StoreObject>[], what: string, hint: string): ResolveResult<StoreObject> {
  const listed = objs.slice(0, MAX_LISTED).map((o) => {
    const name = displayName(kind, o);
    return name ? `${o.id} (${name})` : o.id;
  });
  const more = objs.length > MAX_LISTED ? ` and ${objs.length - MAX_LISTED} more` : '';
  return {
    ok: false,
    error: {
      code: 'Ambiguous',
      message: `${what}: ${listed.join(', ')}${more}; ${hint}`,
      candidates: objs.map((o) => o.id),
    },
  };
}

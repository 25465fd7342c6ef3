// Per-kind knowledge: which indexes a kind has and which of its names must be
// unique. Names compare case-insensitively, as in swarmkit, so "Web" and "web"
// cannot both exist as services.

import { Cluster, Config, Kind, Network, Node, ObjectsByKind, Secret, Service, StoreObject, Task } from '../../api/types';
import { DeepReadonly } from './deep-freeze';
import { IndexDef, Table } from './table';

export const NAME_INDEX = 'name';
export const ROLE_INDEX = 'role';
export const SERVICE_INDEX = 'service';
export const NODE_INDEX = 'node';

export const nameKey = (name: string): string => name.toLowerCase();

/**
 * A node answers to its hostname and to spec.name when set. Node names are not
 * unique (docker allows two machines with one hostname); resolving an
 * ambiguous one is refused instead.
 */
function nodeNames(n: DeepReadonly<Node>): string[] {
  const names = new Set<string>();
  if (n.spec.name) names.add(nameKey(n.spec.name));
  if (n.description?.hostname) names.add(nameKey(n.description.hostname));
  return [...names];
}

const nodeIndexes: IndexDef<Node>[] = [
  { name: NAME_INDEX, keys: nodeNames },
  { name: ROLE_INDEX, keys: (n) => [n.role] },
];
const serviceIndexes: IndexDef<Service>[] = [{ name: NAME_INDEX, keys: (s) => [nameKey(s.spec.name)] }];
const clusterIndexes: IndexDef<Cluster>[] = [{ name: NAME_INDEX, keys: (c) => [nameKey(c.name)] }];
const networkIndexes: IndexDef<Network>[] = [{ name: NAME_INDEX, keys: (n) => [nameKey(n.spec.name)] }];
// Secret and config names are case-sensitive in docker; they stay unique by
// the same case-insensitive key as services so two cannot differ only by case.
const secretIndexes: IndexDef<Secret>[] = [{ name: NAME_INDEX, keys: (s) => [nameKey(s.spec.name)] }];
const configIndexes: IndexDef<Config>[] = [{ name: NAME_INDEX, keys: (c) => [nameKey(c.spec.name)] }];
const taskIndexes: IndexDef<Task>[] = [
  { name: SERVICE_INDEX, keys: (t) => [t.serviceId] },
  { name: NODE_INDEX, keys: (t) => (t.nodeId ? [t.nodeId] : []) },
];

export type Tables = { [K in Kind]: Table<ObjectsByKind[K]> };

export function newTables(): Tables {
  return {
    cluster: new Table(clusterIndexes),
    node: new Table(nodeIndexes),
    network: new Table(networkIndexes),
    secret: new Table(secretIndexes),
    config: new Table(configIndexes),
    service: new Table(serviceIndexes),
    task: new Table(taskIndexes),
  };
}

/** The name that must be unique within the kind, as its index key; undefined when the kind has none. */
export function uniqueNameKey(kind: Kind, obj: DeepReadonly<ObjectsByKind[Kind]>): string | undefined {
  switch (kind) {
    case 'service':
      return nameKey((obj as DeepReadonly<Service>).spec.name);
    case 'cluster':
      return nameKey((obj as DeepReadonly<Cluster>).name);
    case 'network':
    case 'secret':
    case 'config':
      return nameKey((obj as DeepReadonly<Network | Secret | Config>).spec.name);
    default:
      return undefined;
  }
}

/** The name shown in messages, so an error says which object it is about. */
export function displayName(kind: Kind, obj: DeepReadonly<ObjectsByKind[Kind]>): string {
  switch (kind) {
    case 'service':
      return (obj as DeepReadonly<Service>).spec.name;
    case 'cluster':
      return (obj as DeepReadonly<Cluster>).name;
    case 'network':
    case 'secret':
    case 'config':
      return (obj as DeepReadonly<Network | Secret | Config>).spec.name;
    case 'node': {
      const n = obj as DeepReadonly<Node>;
      return n.spec.name ?? n.description?.hostname ?? '';
    }
    default:
      return '';
  }
}

/**
 * A kind's table seen as holding any object: for code that works on every kind
 * alike. Safe because callers only put objects of `kind` into it (the schema of
 * that kind checked them).
 */
export function tableOf(tables: Tables, kind: Kind): Table<StoreObject> {
  return tables[kind] as unknown as Table<StoreObject>;
}

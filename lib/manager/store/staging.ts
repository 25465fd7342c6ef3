// Validates a transaction against the current state without touching it: each
// action is checked against an overlay holding the effects of the actions
// before it. Only when every action passes does the store write the staged
// changes, which is what makes a transaction all or nothing.

import { PortConfig, Task, TaskSpec } from '../../api/service-types';
import { Kind, Meta, Network, Secret, Service, StoreObject } from '../../api/types';
import { DeepReadonly, deepFreeze } from './deep-freeze';
import { NAME_INDEX, Tables, displayName, uniqueNameKey } from './kinds';
import { missingNetwork, networkConflict, networkInUse } from './network-invariants';
import { blobChanged, blobInUse, missingSecretOrConfig } from './secret-invariants';
import { StoreError, StoreErrorCode } from './result';
import { applyTaskAction } from './task-actions';
import { Action, Transaction } from './transaction';

export interface StagedChange {
  kind: Kind;
  op: 'create' | 'update' | 'delete';
  id: string;
  /** The object after the action; for a delete, the object as it was. */
  object: DeepReadonly<StoreObject>;
  /** The object before an update. */
  old?: DeepReadonly<StoreObject>;
}

export type Staged = { ok: true; changes: StagedChange[] } | { ok: false; error: StoreError };

class Refused {
  constructor(
    readonly code: StoreErrorCode,
    readonly message: string,
  ) {}
}

export function stage(tables: Tables, index: number, tx: Transaction): Staged {
  // null marks an object deleted earlier in the transaction.
  const overlay = new Map<Kind, Map<string, DeepReadonly<StoreObject> | null>>();
  const layer = (kind: Kind) => {
    let m = overlay.get(kind);
    if (!m) overlay.set(kind, (m = new Map()));
    return m;
  };
  const current = (kind: Kind, id: string): DeepReadonly<StoreObject> | undefined => {
    const staged = overlay.get(kind)?.get(id);
    if (staged !== undefined) return staged ?? undefined;
    return tables[kind].get(id);
  };

  /** Who else holds this unique name once the earlier actions are counted. */
  const nameOwner = (kind: Kind, key: string, self: string): string | undefined => {
    const staged = layer(kind);
    for (const [id, o] of staged) {
      if (o && id !== self && uniqueNameKey(kind, o) === key) return id;
    }
    for (const id of tables[kind].idsBy(NAME_INDEX, key)) {
      if (id !== self && !staged.has(id)) return id;
    }
    return undefined;
  };

  const checkName = (verb: string, kind: Kind, obj: DeepReadonly<StoreObject>) => {
    const key = uniqueNameKey(kind, obj);
    if (key === undefined) return;
    const owner = nameOwner(kind, key, obj.id);
    if (owner !== undefined) {
      throw new Refused(
        'NameConflict',
        `cannot ${verb} ${kind} ${obj.id}: the name ${JSON.stringify(displayName(kind, obj))} is already used by ${kind} ${owner}`,
      );
    }
  };

  /** Networks as they stand after the earlier actions of the transaction. */
  const networksNow = function* (): Generator<DeepReadonly<Network>> {
    const staged = overlay.get('network');
    for (const o of staged?.values() ?? []) if (o) yield o as DeepReadonly<Network>;
    for (const n of tables.network.values()) if (!staged?.has(n.id)) yield n;
  };

  const servicesNow = function* (): Generator<DeepReadonly<Service>> {
    const staged = overlay.get('service');
    for (const o of staged?.values() ?? []) if (o) yield o as DeepReadonly<Service>;
    for (const s of tables.service.values()) if (!staged?.has(s.id)) yield s;
  };

  const checkInvariants = (verb: string, kind: Kind, obj: DeepReadonly<StoreObject>, old?: DeepReadonly<StoreObject>) => {
    let why: string | undefined;
    if (kind === 'network') why = networkConflict(obj as DeepReadonly<Network>, old as DeepReadonly<Network> | undefined, networksNow());
    if (kind === 'service') {
      why =
        missingNetwork(obj as DeepReadonly<Service>, (id) => current('network', id) !== undefined) ??
        missingSecretOrConfig(obj as DeepReadonly<Service>, (k, id) => current(k, id) !== undefined);
    }
    if ((kind === 'secret' || kind === 'config') && old) why = blobChanged(kind, obj as DeepReadonly<Secret>, old as DeepReadonly<Secret>);
    if (why) throw new Refused('Invalid', `cannot ${verb} ${kind} ${obj.id}: ${why}`);
  };

  const build = (a: Extract<Action, { object: unknown }>, meta: Meta): DeepReadonly<StoreObject> => {
    // The store owns meta: whatever the proposer sent there is replaced.
    const { meta: _ignored, ...rest } = a.object;
    return deepFreeze({ ...rest, meta } as StoreObject);
  };

  const changes: StagedChange[] = [];
  const one = (a: Action): void => {
    switch (a.op) {
      case 'create': {
        const id = a.object.id;
        if (current(a.kind, id)) {
          throw new Refused('AlreadyExists', `cannot create ${a.kind} ${id}: a ${a.kind} with that id already exists`);
        }
        if (a.kind === 'task') shareServiceSpec(a.object as Task, current('service', (a.object as Task).serviceId) as DeepReadonly<Service> | undefined);
        const obj = build(a, { version: index, createdAt: tx.at, updatedAt: tx.at });
        checkName('create', a.kind, obj);
        checkInvariants('create', a.kind, obj);
        layer(a.kind).set(id, obj);
        changes.push({ kind: a.kind, op: 'create', id, object: obj });
        return;
      }
      case 'update': {
        const id = a.object.id;
        const old = current(a.kind, id);
        if (!old) throw new Refused('NotFound', `cannot update ${a.kind} ${id}: no such ${a.kind}`);
        checkVersion('update', a.kind, old, a.expectedVersion);
        const obj = build(a, { version: index, createdAt: old.meta.createdAt, updatedAt: tx.at });
        checkName('update', a.kind, obj);
        checkInvariants('update', a.kind, obj, old);
        layer(a.kind).set(id, obj);
        changes.push({ kind: a.kind, op: 'update', id, object: obj, old });
        return;
      }
      case 'setTaskStatus':
      case 'assign':
      case 'setDesiredState': {
        const old = current('task', a.id) as DeepReadonly<Task> | undefined;
        const next = old && applyTaskAction(old, a);
        // Skipped: the condition the action names no longer holds (see transaction.ts).
        if (!old || !next) return;
        const obj = deepFreeze({ ...next, meta: { version: index, createdAt: old.meta.createdAt, updatedAt: tx.at } }) as DeepReadonly<StoreObject>;
        layer('task').set(a.id, obj);
        changes.push({ kind: 'task', op: 'update', id: a.id, object: obj, old });
        return;
      }
      case 'delete': {
        const old = current(a.kind, a.id);
        if (!old) throw new Refused('NotFound', `cannot delete ${a.kind} ${a.id}: no such ${a.kind}`);
        if (a.expectedVersion !== undefined) checkVersion('delete', a.kind, old, a.expectedVersion);
        layer(a.kind).set(a.id, null);
        if (a.kind === 'network') deletedNetworks.push(old as DeepReadonly<Network>);
        if (a.kind === 'secret' || a.kind === 'config') deletedBlobs.push({ kind: a.kind, blob: old as DeepReadonly<Secret> });
        changes.push({ kind: a.kind, op: 'delete', id: a.id, object: old });
        return;
      }
    }
  };

  // Checked once the whole transaction is staged: a stack's removal deletes its services before or after its networks.
  const deletedNetworks: DeepReadonly<Network>[] = [];
  const deletedBlobs: { kind: 'secret' | 'config'; blob: DeepReadonly<Secret> }[] = [];
  for (let i = 0; i < tx.actions.length; i++) {
    try {
      one(tx.actions[i]);
    } catch (e) {
      if (!(e instanceof Refused)) throw e;
      return { ok: false, error: { code: e.code, message: e.message, actionIndex: i } };
    }
  }
  for (const n of deletedNetworks) {
    const why = networkInUse(n, servicesNow());
    if (why) return { ok: false, error: { code: 'Invalid', message: `cannot delete network ${n.id}: ${why}` } };
  }
  for (const { kind, blob } of deletedBlobs) {
    const why = blobInUse(kind, blob, servicesNow());
    if (why) return { ok: false, error: { code: 'Invalid', message: `cannot delete ${kind} ${blob.id}: ${why}` } };
  }
  return { ok: true, changes };
}

function checkVersion(verb: string, kind: Kind, old: DeepReadonly<StoreObject>, expected: number): void {
  if (old.meta.version === expected) return;
  const name = displayName(kind, old);
  throw new Refused(
    'VersionConflict',
    `cannot ${verb} ${kind} ${old.id}${name ? ` (${name})` : ''}: expected version ${expected} but it is at version ${old.meta.version}; it changed since it was read`,
  );
}

/** JSON of stored (frozen, never changed) service specs and port lists, by identity. */
const specJson = new WeakMap<object, string>();

function jsonOf(o: object): string {
  let s = specJson.get(o);
  if (s === undefined) specJson.set(o, (s = JSON.stringify(o)));
  return s;
}

/**
 * A new task's spec and ports are a copy of its service's, decoded from the
 * entry: when they read the same, the task takes the service's own frozen
 * objects instead. 100,000 replicas then hold one spec, not 100,000 copies (a
 * third of a manager's heap, and its garbage collector's pauses). Content is
 * unchanged, so every manager stores the same state whichever way it goes.
 */
function shareServiceSpec(task: Task, service: DeepReadonly<Service> | undefined): void {
  if (!service || typeof task.spec !== 'object' || task.spec === null) return;
  if (JSON.stringify(task.spec) === jsonOf(service.spec.task)) task.spec = service.spec.task as TaskSpec;
  if (Array.isArray(task.ports) && JSON.stringify(task.ports) === jsonOf(service.spec.endpoint.ports)) task.ports = service.spec.endpoint.ports as PortConfig[];
}

// The cluster store every manager holds. It changes only through applyEntry(),
// called with committed Raft entries in log order, so every manager that applied
// the same entries holds the same state: nothing in here reads a clock, draws a
// random number or depends on Map insertion order for what it stores or emits.

import { Kind, NodeRole, ObjectsByKind } from '../../api/types';
import { encodeTransaction, decodeTransaction } from './codec';
import { DeepReadonly } from './deep-freeze';
import { NAME_INDEX, NODE_INDEX, ROLE_INDEX, SERVICE_INDEX, Tables, nameKey, newTables, tableOf } from './kinds';
import { ResolveResult, resolve } from './resolve';
import { AppliedChange, ApplyResult, StoreError } from './result';
import { decodeSnapshot, decodeSnapshotSteps, encodeSnapshot } from './snapshot';
import { SnapshotSlicing, captureView, encodeSteps, nextTurn, runInSlices } from './snapshot-stream';
import { stage } from './staging';
import { Transaction } from './transaction';
import { ChangeEvent, WatchHub, WatchOptions, Watcher } from './watch';

export interface ApplyFailure {
  index: number;
  error: StoreError;
}

/** How many refused or malformed entries are remembered for diagnostics. */
const RECENT_FAILURES = 100;

type Obj<K extends Kind> = DeepReadonly<ObjectsByKind[K]>;

export class MemoryStore {
  private tables: Tables = newTables();
  private applied = 0;
  private readonly hub = new WatchHub();
  private failures: ApplyFailure[] = [];

  /** The index of the last entry applied (refused and malformed entries count: they were consumed). */
  get appliedIndex(): number {
    return this.applied;
  }

  // ------------------------------------------------------------------ writes

  /** Applies one committed Raft entry. Never throws for bad data: the verdict is the result. */
  applyEntry(index: number, data: Uint8Array): ApplyResult {
    if (!Number.isSafeInteger(index) || index <= this.applied) {
      // Raft never does this; a driver that did must not rewrite history.
      return this.refuse(index, {
        code: 'Invalid',
        message: `entry index ${index} is not after the applied index ${this.applied}; ignored`,
      }, false);
    }
    const decoded = decodeTransaction(data);
    if (!decoded.ok) {
      return this.refuse(index, { code: 'Invalid', message: decoded.message, actionIndex: decoded.actionIndex });
    }
    return this.applyParsed(index, decoded.tx);
  }

  /**
   * Applies a transaction as if it came in an entry at `index`. It goes through
   * the entry encoding, so it behaves exactly as on the managers that decode it.
   */
  apply(index: number, tx: Transaction): ApplyResult {
    return this.applyEntry(index, encodeTransaction(tx));
  }

  private applyParsed(index: number, tx: Transaction): ApplyResult {
    const staged = stage(this.tables, index, tx);
    if (!staged.ok) return this.refuse(index, staged.error);
    this.applied = index;
    const events: ChangeEvent[] = [];
    const changes: AppliedChange[] = [];
    for (const c of staged.changes) {
      const table = tableOf(this.tables, c.kind);
      if (c.op === 'delete') table.delete(c.id);
      else table.put(c.object);
      changes.push({ kind: c.kind, id: c.id, op: c.op, version: index });
      const base = { kind: c.kind, action: c.op, id: c.id, object: c.object, version: index, at: tx.at };
      // The staged change pairs kind and object correctly; the union type cannot follow that.
      events.push(Object.freeze((c.old ? { ...base, oldObject: c.old } : base) as ChangeEvent));
    }
    this.hub.publish(events);
    return { ok: true, index, changes };
  }

  private refuse(index: number, error: StoreError, consumed = true): ApplyResult {
    if (consumed) this.applied = index;
    this.failures.push({ index, error });
    if (this.failures.length > RECENT_FAILURES) this.failures = this.failures.slice(-RECENT_FAILURES);
    return { ok: false, index, error };
  }

  /** The last refused or malformed entries, oldest first (diagnostics; not part of the replicated state). */
  recentFailures(): readonly ApplyFailure[] {
    return [...this.failures];
  }

  // ------------------------------------------------------------------- reads
  // Every object returned is the store's own, deep-frozen: share it freely, copy
  // it (thaw) to edit. Lists are sorted by id.

  get<K extends Kind>(kind: K, id: string): Obj<K> | undefined {
    return this.tables[kind].get(id);
  }

  list<K extends Kind>(kind: K): Obj<K>[] {
    return this.tables[kind].all();
  }

  /** Every object of a kind in no particular order, for scans whose result does not depend on it (a set, a count). */
  scan<K extends Kind>(kind: K): IterableIterator<Obj<K>> {
    return this.tables[kind].values() as IterableIterator<Obj<K>>;
  }

  count(kind: Kind): number {
    return this.tables[kind].size;
  }

  find<K extends Kind>(kind: K, predicate: (obj: Obj<K>) => boolean): Obj<K>[] {
    return this.list(kind).filter(predicate);
  }

  /** Objects whose id starts with `prefix`. */
  findByIdPrefix<K extends Kind>(kind: K, prefix: string): Obj<K>[] {
    const p = prefix.toLowerCase();
    return this.find(kind, (o) => o.id.startsWith(p));
  }

  /**
   * Objects with this name, case-insensitively: a node's hostname or spec.name
   * (several nodes may share one), a service's spec.name, a cluster's name.
   */
  findByName<K extends Exclude<Kind, 'task'>>(kind: K, name: string): Obj<K>[] {
    return this.tables[kind].lookup(NAME_INDEX, nameKey(name)) as Obj<K>[];
  }

  tasksByService(serviceId: string): Obj<'task'>[] {
    return this.tables.task.lookup(SERVICE_INDEX, serviceId);
  }

  tasksByNode(nodeId: string): Obj<'task'>[] {
    return this.tables.task.lookup(NODE_INDEX, nodeId);
  }

  nodesByRole(role: NodeRole): Obj<'node'>[] {
    return this.tables.node.lookup(ROLE_INDEX, role);
  }

  /** An exact id, else a name (not for tasks), else a unique id prefix. */
  resolve<K extends Kind>(kind: K, ref: string): ResolveResult<ObjectsByKind[K]> {
    return resolve(this.tables, kind, ref);
  }

  resolveNode(ref: string): ResolveResult<ObjectsByKind['node']> {
    return resolve(this.tables, 'node', ref);
  }

  // ------------------------------------------------------------------- watch

  /**
   * Events of every transaction committed from now on, in commit order. Reading
   * the store and calling watch() in the same synchronous step misses nothing:
   * entries are only applied between turns of the event loop's callers.
   */
  watch(options?: WatchOptions): Watcher {
    return this.hub.watch(options);
  }

  get watcherCount(): number {
    return this.hub.size;
  }

  // ---------------------------------------------------------------- snapshot

  /** The whole snapshot in one synchronous step: fine for small stores and tests. */
  snapshot(): Uint8Array {
    return encodeSnapshot(this.applied, this.tables);
  }

  /**
   * The snapshot of the state as it is at this call, as chunks, built in
   * slices that give the event loop a turn in between. Writes applied while it
   * runs are not in it: the object references are taken now, and objects are
   * frozen and replaced rather than changed. Same bytes as snapshot().
   */
  snapshotChunks(slicing?: SnapshotSlicing, pause: () => Promise<void> = nextTurn, sliceMs?: number): Promise<Uint8Array[]> {
    return runInSlices(encodeSteps(captureView(this.applied, this.tables), slicing), pause, sliceMs);
  }

  /** Replaces the whole state (checked first; a bad snapshot throws and changes nothing). Watchers get one reset event. */
  restore(data: Uint8Array): void {
    this.install(decodeSnapshot(data));
  }

  /**
   * restore() decoded in slices. The caller must not apply entries until it
   * settles (the state is swapped in at the end, in one step).
   */
  async restoreInSlices(data: Uint8Array, slicing?: SnapshotSlicing, pause: () => Promise<void> = nextTurn, sliceMs?: number): Promise<void> {
    this.install(await runInSlices(decodeSnapshotSteps(data, slicing), pause, sliceMs));
  }

  private install({ appliedIndex, tables }: { appliedIndex: number; tables: Tables }): void {
    this.tables = tables;
    this.applied = appliedIndex;
    this.hub.reset(appliedIndex);
  }
}

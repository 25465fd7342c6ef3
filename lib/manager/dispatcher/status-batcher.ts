// Node status changes are gathered and written in one transaction per
// interval, as swarmkit's dispatcher does: a leader change makes every agent
// re-register at once, and one Raft entry per agent would flood the log.

import { chunkActions, DEFAULT_MAX_ENTRY_BYTES } from '../entry-size';
import { NodeDescription, NodeState } from '../../api/types';
import { ManagerError } from '../errors';
import { Action, AppliedChange, MemoryStore, thaw } from '../store';
import { jsonEqual } from './json-equal';
import { TimerHandle, Timers } from './timers';

export interface StatusChange {
  state: NodeState;
  /** Replaces the node's status message; absent clears it. */
  message?: string;
  /** Replaces status.addr when given. */
  addr?: string;
  /** Replaces the description when given. */
  description?: NodeDescription;
}

export interface StatusWriter {
  readonly store: MemoryStore;
  write(actions: Action[]): Promise<AppliedChange[]>;
  /** The largest transaction the writer takes (Manager.maxEntryBytes); the default bound when absent. */
  readonly maxEntryBytes?: number;
}

export interface BatcherLogger {
  warn(msg: string, fields?: Record<string, unknown>): void;
}

interface Pending {
  change: StatusChange;
  /** Called once the change is in the store (or was already there). */
  committed: Array<() => void>;
}

/** Attempts per batch when another writer changed one of its nodes meanwhile. */
const CONFLICT_RETRIES = 5;

export class StatusBatcher {
  private pending = new Map<string, Pending>();
  private timer: TimerHandle | undefined;
  private flushing: Promise<void> | undefined;
  private stopped = false;
  private transactions = 0;

  constructor(
    private readonly writer: StatusWriter,
    private readonly timers: Timers,
    private readonly intervalMs: number,
    private readonly logger: BatcherLogger,
  ) {}

  /** Transactions committed so far. */
  get writes(): number {
    return this.transactions;
  }

  has(nodeId: string): boolean {
    return this.pending.has(nodeId);
  }

  /** Queues a change; a later one for the same node overrides it field by field. */
  enqueue(nodeId: string, change: StatusChange, onCommitted?: () => void): void {
    if (this.stopped) return;
    const p = this.pending.get(nodeId);
    if (p) {
      p.change = merge(p.change, change);
      if (onCommitted) p.committed.push(onCommitted);
    } else {
      this.pending.set(nodeId, { change, committed: onCommitted ? [onCommitted] : [] });
    }
    this.schedule();
  }

  drop(nodeId: string): void {
    this.pending.delete(nodeId);
  }

  /** Drops what is queued and waits for a write in flight; nothing is written after this resolves. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.pending.clear();
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    await this.flushing;
  }

  private schedule(): void {
    if (this.stopped || this.timer !== undefined || this.flushing || this.pending.size === 0) return;
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.flushing = this.flush().finally(() => {
        this.flushing = undefined;
        this.schedule();
      });
    }, this.intervalMs);
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    try {
      await this.writeBatch(batch);
    } catch (e) {
      if (this.stopped) return;
      this.logger.warn('node status batch not written; retrying with the next batch', {
        nodes: batch.size,
        error: e instanceof Error ? e.message : String(e),
      });
      // Changes queued meanwhile are newer: they win over the failed ones.
      for (const [id, old] of batch) {
        const newer = this.pending.get(id);
        if (newer) this.pending.set(id, { change: merge(old.change, newer.change), committed: [...old.committed, ...newer.committed] });
        else this.pending.set(id, old);
      }
      return;
    }
    for (const p of batch.values()) for (const done of p.committed) done();
  }

  private async writeBatch(batch: Map<string, Pending>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      if (this.stopped) return;
      const actions = this.actionsFor(batch);
      if (actions.length === 0) return;
      try {
        // Thousands of nodes registering in one interval (after a leader change) are more than one entry takes.
        // A retry re-reads the store, so the chunks already written are not written again.
        for (const chunk of chunkActions(actions, this.writer.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES)) {
          await this.writer.write(chunk);
          this.transactions++;
        }
        return;
      } catch (e) {
        // A conflict or a node deleted meanwhile: re-read the store and try again.
        const retry = e instanceof ManagerError && (e.code === 'Conflict' || e.code === 'NotFound');
        if (!retry || attempt >= CONFLICT_RETRIES) throw e;
      }
    }
  }

  private actionsFor(batch: Map<string, Pending>): Action[] {
    const actions: Action[] = [];
    for (const [id, p] of batch) {
      const node = this.writer.store.get('node', id);
      // Removed meanwhile: nothing to report on.
      if (!node) continue;
      const next = thaw(node);
      const status: typeof next.status = { state: p.change.state };
      if (p.change.message !== undefined) status.message = p.change.message;
      const addr = p.change.addr ?? node.status.addr;
      if (addr !== undefined) status.addr = addr;
      next.status = status;
      if (p.change.description) next.description = p.change.description;
      if (jsonEqual(next, node)) continue;
      actions.push({ op: 'update', kind: 'node', object: next, expectedVersion: node.meta.version });
    }
    return actions;
  }
}

function merge(older: StatusChange, newer: StatusChange): StatusChange {
  // The message belongs to the state it explains, so it is never carried over.
  const out: StatusChange = { state: newer.state };
  if (newer.message !== undefined) out.message = newer.message;
  const addr = newer.addr ?? older.addr;
  if (addr !== undefined) out.addr = addr;
  const description = newer.description ?? older.description;
  if (description !== undefined) out.description = description;
  return out;
}

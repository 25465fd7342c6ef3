// Tasks over the dispatcher's sessions, both ways.
//
// Down: every node with a live session gets the full list of the tasks the
// store places on it, at registration and within ~10 ms of any change to
// one of them. The full list (not a diff) makes a lost or reordered message
// harmless: the next one says everything.
//
// Up: an agent's status reports are checked (the task must be on that node,
// and a state only moves forward) and written in batches every ~50 ms, each
// task re-read just before the write so the orchestrator's changes to other
// fields (desired state) are never overwritten.

import { TaskStatusUpdate } from '../../api/dispatcher-protocol';
import { taskStateRank, TaskStatus } from '../../api/service-types';
import { ManagerError } from '../errors';
import { thaw } from '../store';
import { followStore, StoreFollower } from './follow-store';
import { Action } from '../store/transaction';
import type { AgentSession } from './agent-session';
import type { DispatcherHost, DispatcherLogger } from './dispatcher';
import { jsonEqual } from './json-equal';
import { TimerHandle, Timers } from './timers';

const SEND_DELAY_MS = 10;
const ASSIGNED = taskStateRank('assigned');
const WRITE_DELAY_MS = 50;

export class TaskChannel {
  private follower?: StoreFollower;
  private dirty = new Set<string>();
  private sendTimer: TimerHandle | undefined;
  private pending = new Map<string, { nodeId: string; status: TaskStatus }>();
  private writeTimer: TimerHandle | undefined;
  private writing = false;
  private running = false;

  constructor(
    private readonly host: DispatcherHost,
    private readonly timers: Timers,
    private readonly logger: DispatcherLogger,
    private readonly sessionOf: (nodeId: string) => AgentSession | undefined,
  ) {}

  start(): void {
    this.running = true;
    this.follower = followStore(
      this.host.store,
      ['task'],
      (ev) => {
        if (ev.action === 'reset') return this.markAll();
        if (ev.kind !== 'task') return;
        if (ev.object.nodeId) this.markDirty(ev.object.nodeId);
        if (ev.oldObject?.nodeId && ev.oldObject.nodeId !== ev.object.nodeId) this.markDirty(ev.oldObject.nodeId);
      },
      // Changes were missed: everyone gets a full list again.
      () => this.markAll(),
    );
  }

  stop(): void {
    this.running = false;
    this.follower?.stop();
    this.follower = undefined;
    if (this.sendTimer !== undefined) this.timers.clearTimeout(this.sendTimer);
    if (this.writeTimer !== undefined) this.timers.clearTimeout(this.writeTimer);
    this.sendTimer = this.writeTimer = undefined;
    this.dirty.clear();
    this.pending.clear();
  }

  /** The node's whole task list, now: the tasks the scheduler placed there (a global task waits for its say too). */
  send(s: AgentSession): void {
    const tasks = this.host.store.tasksByNode(s.nodeId).filter((t) => taskStateRank(t.status.state) >= ASSIGNED);
    s.send({ v: 1, type: 'assignments', tasks: tasks as never });
  }

  onStatus(s: AgentSession, updates: readonly TaskStatusUpdate[]): void {
    for (const u of updates) {
      const t = this.host.store.get('task', u.taskId);
      // Only a task placed on this node, and only forward (or the same state with news).
      if (!t || t.nodeId !== s.nodeId) continue;
      const queued = this.pending.get(u.taskId)?.status ?? t.status;
      if (taskStateRank(u.status.state) < taskStateRank(queued.state)) continue;
      if (jsonEqual(u.status, queued)) continue;
      this.pending.set(u.taskId, { nodeId: s.nodeId, status: u.status });
    }
    if (this.pending.size > 0 && this.writeTimer === undefined && !this.writing) {
      this.writeTimer = this.timers.setTimeout(() => void this.flushStatus(), WRITE_DELAY_MS);
    }
  }

  private markDirty(nodeId: string): void {
    if (!this.running) return;
    this.dirty.add(nodeId);
    if (this.sendTimer === undefined) {
      this.sendTimer = this.timers.setTimeout(() => {
        this.sendTimer = undefined;
        const nodes = [...this.dirty];
        this.dirty.clear();
        for (const id of nodes) {
          const s = this.sessionOf(id);
          if (s?.answered && s.isOpen) this.send(s);
        }
      }, SEND_DELAY_MS);
    }
  }

  private markAll(): void {
    for (const n of this.host.store.list('node')) this.markDirty(n.id);
  }

  private async flushStatus(): Promise<void> {
    this.writeTimer = undefined;
    if (!this.running || this.pending.size === 0) return;
    this.writing = true;
    const batch = this.pending;
    this.pending = new Map();
    const actions: Action[] = [];
    for (const [id, u] of batch) {
      const t = this.host.store.get('task', id);
      if (!t || t.nodeId !== u.nodeId || taskStateRank(u.status.state) < taskStateRank(t.status.state)) continue;
      const next = thaw(t);
      next.status = u.status;
      actions.push({ op: 'update', kind: 'task', object: next, expectedVersion: t.meta.version });
    }
    try {
      await this.host.write(actions);
    } catch (e) {
      // Someone changed one of these tasks meanwhile: put back what is not newer and retry.
      if (!(e instanceof ManagerError && (e.code === 'Conflict' || e.code === 'NotFound'))) {
        this.logger.warn('task status write failed', { error: e instanceof Error ? e.message : String(e) });
      }
      for (const [id, u] of batch) if (!this.pending.has(id)) this.pending.set(id, u);
    } finally {
      this.writing = false;
    }
    if (this.running && this.pending.size > 0 && this.writeTimer === undefined) {
      this.writeTimer = this.timers.setTimeout(() => void this.flushStatus(), WRITE_DELAY_MS);
    }
  }
}

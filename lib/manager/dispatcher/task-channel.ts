// Tasks over the dispatcher's sessions, both ways.
//
// Down: a node's session gets every task the store places on it once, at
// registration, then within ~10 ms of a change only the tasks that changed
// (assignment-diff.ts says which): a status the node reported itself is
// never sent back. The channel remembers, per session, the task object it
// last sent (the store's own frozen object: no copy), so a missed watch
// event costs a comparison of the node's tasks, never a wrong view. The
// socket delivers in order and a new session starts with the whole set,
// so there is nothing to lose between a set and its changes.
//
// With the tasks go the secrets and configs they name (blob-needs.ts): the
// data once per node when its first unfinished task needing it arrives, and a
// removal when the last one ends or leaves; a node without such a task never
// hears of it.
//
// Up: an agent's status reports are checked (the task must be on that node,
// and a state only moves forward) and written in batches every ~50 ms, each
// report becoming a narrow setTaskStatus action the store applies only while it
// still moves the task forward on that node, so the orchestrator's changes
// to other fields (desired state) are never overwritten nor conflicted with.

import { TaskStatusUpdate } from '../../api/dispatcher-protocol';
import { Task, taskStateRank, TaskStatus } from '../../api/service-types';
import { chunkActions, DEFAULT_MAX_ENTRY_BYTES } from '../entry-size';
import { DeepReadonly } from '../store';
import type { AssignedBlob } from '../../api/assignments';
import { chunkAssignments, mustSend } from './assignment-diff';
import { BlobKind, BlobNeeds } from './blob-needs';
import { followStore, StoreFollower } from './follow-store';
import { Action } from '../store/transaction';
import type { AgentSession } from './agent-session';
import type { DispatcherHost, DispatcherLogger } from './dispatcher';
import { jsonEqual } from './json-equal';
import { TimerHandle, Timers } from './timers';

const SEND_DELAY_MS = 10;
const ASSIGNED = taskStateRank('assigned');
const WRITE_DELAY_MS = 50;

type RTask = DeepReadonly<Task>;

/** What one session was told, and the statuses its node reported that may still come back as store events. */
interface SentView {
  tasks: Map<string, RTask>;
  reported: Map<string, TaskStatus>;
  /** The secrets and configs those tasks need, and which the node holds. */
  needs: BlobNeeds;
}

/** Every task of the node is compared again (a watch overflow, a snapshot). */
const ALL = 'all';

/** The tasks the scheduler placed on a node (a global task, created with its node, waits for its say too). */
function isAssigned(t: RTask): boolean {
  return taskStateRank(t.status.state) >= ASSIGNED;
}

export class TaskChannel {
  private follower?: StoreFollower;
  /** Node id → the ids of its tasks that changed since the last send. */
  private dirty = new Map<string, Set<string> | typeof ALL>();
  private readonly views = new Map<AgentSession, SentView>();
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
        if (ev.object.nodeId) this.markDirty(ev.object.nodeId, ev.id);
        if (ev.oldObject?.nodeId && ev.oldObject.nodeId !== ev.object.nodeId) this.markDirty(ev.oldObject.nodeId, ev.id);
      },
      // Changes were missed: every session's tasks are compared again.
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
    this.views.clear();
  }

  /** The node's whole task set, now, for a session that just registered. */
  sendFull(s: AgentSession): void {
    if (!this.running) return;
    const tasks = this.host.store.tasksByNode(s.nodeId).filter(isAssigned);
    const needs = new BlobNeeds();
    for (const t of tasks) needs.replace(undefined, t);
    this.views.set(s, { tasks: new Map(tasks.map((t) => [t.id, t])), reported: new Map(), needs });
    for (const m of chunkAssignments(true, tasks, [], needs.take(this.blob))) s.send({ v: 1, type: 'assignmentsUpdate', ...m });
  }

  onClose(s: AgentSession): void {
    this.views.delete(s);
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
      this.views.get(s)?.reported.set(u.taskId, u.status);
    }
    if (this.pending.size > 0 && this.writeTimer === undefined && !this.writing) {
      this.writeTimer = this.timers.setTimeout(() => void this.flushStatus(), WRITE_DELAY_MS);
    }
  }

  private markDirty(nodeId: string, taskId: string | typeof ALL): void {
    if (!this.running) return;
    const d = this.dirty.get(nodeId);
    if (taskId === ALL) this.dirty.set(nodeId, ALL);
    else if (d === undefined) this.dirty.set(nodeId, new Set([taskId]));
    else if (d !== ALL) d.add(taskId);
    if (this.sendTimer === undefined) {
      this.sendTimer = this.timers.setTimeout(() => {
        this.sendTimer = undefined;
        const dirty = this.dirty;
        this.dirty = new Map();
        for (const [nodeId, ids] of dirty) this.sendChanges(nodeId, ids);
      }, SEND_DELAY_MS);
    }
  }

  private markAll(): void {
    for (const s of this.views.keys()) this.markDirty(s.nodeId, ALL);
  }

  /** Compares the node's changed tasks with what its session was told, and sends the difference. */
  private sendChanges(nodeId: string, ids: Set<string> | typeof ALL): void {
    const s = this.sessionOf(nodeId);
    const view = s && this.views.get(s);
    // No view yet: the session is not answered, and its full set will say it all.
    if (!s?.isOpen || !view) return;
    const store = this.host.store;
    const candidates = ids === ALL ? new Set([...view.tasks.keys(), ...store.tasksByNode(nodeId).map((t) => t.id)]) : ids;
    const set: RTask[] = [];
    const del: string[] = [];
    for (const id of candidates) {
      const t = store.get('task', id);
      const before = view.tasks.get(id);
      if (!t || t.nodeId !== nodeId || !isAssigned(t)) {
        if (before) del.push(id);
        view.needs.replace(before, undefined);
        view.tasks.delete(id);
        view.reported.delete(id);
        continue;
      }
      const reported = view.reported.get(id);
      if (!before || mustSend(before, t, reported)) set.push(t);
      // The report came back (or was overtaken): it cannot come back again.
      if (reported && (jsonEqual(t.status, reported) || taskStateRank(t.status.state) > taskStateRank(reported.state))) view.reported.delete(id);
      view.needs.replace(before, t);
      view.tasks.set(id, t);
    }
    // A task that finished (its own report, not echoed) may leave a secret to forget: an update of that alone.
    const blobs = view.needs.take(this.blob);
    if (set.length === 0 && del.length === 0 && Object.keys(blobs).length === 0) return;
    for (const m of chunkAssignments(false, set, del, blobs)) s.send({ v: 1, type: 'assignmentsUpdate', ...m });
  }

  /** A secret's or config's content as the node gets it (the labels stay with the managers). */
  private readonly blob = (kind: BlobKind, id: string): AssignedBlob | undefined => {
    if (kind === 'secret') {
      const b = this.host.store.get('secret', id);
      return b && { id, name: b.spec.name, data: b.spec.data };
    }
    const b = this.host.store.get('config', id);
    if (!b) return undefined;
    return b.spec.templating ? { id, name: b.spec.name, data: b.spec.data, templating: { name: b.spec.templating.name } } : { id, name: b.spec.name, data: b.spec.data };
  };

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
      // Applied only if still on that node and still forward: a report racing the orchestrator's writes neither
      // conflicts with them nor overwrites what they changed (transaction.ts).
      actions.push({ op: 'setTaskStatus', kind: 'task', id, nodeId: u.nodeId, status: u.status });
    }
    try {
      for (const chunk of chunkActions(actions, this.host.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES)) await this.host.write(chunk);
    } catch (e) {
      // No quorum, or the leadership went: what is not newer is put back and written with the next batch.
      this.logger.warn('task status write failed', { error: e instanceof Error ? e.message : String(e) });
      for (const [id, u] of batch) if (!this.pending.has(id)) this.pending.set(id, u);
    } finally {
      this.writing = false;
    }
    if (this.running && this.pending.size > 0 && this.writeTimer === undefined) {
      this.writeTimer = this.timers.setTimeout(() => void this.flushStatus(), WRITE_DELAY_MS);
    }
  }
}

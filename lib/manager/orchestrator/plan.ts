// The orchestrator's decisions as a pure function: from the services, tasks
// and nodes in the store (and the time), the store actions that bring the
// tasks closer to what the services ask for. One transaction per service, so
// a conflict on one service does not hold the others back.
//
// For every service, in order:
//   1. tasks that stopped while wanted running are replaced as their restart
//      policy says (in the same slot, after the restart delay); tasks on a
//      node that is Down, gone or drained, or that no longer meets their
//      constraints or reservations (constraint-enforcer.ts), are shut down
//      and replaced at once (the task did not fail; its node did);
//   2. replicated: one live task per slot 1..replicas; scaling down shuts
//      down tasks on the nodes that run the most of the service first.
//      Global: one live task per eligible node (not Down, not drained,
//      constraints met; a paused node keeps its task but gets no new one);
//   3. tasks whose spec is outdated are replaced as the rolling updater
//      decides (updater.ts: batches, order, failures, pause and rollback);
//      a slot whose new task is starting while its old one still runs
//      (start-first) keeps both until the new one runs;
//   4. history: the newest `historyLimit` tasks of a slot are kept, older
//      finished ones deleted. Tasks of a removed service are told to go, and
//      deleted once stopped.
// A task that stopped and is not to be restarted is finished for good
// (lib/api/finished-tasks.ts): told to shut down, as swarmkit does, yet it keeps its
// slot, which nothing refills; an update replaces it, a scale down removes it.
//
// A service's pass costs O(n log n) in its n tasks: tasks are found by slot
// through indexes, never by scanning all of them for each one.

import { isTerminal, Service, Task, taskStateRank } from '../../api/service-types';
import { Node } from '../../api/types';
import { matchesConstraints, parseConstraints, schedNode } from '../../scheduler';
import { newObjectId } from '../../api/ids';
import { BinaryHeap } from '../../util/binary-heap';
import { DeepReadonly, thaw } from '../store';
import { Action, Draft } from '../store/transaction';
import { endedForGood, finishedForGood, slotKey } from '../../api/finished-tasks';
import { decideRestart } from '../../api/restart-policy';
import { upToDateCheck } from '../../api/up-to-date';
import { noncompliantTasks } from './constraint-enforcer';
import { newTask } from './task-factory';
import { rolledBackService, withUpdateStatus } from './update-status';
import { placed, planUpdate, UpdaterSlot } from './updater';

export interface PlanInput {
  services: readonly DeepReadonly<Service>[];
  tasks: readonly DeepReadonly<Task>[];
  /** Every node; by id when the caller plans service after service with the same nodes. */
  nodes: readonly DeepReadonly<Node>[] | ReadonlyMap<string, DeepReadonly<Node>>;
  /** Tasks kept per slot (or per node for global services), the live one included. */
  historyLimit: number;
  now: number;
  /**
   * The nodes whose resources are checked against their tasks' reservations
   * (constraint-enforcer.ts); all when absent. A pass over some services only
   * names the nodes all of whose tasks it holds: judged on part of its tasks,
   * a node could shed one it has room for.
   */
  resourceNodes?: ReadonlySet<string>;
  /**
   * The constraint enforcer's verdicts, when the caller judged the nodes on
   * more tasks than this call plans (a pass planned one service at a time).
   */
  noncompliant?: ReadonlyMap<string, string>;
  /** Ids for the tasks it creates; the loop passes its host's, so a seeded run plans the same ids. Default: random. */
  newId?: () => string;
}

type RTask = DeepReadonly<Task>;

/** A task as this pass sees it: stored (maybe changed) or about to be created. */
interface Working {
  task: RTask | Draft<Task>;
  stored?: RTask;
  changed: boolean;
  created: boolean;
  /** Finished for good, holding its slot (or node) though not wanted running. */
  held: boolean;
}

const live = (w: Working) => w.task.desiredState === 'running';
/** What takes a slot (or a node): a task wanted running, or one finished for good. */
const holds = (w: Working) => live(w) || w.held;
/** Created and shut down in the same pass (a restart, then a scale down): never written. */
const dropped = (w: Working) => w.created && !live(w);

export interface PlanResult {
  /** One transaction per service (and one for tasks of removed services). */
  plans: Action[][];
  /** When a pass is next due though nothing changes (an update's delay or monitor period ending). */
  wakeAt?: number;
  /** The same per service: which services that pass is for. */
  wakes: Map<string, number>;
}

export function planOrchestration(input: PlanInput): Action[][] {
  return planOrchestrationPass(input).plans;
}

export function planOrchestrationPass(input: PlanInput): PlanResult {
  const nodes = input.nodes instanceof Map ? input.nodes : new Map((input.nodes as readonly DeepReadonly<Node>[]).map((n) => [n.id, n]));
  const byService = new Map<string, RTask[]>();
  for (const t of input.tasks) {
    const list = byService.get(t.serviceId);
    if (list) list.push(t);
    else byService.set(t.serviceId, [t]);
  }
  const noncompliant = input.noncompliant ?? noncompliantTasks(input.tasks, nodes, input.resourceNodes);
  const out: Action[][] = [];
  let wakeAt: number | undefined;
  const wakes = new Map<string, number>();
  for (const s of input.services) {
    const r = new ServicePlan(s, byService.get(s.id) ?? [], nodes, input, noncompliant).run();
    if (r.actions.length > 0) out.push(r.actions);
    if (r.wakeAt !== undefined) wakes.set(s.id, r.wakeAt);
    if (r.wakeAt !== undefined && (wakeAt === undefined || r.wakeAt < wakeAt)) wakeAt = r.wakeAt;
    byService.delete(s.id);
  }
  const orphans: Action[] = [];
  for (const tasks of byService.values()) {
    for (const t of tasks) {
      // Never placed (a global task is made with its node, yet no agent hears of it before ASSIGNED): nothing to stop.
      if (isTerminal(t.status.state) || !placed(t) || !t.nodeId || nodeLost(nodes, t.nodeId)) {
        orphans.push({ op: 'delete', kind: 'task', id: t.id, expectedVersion: t.meta.version });
      } else if (t.desiredState !== 'remove') {
        orphans.push({ op: 'setDesiredState', kind: 'task', id: t.id, desiredState: 'remove' });
      }
    }
  }
  if (orphans.length > 0) out.push(orphans);
  return wakeAt === undefined ? { plans: out, wakes } : { plans: out, wakeAt, wakes };
}

function nodeLost(nodes: ReadonlyMap<string, DeepReadonly<Node>>, nodeId: string): boolean {
  const n = nodes.get(nodeId);
  return !n || n.status.state === 'down';
}

class ServicePlan {
  private readonly work: Working[];
  /** The work by slotKey (slot, or node for a global task) and by slot number, in work's order. */
  private readonly byKey = new Map<string, Working[]>();
  private readonly bySlot = new Map<number | undefined, Working[]>();
  private readonly now: number;
  private readonly isUpToDate: (t: RTask) => boolean;
  /** By task object: a task's spec never changes within a pass, and sorts ask again and again. */
  private readonly upToDateSeen = new WeakMap<object, boolean>();

  constructor(
    private readonly service: DeepReadonly<Service>,
    tasks: readonly RTask[],
    private readonly nodes: ReadonlyMap<string, DeepReadonly<Node>>,
    private readonly input: PlanInput,
    /** Tasks whose node no longer qualifies for them, and why. */
    private readonly noncompliant: ReadonlyMap<string, string>,
  ) {
    this.now = input.now;
    this.isUpToDate = upToDateCheck(service);
    const finished = finishedForGood(service.id, tasks, this.now);
    this.work = [];
    for (const t of tasks) this.add({ task: t, stored: t, changed: false, created: false, held: finished.has(t.id) });
  }

  /** A task's slot and node never change within a pass, so the indexes stay true. */
  private add(w: Working): void {
    this.work.push(w);
    const key = slotKey(w.task);
    const inKey = this.byKey.get(key);
    if (inKey) inKey.push(w);
    else this.byKey.set(key, [w]);
    const inSlot = this.bySlot.get(w.task.slot);
    if (inSlot) inSlot.push(w);
    else this.bySlot.set(w.task.slot, [w]);
  }

  run(): { actions: Action[]; wakeAt?: number } {
    this.replaceStoppedAndLost();
    if (this.service.spec.mode === 'global') this.reconcileGlobal();
    else this.reconcileReplicated();
    const decision = planUpdate({
      service: this.service,
      services: this.input.services,
      slots: this.updaterSlots(),
      now: this.now,
    });
    const s = this.service;
    switch (decision.kind) {
      case 'rollback':
        // The spec changes: this pass's task changes were made for the one being undone; the next pass plans anew.
        return { actions: [{ op: 'update', kind: 'service', object: rolledBackService(s, decision.message, this.now), expectedVersion: s.meta.version }] };
      case 'status':
        return { actions: [...this.actions(), ...this.reap(), { op: 'update', kind: 'service', object: withUpdateStatus(s, decision.status), expectedVersion: s.meta.version }] };
      case 'roll':
        for (const key of decision.slots) this.updateSlot(key, decision.order);
        return { actions: [...this.actions(), ...this.reap()], wakeAt: decision.wakeAt };
      case 'none':
        return { actions: [...this.actions(), ...this.reap()] };
    }
  }

  private upToDate(w: Working): boolean {
    let r = this.upToDateSeen.get(w.task);
    if (r === undefined) {
      r = this.isUpToDate(w.task as RTask);
      this.upToDateSeen.set(w.task, r);
    }
    return r;
  }

  /** Another task in w's slot, wanted running and not stopped, on the current spec: w's slot is being updated. */
  private replacedBy(w: Working): Working | undefined {
    return this.byKey.get(slotKey(w.task))?.find((o) => o !== w && live(o) && !isTerminal(o.task.status.state) && this.upToDate(o));
  }

  // ---- 1. failures and lost nodes ----------------------------------------------

  private replaceStoppedAndLost(): void {
    const global = this.service.spec.mode === 'global';
    for (const w of [...this.work]) {
      if (!live(w)) continue;
      const t = w.task;
      // The old task of a slot under a start-first update: its replacement is on its way already.
      const leave = this.mustLeave(t as RTask);
      if (!this.upToDate(w) && (isTerminal(t.status.state) || leave) && this.replacedBy(w)) {
        this.shutdown(w, leave ?? 'stopped while its update started');
        continue;
      }
      if (isTerminal(t.status.state)) {
        const d = decideRestart(t as RTask, this.service.spec.task.restartPolicy, this.now);
        if (!d.restart) {
          this.finish(w);
          continue;
        }
        this.shutdown(w, 'restarting');
        // A restart is a new task: a paused node gets none (as swarmkit), nor one it no longer qualifies for.
        if (global && t.nodeId && !this.eligibleForGlobal(t.nodeId, false)) continue;
        this.create({ slot: t.slot, nodeId: global ? t.nodeId : undefined, notBefore: d.notBefore, restarts: d.restarts });
        continue;
      }
      if (leave) {
        this.shutdown(w, leave);
        // A global task is not replaced on its node here: step 2 puts one there if the node still qualifies.
        if (!global) this.create({ slot: t.slot, restarts: t.restarts, message: `replaces a task whose ${leave}` });
      }
    }
  }

  /** Why a task must leave its node now (lost, drained, no longer qualifying), if it must. */
  private mustLeave(t: RTask): string | undefined {
    if (!t.nodeId) return undefined;
    if (nodeLost(this.nodes, t.nodeId)) return 'node is down';
    if (this.nodes.get(t.nodeId)?.spec.availability === 'drain') return 'node is drained';
    return this.noncompliant.get(t.id);
  }

  // ---- 2. replicas ---------------------------------------------------------------

  /**
   * Several tasks in one slot (or on one node): one keeps it, live before
   * finished for good, then the current spec's, then the newest (two
   * leaders may have raced). The old task of a start-first update stays
   * until its replacement runs; the rest are shut down.
   */
  private keepOne(list: Working[]): Working {
    list.sort((a, b) => Number(live(b)) - Number(live(a)) || Number(this.upToDate(b)) - Number(this.upToDate(a)) || createdAt(b) - createdAt(a));
    const keeper = list[0];
    const starting = live(keeper) && this.upToDate(keeper) && !isTerminal(keeper.task.status.state) && taskStateRank(keeper.task.status.state) < taskStateRank('running');
    let oldKept = false;
    for (const extra of list.slice(1)) {
      if (extra.held) extra.held = false;
      else if (starting && !oldKept && live(extra) && !this.upToDate(extra) && !isTerminal(extra.task.status.state)) oldKept = true;
      else this.shutdown(extra, this.upToDate(keeper) && !this.upToDate(extra) ? 'replaced by its update' : 'duplicate task in its slot');
    }
    return keeper;
  }

  private reconcileReplicated(): void {
    const bySlot = new Map<number, Working[]>();
    for (const w of this.work) {
      if (!holds(w) || w.task.slot === undefined) continue;
      const list = bySlot.get(w.task.slot) ?? [];
      list.push(w);
      bySlot.set(w.task.slot, list);
    }
    for (const list of bySlot.values()) if (list.length > 1) this.keepOne(list);
    const replicas = this.service.spec.replicas;
    const liveSlots = [...bySlot.keys()];
    if (liveSlots.length < replicas) {
      const taken = new Set(liveSlots);
      let slot = 0;
      for (let n = liveSlots.length; n < replicas; n++) {
        while (taken.has(++slot));
        this.create({ slot });
      }
    } else if (liveSlots.length > replicas) {
      this.scaleDown(liveSlots.length - replicas);
    }
  }

  /**
   * Takes tasks away from the nodes that run the most of this service first;
   * unplaced tasks go before any. Each removal takes the task with the
   * greatest (unplaced, tasks of the service on its node, least progress,
   * highest slot), the earliest on a tie. Tasks are grouped by node (the
   * unplaced ones as one group), each group sorted once, and a heap holds
   * each group's best task: only the group that lost a task changes its
   * count, so a removal costs O(log nodes), and the choices are those of a
   * scan over every task per removal (O(n x removals), what this was).
   */
  private scaleDown(count: number): void {
    const perNode = new Map<string, number>();
    const candidates = this.work.filter(holds);
    for (const w of candidates) if (w.task.nodeId) perNode.set(w.task.nodeId, (perNode.get(w.task.nodeId) ?? 0) + 1);
    type Candidate = { w: Working; i: number; progress: number; slot: number };
    // '' is the group of unplaced tasks.
    const groups = new Map<string, Candidate[]>();
    candidates.forEach((w, i) => {
      const t = w.task;
      // Then the least far along: a task finished for good before any live one (as swarmkit).
      const c = { w, i, progress: isTerminal(t.status.state) ? 1 : -taskStateRank(t.status.state), slot: t.slot ?? 0 };
      const g = t.nodeId || '';
      const list = groups.get(g);
      if (list) list.push(c);
      else groups.set(g, [c]);
    });
    for (const list of groups.values()) list.sort((a, b) => b.progress - a.progress || b.slot - a.slot || a.i - b.i);
    const at = new Map<string, number>();
    /** The group's best task still holding its slot (removing one slot can shut down tasks of others). */
    const head = (g: string): Candidate | undefined => {
      const list = groups.get(g) ?? [];
      let p = at.get(g) ?? 0;
      while (p < list.length && !holds(list[p].w)) p++;
      at.set(g, p);
      return list[p];
    };
    const keyOf = (g: string, c: Candidate) => [g ? 0 : 1, g ? (perNode.get(g) ?? 0) : 0, c.progress, c.slot];
    type Entry = { key: number[]; i: number; g: string };
    const heap = new BinaryHeap<Entry>((a, b) => {
      const c = compareKeys(a.key, b.key);
      return c > 0 || (c === 0 && a.i < b.i);
    });
    const offer = (g: string) => {
      const c = head(g);
      if (c) heap.push({ key: keyOf(g, c), i: c.i, g });
    };
    for (const g of groups.keys()) offer(g);
    let removed = 0;
    while (removed < count) {
      const e = heap.pop();
      if (!e) return;
      const c = head(e.g);
      if (!c) continue;
      // A group's key only falls (its head moved on): one that fell since it was pushed goes back as it is now.
      if (c.i !== e.i || compareKeys(keyOf(e.g, c), e.key) !== 0) {
        heap.push({ key: keyOf(e.g, c), i: c.i, g: e.g });
        continue;
      }
      this.removeSlot(c.w);
      if (c.w.task.nodeId) perNode.set(c.w.task.nodeId, (perNode.get(c.w.task.nodeId) ?? 1) - 1);
      removed++;
      offer(e.g);
    }
  }

  /**
   * As swarmkit, a scaled-down task is removed, not kept as history of its
   * slot. So are the slot's older tasks finished for good (one replaced by
   * an update): left behind, the newest of them would look like a task
   * holding a slot that is gone.
   */
  private removeSlot(w: Working): void {
    for (const other of this.bySlot.get(w.task.slot) ?? []) {
      const t = other.task;
      if (other === w) continue;
      // The other half of a start-first update, or an older task finished for good.
      const finishedOld = t.desiredState === 'shutdown' && !!other.stored && endedForGood(t as RTask, this.now);
      if (live(other) || finishedOld) this.shutdown(other, 'scaled down', 'remove');
    }
    w.held = false;
    this.shutdown(w, 'scaled down', 'remove');
  }

  private reconcileGlobal(): void {
    // A node whose task finished for good keeps it: no new one there until the spec changes.
    const heldNodes = new Set(this.work.filter((w) => w.held && w.task.nodeId).map((w) => w.task.nodeId as string));
    const byNode = new Map<string, Working[]>();
    for (const w of this.work) {
      if (!live(w) || !w.task.nodeId) continue;
      if (!this.eligibleForGlobal(w.task.nodeId, true)) {
        this.shutdown(w, 'node no longer eligible');
        continue;
      }
      byNode.set(w.task.nodeId, [...(byNode.get(w.task.nodeId) ?? []), w]);
    }
    const liveByNode = new Map<string, Working>();
    for (const [nodeId, list] of byNode) liveByNode.set(nodeId, list.length > 1 ? this.keepOne(list) : list[0]);
    for (const n of this.nodes.values()) {
      if (!liveByNode.has(n.id) && !heldNodes.has(n.id) && this.eligibleForGlobal(n.id, false)) this.create({ nodeId: n.id });
    }
  }

  /** A node for this global service: not Down, not drained, constraints met; paused nodes keep what they run. */
  private eligibleForGlobal(nodeId: string, keeping: boolean): boolean {
    const n = this.nodes.get(nodeId);
    if (!n || n.status.state === 'down' || n.spec.availability === 'drain') return false;
    if (n.spec.availability === 'pause' && !keeping) return false;
    try {
      return matchesConstraints(schedNode(n as Node), parseConstraints(this.service.spec.task.placement.constraints));
    } catch {
      // A constraint that does not parse was refused on input; should one be stored, no node qualifies.
      return false;
    }
  }

  // ---- 3. updates ----------------------------------------------------------------

  /** The slots (nodes, for a global service) as the updater sees them after steps 1 and 2. */
  private updaterSlots(): UpdaterSlot[] {
    const global = this.service.spec.mode === 'global';
    const bySlot = new Map<string, Working[]>();
    for (const w of this.work) {
      if (dropped(w)) continue;
      const k = slotKey(w.task);
      bySlot.set(k, [...(bySlot.get(k) ?? []), w]);
    }
    const out: UpdaterSlot[] = [];
    for (const [key, list] of bySlot) {
      const holders = list.filter(holds);
      if (holders.length === 0) continue;
      const view = (w: Working) => ({ task: w.task as RTask, upToDate: this.upToDate(w) });
      const nodeId = holders[0].task.nodeId;
      out.push({
        key,
        holders: holders.map(view),
        all: list.map(view),
        // A paused node's global task is left as it is: its replacement would be a new task there (swarmkit waits too).
        frozen: global && !!nodeId && this.nodes.get(nodeId)?.spec.availability === 'pause',
        unplaced: holders.every((w) => this.upToDate(w) || !placed(w.task as RTask)),
      });
    }
    // Lowest slot first; global services by node id.
    return out.sort((a, b) => slotOrder(a.key, b.key));
  }

  private updateSlot(key: string, order: 'stop-first' | 'start-first'): void {
    const holders = (this.byKey.get(key) ?? []).filter(holds);
    const outdated = holders.filter((w) => !this.upToDate(w));
    if (outdated.length === 0) return;
    // The slot has its task on the current spec already, made before this update began (a rollback
    // to the spec the old task of a start-first pair runs): the outdated ones only have to go, after
    // it runs if the order is start-first. A new task would be a second one for the slot.
    const current = holders.find((w) => live(w) && this.upToDate(w) && !isTerminal(w.task.status.state));
    if (current) {
      const keepOld = order === 'start-first' && current.task.status.state !== 'running';
      for (const w of outdated) {
        if (w.held) w.held = false;
        else if (!keepOld || !live(w)) this.shutdown(w, 'replaced by its update');
      }
      return;
    }
    const t = outdated[0].task;
    const global = this.service.spec.mode === 'global';
    // Start-first only where an old task runs or is on its way to: one that never reached a node has nothing to hand over.
    const startFirst = order === 'start-first' && outdated.some((w) => live(w) && placed(w.task as RTask) && !isTerminal(w.task.status.state));
    for (const w of outdated) {
      // A finished task was told to shut down already; its replacement takes the slot from it.
      if (w.held) w.held = false;
      else if (!startFirst || !live(w)) this.shutdown(w, 'updating to the new spec');
    }
    if (global && t.nodeId && !this.eligibleForGlobal(t.nodeId, true)) return;
    this.create({ slot: t.slot, nodeId: global ? t.nodeId : undefined, message: startFirst ? 'starts before the task it updates stops' : undefined });
  }

  // ---- 4. history ----------------------------------------------------------------

  private reap(): Action[] {
    const limit = Math.max(1, this.input.historyLimit);
    const groups = new Map<string, Working[]>();
    for (const w of this.work) {
      if (dropped(w)) continue;
      const k = slotKey(w.task);
      const list = groups.get(k) ?? [];
      list.push(w);
      groups.set(k, list);
    }
    const deletes: Action[] = [];
    for (const w of this.work) {
      const t = w.stored;
      if (!t || w.changed || holds(w)) continue;
      // Scaled down and stopped, or on a node that is no more (it will never report): gone for good.
      const stopped = isTerminal(t.status.state) || !t.nodeId || nodeLost(this.nodes, t.nodeId);
      if ((t.desiredState === 'remove' && stopped) || (t.nodeId && !this.nodes.has(t.nodeId))) {
        deletes.push({ op: 'delete', kind: 'task', id: t.id, expectedVersion: t.meta.version });
        w.changed = true;
      }
    }
    for (const list of groups.values()) {
      if (list.length <= limit) continue;
      const finished: RTask[] = [];
      for (const w of list) {
        const t = w.stored;
        if (!t || w.changed || holds(w)) continue;
        if (isTerminal(t.status.state) || !t.nodeId || nodeLost(this.nodes, t.nodeId)) finished.push(t);
      }
      // Live, finished-for-good and still-stopping tasks are kept whatever their age, and count against the limit;
      // the rest of it goes to the newest finished tasks (the last written first when created together).
      const room = Math.max(0, limit - (list.length - finished.length));
      finished.sort((a, b) => Date.parse(b.meta.createdAt) - Date.parse(a.meta.createdAt) || b.meta.version - a.meta.version);
      for (const t of finished.slice(room)) deletes.push({ op: 'delete', kind: 'task', id: t.id, expectedVersion: t.meta.version });
    }
    return deletes;
  }

  // ---- changes -------------------------------------------------------------------

  private shutdown(w: Working, why: string, desired: 'shutdown' | 'remove' = 'shutdown'): void {
    // A stored task is copied shallowly: only its desired state (and status) change, and they are all the write carries.
    const next = w.created ? (w.task as Draft<Task>) : { ...(w.task as RTask) };
    next.desiredState = desired;
    // Nobody will report on a task that never reached a node: it is shut down here.
    if (!next.nodeId && !isTerminal(next.status.state)) {
      next.status = { state: 'shutdown', timestamp: new Date(this.now).toISOString(), message: why };
    }
    w.task = next;
    w.changed = true;
  }

  /**
   * A task that stopped and will not be restarted: told to shut down. It
   * keeps its slot if it ended on its own (the other way a task wanted
   * running stops is an agent's anomaly, and the slot is then refilled).
   */
  private finish(w: Working): void {
    const next: RTask = { ...(w.task as RTask), desiredState: 'shutdown' };
    w.task = next;
    w.changed = true;
    w.held = endedForGood(next, this.now);
  }

  private create(o: { slot?: number; nodeId?: string; notBefore?: number; restarts?: readonly string[]; message?: string }): void {
    const task = newTask(this.service, this.now, (this.input.newId ?? newObjectId)(), o);
    this.add({ task, changed: true, created: true, held: false });
  }

  private actions(): Action[] {
    const out: Action[] = [];
    for (const w of this.work) {
      if (!w.changed || dropped(w)) continue;
      if (w.created) out.push({ op: 'create', kind: 'task', object: w.task as Draft<Task> });
      else if (w.stored) out.push(desiredStateAction(w.stored, w.task as RTask));
    }
    return out;
  }
}

/**
 * The planner changes a stored task's desired state, and the status of one
 * that never reached a node; the narrow action says only that, so a status
 * report landing first neither conflicts with it nor is overwritten.
 */
function desiredStateAction(stored: RTask, next: RTask): Action {
  const a: Action = { op: 'setDesiredState', kind: 'task', id: stored.id, desiredState: next.desiredState };
  if (next.status !== stored.status) a.status = thaw(next.status);
  return a;
}

function slotOrder(a: string, b: string): number {
  if (a[0] === 's' && b[0] === 's') return Number(a.slice(1)) - Number(b.slice(1));
  return a.localeCompare(b);
}

/** New tasks sort as the newest. */
function createdAt(w: Working): number {
  const meta = (w.task as RTask).meta as RTask['meta'] | undefined;
  return meta ? Date.parse(meta.createdAt) : Number.MAX_SAFE_INTEGER;
}

function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

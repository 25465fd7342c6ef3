// A small cluster simulation around planOrchestration: a real MemoryStore, the
// planner's actions applied as transactions (so versions and expectedVersion
// are real), and the test playing everyone else: the user (services, nodes),
// the scheduler (assign a node), the agents (report task states) and the clock
// (a fake `now`, moved by hand). Nothing here sleeps or reads the real clock.

import { defaultServiceSpec } from '../../../lib/api/service-defaults';
import { isTerminal, Service, ServiceSpec, Task, TaskState, taskStateRank } from '../../../lib/api/service-types';
import { Node, NodeAvailability, NodeState } from '../../../lib/api/types';
import { planOrchestrationPass } from '../../../lib/manager/orchestrator/plan';
import { MANUAL_ROLLBACK_MESSAGE, rolledBackService, updatedService } from '../../../lib/manager/orchestrator/update-status';
import { DeepReadonly, MemoryStore, thaw } from '../../../lib/manager/store';
import { Action, Draft } from '../../../lib/manager/store/transaction';
import { matchesConstraints, parseConstraints, schedNode } from '../../../lib/scheduler';

export type RTask = DeepReadonly<Task>;

export const T0 = Date.parse('2026-03-01T12:00:00.000Z');
export const iso = (ms: number): string => new Date(ms).toISOString();

export interface NodeOptions {
  labels?: Record<string, string>;
  availability?: NodeAvailability;
  state?: NodeState;
}

export class Sim {
  readonly store = new MemoryStore();
  now = T0;
  historyLimit = 5;
  /** Transactions the planner produced and the store accepted, in order. */
  readonly planned: Action[][] = [];
  private index = 0;

  // ------------------------------------------------------------------ store

  /** Applies one transaction stamped with the fake clock; a refusal is a test failure. */
  apply(actions: Action[]): void {
    const r = this.store.apply(++this.index, { at: iso(this.now), actions });
    if (!r.ok) throw new Error(`transaction refused: ${r.error.code}: ${r.error.message}`);
  }

  advance(ms: number): void {
    this.now += ms;
  }

  // ------------------------------------------------------------------- user

  addNode(id: string, o: NodeOptions = {}): void {
    const n: Draft<Node> = {
      id,
      spec: { labels: o.labels ?? {}, desiredRole: 'worker', availability: o.availability ?? 'active' },
      role: 'worker',
      description: {
        hostname: `host-${id}`,
        platform: { os: 'linux', arch: 'x86_64' },
        resources: { nanoCPUs: 4e9, memoryBytes: 8 * 2 ** 30 },
      },
      status: { state: o.state ?? 'ready' },
    };
    this.apply([{ op: 'create', kind: 'node', object: n }]);
  }

  updateNode(id: string, edit: (n: Node) => void): void {
    const cur = this.mustGet('node', id);
    const next = thaw(cur) as Node;
    edit(next);
    this.apply([{ op: 'update', kind: 'node', object: next, expectedVersion: cur.meta.version }]);
  }

  setNodeState(id: string, state: NodeState): void {
    this.updateNode(id, (n) => (n.status.state = state));
  }

  setAvailability(id: string, availability: NodeAvailability): void {
    this.updateNode(id, (n) => (n.spec.availability = availability));
  }

  removeNode(id: string): void {
    this.apply([{ op: 'delete', kind: 'node', id }]);
  }

  createService(id: string, edit: (s: ServiceSpec) => void = () => undefined): void {
    const spec = defaultServiceSpec(`svc${id}`, 'nginx:1');
    edit(spec);
    this.apply([{ op: 'create', kind: 'service', object: { id, spec } }]);
  }

  /** A user's `service update`, as the API writes it (previous spec kept, an update started or resumed). */
  updateService(id: string, edit: (s: ServiceSpec) => void): void {
    const cur = this.mustGet('service', id);
    const spec = thaw(cur.spec) as ServiceSpec;
    edit(spec);
    this.apply([{ op: 'update', kind: 'service', object: updatedService(cur, spec, this.now), expectedVersion: cur.meta.version }]);
  }

  /** A user's `service rollback`. */
  rollbackService(id: string): void {
    const cur = this.mustGet('service', id);
    this.apply([{ op: 'update', kind: 'service', object: rolledBackService(cur, MANUAL_ROLLBACK_MESSAGE, this.now), expectedVersion: cur.meta.version }]);
  }

  service(id: string): DeepReadonly<Service> {
    return this.mustGet('service', id);
  }

  removeService(id: string): void {
    this.apply([{ op: 'delete', kind: 'service', id }]);
  }

  // ----------------------------------------------------------- orchestrator

  /** The planner's verdict on the store as it is, without applying it. */
  plan(): Action[][] {
    return this.planWithWake().plans;
  }

  planWithWake(): { plans: Action[][]; wakeAt?: number } {
    return planOrchestrationPass({
      services: this.store.list('service'),
      tasks: this.store.list('task'),
      nodes: this.store.list('node'),
      historyLimit: this.historyLimit,
      now: this.now,
    });
  }

  /** One orchestrator pass, applied; returns how many actions it wrote. */
  pass(): number {
    const plans = this.plan();
    let n = 0;
    for (const actions of plans) {
      expect(actions.length).toBeGreaterThan(0);
      this.apply(actions);
      this.planned.push(actions);
      n += actions.length;
    }
    return n;
  }

  /** Passes until one writes nothing; the orchestrator must get there in a few. Returns the actions written. */
  settle(maxPasses = 10): number {
    let total = 0;
    for (let i = 0; i < maxPasses; i++) {
      const n = this.pass();
      if (n === 0) return total;
      total += n;
    }
    throw new Error(`orchestrator not quiescent after ${maxPasses} passes:\n${JSON.stringify(this.plan(), null, 1)}`);
  }

  // -------------------------------------------------------- scheduler/agent

  /** The scheduler places a task: a node and ASSIGNED. */
  assign(taskId: string, nodeId: string): void {
    this.updateTask(taskId, (t) => {
      t.nodeId = nodeId;
      t.status = { state: 'assigned', timestamp: iso(this.now), message: 'scheduled' };
      delete t.notBefore;
    });
  }

  /** An agent reports a state (timestamped with the fake clock; from RUNNING on, with when it first ran, as agents do). */
  report(taskId: string, state: TaskState, extra: { exitCode?: number; err?: string } = {}): void {
    this.updateTask(taskId, (t) => {
      const startedAt = t.status.startedAt ?? (state === 'running' ? iso(this.now) : undefined);
      t.status = { state, timestamp: iso(this.now), message: state, ...extra };
      if (startedAt !== undefined && taskStateRank(state) >= taskStateRank('running')) t.status.startedAt = startedAt;
    });
  }

  run(taskId: string): void {
    this.report(taskId, 'running');
  }

  fail(taskId: string, exitCode = 1): void {
    this.report(taskId, 'failed', { exitCode, err: `task: non-zero exit (${exitCode})` });
  }

  complete(taskId: string): void {
    this.report(taskId, 'complete', { exitCode: 0 });
  }

  /**
   * A well-behaved scheduler: every unplaced task wanted running whose restart
   * delay is over goes to a node (pinned global tasks to theirs; others to the
   * eligible node running the fewest of the service, then by id). Returns how
   * many were placed.
   */
  schedule(): number {
    let placed = 0;
    for (const t of this.store.list('task')) {
      if (t.desiredState !== 'running' || taskStateRank(t.status.state) >= taskStateRank('assigned')) continue;
      if (t.notBefore && Date.parse(t.notBefore) > this.now) continue;
      const nodeId = t.nodeId ?? this.pickNode(t);
      if (!nodeId) continue;
      this.assign(t.id, nodeId);
      placed++;
    }
    return placed;
  }

  private pickNode(t: RTask): string | undefined {
    const cs = parseConstraints(t.spec.placement.constraints);
    const load = (nodeId: string) =>
      this.store.tasksByNode(nodeId).filter((x) => x.serviceId === t.serviceId && x.desiredState === 'running' && !isTerminal(x.status.state)).length;
    const ok = this.store
      .list('node')
      .filter((n) => n.status.state === 'ready' && n.spec.availability === 'active' && matchesConstraints(schedNode(n as Node), cs));
    ok.sort((a, b) => load(a.id) - load(b.id) || a.id.localeCompare(b.id));
    return ok[0]?.id;
  }

  /**
   * Well-behaved agents on every node that is not down: assigned tasks wanted
   * running start (RUNNING), tasks told to stop stop (SHUTDOWN). Returns how
   * many reports were written.
   */
  agents(): number {
    let n = 0;
    for (const t of this.store.list('task')) {
      if (!t.nodeId || isTerminal(t.status.state)) continue;
      const node = this.store.get('node', t.nodeId);
      if (!node || node.status.state === 'down') continue;
      if (t.desiredState !== 'running') {
        this.report(t.id, 'shutdown');
        n++;
      } else if (taskStateRank(t.status.state) >= taskStateRank('assigned') && t.status.state !== 'running') {
        this.run(t.id);
        n++;
      }
    }
    return n;
  }

  /** Orchestrator, scheduler and agents in turn until nobody has anything to do. */
  converge(maxRounds = 20): void {
    for (let i = 0; i < maxRounds; i++) {
      const n = this.settle() + this.schedule() + this.agents();
      if (n === 0) return;
    }
    throw new Error(`cluster did not converge in ${maxRounds} rounds`);
  }

  // ------------------------------------------------------------------ reads

  task(id: string): RTask {
    return this.mustGet('task', id);
  }

  tasks(serviceId?: string): RTask[] {
    return serviceId === undefined ? this.store.list('task') : this.store.tasksByService(serviceId);
  }

  /** Tasks wanted running (the ones that hold a slot or a node). */
  live(serviceId: string): RTask[] {
    return this.tasks(serviceId).filter((t) => t.desiredState === 'running');
  }

  /** Tasks wanted and observed running. */
  running(serviceId: string): RTask[] {
    return this.live(serviceId).filter((t) => t.status.state === 'running');
  }

  /** The live task of a slot (exactly one, or the test fails). */
  inSlot(serviceId: string, slot: number): RTask {
    const ts = this.live(serviceId).filter((t) => t.slot === slot);
    expect(ts).toHaveLength(1);
    return ts[0];
  }

  /** The live task on a node for a global service (exactly one, or the test fails). */
  onNode(serviceId: string, nodeId: string): RTask {
    const ts = this.live(serviceId).filter((t) => t.nodeId === nodeId);
    expect(ts).toHaveLength(1);
    return ts[0];
  }

  slotHistory(serviceId: string, slot: number): RTask[] {
    return this.tasks(serviceId)
      .filter((t) => t.slot === slot)
      .sort((a, b) => Date.parse(a.meta.createdAt) - Date.parse(b.meta.createdAt));
  }

  liveSlots(serviceId: string): number[] {
    return this.live(serviceId)
      .map((t) => t.slot ?? -1)
      .sort((a, b) => a - b);
  }

  private mustGet<K extends 'node' | 'service' | 'task'>(kind: K, id: string) {
    const o = this.store.get(kind, id);
    if (!o) throw new Error(`no ${kind} ${id}`);
    return o;
  }

  private updateTask(id: string, edit: (t: Task) => void): void {
    const cur = this.task(id);
    const next = thaw(cur) as Task;
    edit(next);
    this.apply([{ op: 'update', kind: 'task', object: next, expectedVersion: cur.meta.version }]);
  }
}

// The orchestrator: a leader loop that runs planOrchestration and commits
// its actions, one transaction per service, cut in several under the entry
// size bound when the service is big (100,000 new replicas are some 60 MiB of
// actions). A pass plans only the services touched since the last one (a
// change to the service or one of its tasks, a node its tasks are on, any
// node for global services) and those whose update delay, monitor period or
// restart delay ends; the full pass of ReconcileLoop plans them all.

import { Task, isTerminal } from '../../api/service-types';
import { DeepReadonly, StoreEvent } from '../store';
import { chunkActions } from '../entry-size';
import { ManagerError } from '../errors';
import { ControlHost } from '../control-host';
import { PassResult, ReconcileLogger, ReconcileLoop } from '../reconcile-loop';
import { DEFAULT_CLUSTER_SPEC } from '../cluster-init';
import { noncompliantTasks } from './constraint-enforcer';
import { planOrchestrationPass } from './plan';

const YIELD_MS = 20;

export class Orchestrator extends ReconcileLoop {
  readonly name = 'orchestrator';
  /** Services to plan at the next pass (some may be gone: their tasks are then removed). */
  private dirty = new Set<string>();
  /** When a service asked to be planned again though nothing changes. */
  private readonly wakes = new Map<string, number>();
  /** Nodes changed since the last pass: all their tasks' services are dirty, so their resources can be judged. */
  private nodesChanged = new Set<string>();

  constructor(m: ControlHost, log: ReconcileLogger) {
    super(m, ['service', 'task', 'node', 'cluster'], log);
  }

  protected override onEvent(ev: StoreEvent): void {
    if (ev.action === 'reset') return;
    switch (ev.kind) {
      case 'service':
        this.dirty.add(ev.id);
        return;
      case 'task':
        if (ev.action !== 'update' || !ev.oldObject || taskChangeMatters(ev.oldObject, ev.object, this.updating(ev.object.serviceId))) {
          this.dirty.add(ev.object.serviceId);
        }
        return;
      case 'node':
        this.nodesChanged.add(ev.id);
        for (const t of this.m.store.tasksByNode(ev.id)) this.dirty.add(t.serviceId);
        // A node coming, going or changing labels changes where global services run.
        for (const s of this.m.store.list('service')) if (s.spec.mode === 'global') this.dirty.add(s.id);
        return;
      case 'cluster':
        // The task history limit: every service.
        this.requestFull();
        return;
    }
  }

  protected async pass(now: number, full: boolean): Promise<PassResult> {
    const store = this.m.store;
    let ids: string[];
    const resourceNodes = this.nodesChanged;
    this.nodesChanged = new Set();
    if (full) {
      ids = [];
      this.dirty.clear();
      this.wakes.clear();
    } else {
      for (const [id, at] of this.wakes) if (at <= now) this.dirty.add(id);
      if (this.dirty.size === 0) return this.next();
      ids = [...this.dirty].sort();
      this.dirty = new Set();
      for (const id of ids) this.wakes.delete(id);
    }
    if (full) {
      // Every service, and the ones gone whose tasks remain.
      ids = store.list('service').map((sv) => sv.id);
      const known = new Set(ids);
      const gone = new Set<string>();
      for (const t of store.scan('task')) if (!known.has(t.serviceId)) gone.add(t.serviceId);
      ids.push(...[...gone].sort());
    }
    // By id once for the pass: every service's plan looks its tasks' nodes up.
    const nodes = new Map(store.list('node').map((n) => [n.id, n]));
    const cluster = store.list('cluster')[0];
    const tasksOf = new Map(ids.map((id) => [id, store.tasksByService(id)]));
    // Judged once over every task of the pass, then each service is planned and written before the next is
    // planned: 100,000 tasks planned in one go held the event loop past Raft's election timeout.
    const noncompliant = noncompliantTasks(
      [...tasksOf.values()].flat(),
      nodes,
      full ? undefined : resourceNodes,
    );
    let retry = false;
    let lastYield = this.m.clock();
    for (const id of ids) {
      const service = store.get('service', id);
      const { plans, wakes } = planOrchestrationPass({
        services: service ? [service] : [],
        tasks: tasksOf.get(id) ?? [],
        nodes,
        historyLimit: cluster?.spec.taskHistoryLimit ?? DEFAULT_CLUSTER_SPEC.taskHistoryLimit,
        now,
        newId: this.m.ids,
        noncompliant,
      });
      for (const [sid, at] of wakes) this.wakes.set(sid, at);
      for (const plan of plans) {
        // A chunk that conflicts leaves the others written: each action stands on
        // its own (the next pass plans from whatever state results), as it does
        // between services.
        for (const actions of chunkActions(plan, this.m.maxEntryBytes)) {
          try {
            await this.m.write(actions);
          } catch (e) {
            // A status report or a user's change got in between: the next pass sees it.
            if (e instanceof ManagerError && (e.code === 'Conflict' || e.code === 'NotFound')) retry = true;
            else throw e;
          }
        }
      }
      // Services with nothing to write give the event loop its turn too, every 20 ms (by the host's clock:
      // a simulation on virtual time never waits here, so its runs stay the same).
      if (plans.length > 0) lastYield = this.m.clock();
      else if (this.m.clock() - lastYield >= YIELD_MS) {
        await new Promise((r) => this.m.timers.setTimeout(() => r(undefined), 0));
        lastYield = this.m.clock();
      }
    }
    // What conflicted is planned again; the events of what was written mark their services anyway.
    if (retry && full) this.requestFull();
    else if (retry) {
      for (const id of ids) this.dirty.add(id);
      for (const id of resourceNodes) this.nodesChanged.add(id);
    }
    return { ...this.next(), retry };
  }

  /** An update or rollback under way: it waits for its new tasks to run. */
  private updating(serviceId: string): boolean {
    const st = this.m.store.get('service', serviceId)?.updateStatus?.state;
    return st === 'updating' || st === 'rollback_started';
  }

  private next(): PassResult {
    let wakeAt: number | undefined;
    for (const at of this.wakes.values()) if (wakeAt === undefined || at < wakeAt) wakeAt = at;
    return wakeAt === undefined ? {} : { wakeAt };
  }
}

/**
 * What in a task's change the planner acts on: whether it is wanted, whether
 * it stopped (restarts, an update's failures), and while an update is under
 * way whether it runs (the update's next batch, a start-first old task).
 * Its placement and its walk through accepted, preparing and starting are
 * not: 100,000 tasks starting would otherwise replan their services for every
 * batch of reports. A node lost under a task is a node event; the full pass
 * catches anything else this leaves out.
 */
export function taskChangeMatters(old: DeepReadonly<Task>, next: DeepReadonly<Task>, updating: boolean): boolean {
  if (old.desiredState !== next.desiredState) return true;
  if (old.status.state === next.status.state) return false;
  return isTerminal(next.status.state) || (updating && next.status.state === 'running');
}

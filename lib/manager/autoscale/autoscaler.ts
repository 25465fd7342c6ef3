// The autoscaler: a leader loop that, every period (15 s, as Kubernetes' HPA
// controller syncs), runs planAutoscale for each replicated service with a
// policy, on its tasks and their latest samples, and writes a decision that
// changes replicas through Raft as the service's spec.replicas together with
// its autoscaleStatus. It runs on a timer rather than on store changes: the
// figures it reads are not in the store, and deciding more often than the
// samples change would only add noise.
//
// A decision does not touch previousSpec: scaling by load is not an update
// that `service rollback` should return to. The recommendation history lives
// in this loop's memory, as the HPA controller's does; a new leader starts
// without it (plan.ts says how that is kept from causing a scale-down).

import type { AutoscaleDecision, Service, Task } from '../../api/service-types';
import { isTerminal } from '../../api/service-types';
import { ManagerError } from '../errors';
import type { LeaderLoop } from '../leader-loops';
import type { ControlHost } from '../control-host';
import { sleepOn, TimerHandle } from '../../util/timers';
import { METRICS_MAX_AGE_MS, MetricsView } from '../metrics/metrics-view';
import { DeepReadonly, thaw } from '../store';
import type { Draft } from '../store/transaction';
import { AutoscaleHistory, DEFAULT_AUTOSCALE_PERIOD_MS, planAutoscale, recordChange, ScaledTask } from './plan';

export interface AutoscalerLogger {
  info(msg: string): void;
  warn(msg: string): void;
}

export interface AutoscalerOptions {
  /** How often it decides, and the scale-up rate's period (15 s; shortened by tests). */
  periodMs?: number;
}

/** What the loop needs of a manager; tests give it a store they apply to directly, and their clock. */
export type AutoscalerHost = Pick<ControlHost, 'store' | 'write' | 'syncRead' | 'clock' | 'timers'>;

export interface AppliedDecision {
  serviceId: string;
  service: string;
  decision: AutoscaleDecision;
}

export class Autoscaler implements LeaderLoop {
  readonly name = 'autoscaler';
  readonly periodMs: number;
  private readonly histories = new Map<string, AutoscaleHistory>();
  /** The last "nothing changes because…" logged per service, so it is said once, not every period. */
  private readonly notes = new Map<string, string>();
  private generation = 0;
  private timer?: TimerHandle;

  constructor(
    private readonly host: AutoscalerHost,
    private readonly metrics: MetricsView,
    private readonly log: AutoscalerLogger,
    opts: AutoscalerOptions = {},
  ) {
    this.periodMs = opts.periodMs ?? DEFAULT_AUTOSCALE_PERIOD_MS;
  }

  start(): void {
    const gen = ++this.generation;
    this.histories.clear();
    this.notes.clear();
    void this.run(gen);
  }

  async stop(): Promise<void> {
    this.generation++;
    if (this.timer !== undefined) this.host.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async run(gen: number): Promise<void> {
    // A new leader decides on a store that holds everything its predecessor committed.
    while (gen === this.generation) {
      try {
        await this.host.syncRead();
        break;
      } catch (e) {
        this.log.warn(`autoscaler: waiting for the store to catch up: ${e instanceof Error ? e.message : String(e)}`);
        await sleepOn(this.host.timers, 200);
      }
    }
    const tick = async (): Promise<void> => {
      if (gen !== this.generation) return;
      try {
        await this.pass(this.host.clock());
      } catch (e) {
        this.log.warn(`autoscaler: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (gen === this.generation) this.timer = this.host.timers.setTimeout(() => void tick(), this.periodMs);
    };
    // The first decision waits one period: samples of the previous leader's
    // agents are not here yet, and would show every task as silent.
    if (gen === this.generation) this.timer = this.host.timers.setTimeout(() => void tick(), this.periodMs);
  }

  /** One decision for every autoscaled service; returns the ones written. */
  async pass(now: number): Promise<AppliedDecision[]> {
    const services = this.host.store.list('service');
    const tasksBy = new Map<string, DeepReadonly<Task>[]>();
    for (const t of this.host.store.list('task')) {
      if (t.desiredState !== 'running' || isTerminal(t.status.state)) continue;
      const list = tasksBy.get(t.serviceId);
      if (list) list.push(t);
      else tasksBy.set(t.serviceId, [t]);
    }
    const applied: AppliedDecision[] = [];
    const seen = new Set<string>();
    for (const s of services) {
      const policy = s.spec.autoscale;
      if (s.spec.mode !== 'replicated' || !policy) continue;
      seen.add(s.id);
      const tasks = tasksBy.get(s.id) ?? [];
      const samples = this.metrics.latest(
        tasks.map((t) => t.id),
        now,
        METRICS_MAX_AGE_MS,
      );
      const scaled: ScaledTask[] = tasks.map((t) => {
        const st: ScaledTask = { id: t.id, running: t.status.state === 'running', resources: t.spec.resources };
        const sample = samples.get(t.id);
        if (sample) st.sample = { cpuPercent: sample.cpuPercent, memoryBytes: sample.memoryBytes };
        return st;
      });
      const out = planAutoscale({ policy, replicas: s.spec.replicas, tasks: scaled, history: this.histories.get(s.id), now, ratePeriodMs: this.periodMs });
      this.histories.set(s.id, out.history);
      this.say(s, out.note);
      if (!out.decision) continue;
      const decision: AutoscaleDecision = { at: new Date(now).toISOString(), ...out.decision };
      try {
        await this.host.write([{ op: 'update', kind: 'service', object: scaledService(s, decision), expectedVersion: s.meta.version }]);
      } catch (e) {
        // A user's change got in between: the next period decides on it.
        if (e instanceof ManagerError && (e.code === 'Conflict' || e.code === 'NotFound')) continue;
        throw e;
      }
      recordChange(out.history, now, decision.to - decision.from);
      this.log.info(`autoscaler: service ${s.spec.name} scaled from ${decision.from} to ${decision.to}: ${decision.reason}`);
      applied.push({ serviceId: s.id, service: s.spec.name, decision });
    }
    for (const id of this.histories.keys()) {
      if (!seen.has(id)) {
        this.histories.delete(id);
        this.notes.delete(id);
      }
    }
    return applied;
  }

  private say(s: DeepReadonly<Service>, note: string | undefined): void {
    if (note === undefined) {
      this.notes.delete(s.id);
      return;
    }
    if (this.notes.get(s.id) === note) return;
    this.notes.set(s.id, note);
    this.log.info(`autoscaler: service ${s.spec.name} stays at ${s.spec.replicas}: ${note}`);
  }
}

/** The service with the decided replicas and the decision; everything else (previousSpec included) as it was. */
export function scaledService(s: DeepReadonly<Service>, decision: AutoscaleDecision): Draft<Service> {
  const next = thaw(s) as Draft<Service> & { meta?: unknown };
  delete next.meta;
  next.spec.replicas = decision.to;
  next.autoscaleStatus = { last: decision };
  return next;
}

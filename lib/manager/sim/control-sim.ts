// The control-plane simulator: the leader's real Orchestrator and
// SchedulingLoop on virtual time, over one store that stands for the
// replicated one (sim-store.ts), with fake agents (fake-agent.ts), a user who
// creates, scales, updates, rolls back and removes services and drains,
// pauses and reactivates nodes, and seeded faults: agents lost (session
// closed, or silent) and back (with their containers, or rebooted without
// them), leader changes (loops stopped, writes in flight committed or lost,
// fresh loops with no memory after a gap), watch overflows (the loops'
// watchers get a tiny queue bound) and conflicting writes (another writer
// touches what a loop read, just before its write applies). The invariants
// (invariants.ts) are checked after every step; once the faults stop, every
// service must converge. A run is a pure function of its seed: same seed,
// same fingerprint.

import { defaultServiceSpec } from '../../api/service-defaults';
import { Service, ServiceSpec, Task, UpdateConfig } from '../../api/service-types';
import { Node } from '../../api/types';
import { Hasher } from '../../raft/sim/hash';
import { Prng } from '../../raft/sim/prng';
import { Orchestrator } from '../orchestrator/orchestrator';
import { MANUAL_ROLLBACK_MESSAGE, rolledBackService, updatedService } from '../orchestrator/update-status';
import { SchedulingLoop } from '../scheduling-loop';
import { Action, DeepReadonly, thaw } from '../store';
import { Draft } from '../store/transaction';
import { FakeAgent } from './fake-agent';
import { convergenceGaps, safetyViolations, stopFirstViolations } from './invariants';
import { SimHost } from './sim-host';
import { CommitLog, SimStore } from './sim-store';
import { VirtualTime } from './virtual-time';

export const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const HEARTBEAT_MS = 1_000;
const MISSED_PERIODS = 3;
const NODE_CPUS = 4e9;
const NODE_MEMORY = 8 * 2 ** 30;
/** Reserved replicated services together stay under this share of the cluster, so every run can converge. */
const BUDGET_SHARE = 0.4;

export interface ControlSimOptions {
  seed: number;
  /** Virtual time during which faults and user actions happen. */
  faultMs?: number;
  /** Virtual time after the faults within which everything must converge. */
  settleMs?: number;
  /** Keep the whole event trace (else the last 200 lines). */
  verbose?: boolean;
}

export interface ControlSimStats {
  steps: number;
  commits: number;
  refused: number;
  leaderChanges: number;
  agentLosses: number;
  userActions: number;
  injectedConflicts: number;
  watchOverflows: number;
  loopWarnings: number;
  tasks: number;
  /** Virtual ms from the end of the faults until everything converged. */
  convergeMs?: number;
}

export interface ControlSimReport {
  seed: number;
  /** Fingerprint of everything committed and every event: the same for the same seed. */
  hash: string;
  violations: string[];
  /** Why it had not converged by the deadline; [] when it had. */
  gaps: string[];
  stats: ControlSimStats;
  trace: string[];
}

interface Draw {
  nodes: number;
  pConflict: number;
  watchLimit: number | undefined;
  endChance: number;
}

class ControlSim {
  private readonly rng: Prng;
  private readonly time = new VirtualTime(T0);
  private readonly store = new SimStore();
  private readonly commits: CommitLog;
  private readonly agents = new Map<string, FakeAgent>();
  private readonly hash = new Hasher('control-sim');
  private readonly trace: string[] = [];
  private readonly stats: ControlSimStats = {
    steps: 0,
    commits: 0,
    refused: 0,
    leaderChanges: 0,
    agentLosses: 0,
    userActions: 0,
    injectedConflicts: 0,
    watchOverflows: 0,
    loopWarnings: 0,
    tasks: 0,
  };
  private readonly draw: Draw;
  /** What the last step's leader-loop writes broke (checked as they apply). */
  private readonly writeViolations: string[] = [];
  private readonly userRng: Prng;
  private readonly faultRng: Prng;
  private readonly idRng: Prng;
  private term = 0;
  private host: SimHost | undefined;
  private loops: { stop(): Promise<void> }[] = [];
  private faultsOn = true;
  private readonly faultEnd: number;
  private readonly deadline: number;
  private serviceCount = 0;
  private imageGen = 0;

  constructor(private readonly o: ControlSimOptions) {
    this.rng = new Prng(o.seed);
    this.userRng = this.rng.fork();
    this.faultRng = this.rng.fork();
    this.idRng = this.rng.fork();
    const commitRng = this.rng.fork();
    this.draw = {
      nodes: this.rng.int(2, 7),
      pConflict: this.rng.pick([0, 0.05, 0.2]),
      watchLimit: this.rng.pick([undefined, 1, 3]),
      endChance: this.rng.pick([0, 0.005, 0.02]),
    };
    this.commits = new CommitLog(this.store, this.time, commitRng, () => commitRng.int(1, 15));
    this.commits.beforeApply = (actions) => this.maybeConflict(actions);
    this.commits.onApplied = (r, actions, loop) => {
      this.stats.commits++;
      if (loop && r.ok) this.writeViolations.push(...stopFirstViolations(this.store, actions));
      if (!r.ok) this.stats.refused++;
      this.hash.num(r.index).num(r.ok ? 1 : 0).str(r.error ?? '');
      if (this.o.verbose) this.trace.push(`${((this.time.now - T0) / 1000).toFixed(3)}s   commit ${r.index} ${r.ok ? 'ok' : r.error}: ${actions.map(describeAction).join('; ')}`);
      for (const a of actions) {
        this.hash.str(a.op).str(a.kind).str('object' in a ? a.object.id ?? '' : a.id);
        if ((a.op === 'create' || a.op === 'update') && a.kind === 'task') this.hash.str(a.object.status.state).str(a.object.desiredState).str(a.object.nodeId ?? '');
        else if (a.op === 'setTaskStatus' || a.op === 'assign') this.hash.str(a.status.state).str(a.op === 'assign' ? a.nodeId : a.nodeId ?? '');
        else if (a.op === 'setDesiredState') this.hash.str(a.desiredState);
      }
    };
    this.faultEnd = T0 + (o.faultMs ?? 60_000);
    this.deadline = this.faultEnd + (o.settleMs ?? 120_000);
  }

  private note(line: string): void {
    const l = `${((this.time.now - T0) / 1000).toFixed(3)}s ${line}`;
    this.hash.str(l);
    this.trace.push(l);
    if (!this.o.verbose && this.trace.length > 400) this.trace.splice(0, 200);
  }

  private newId = (): string => {
    let s = '';
    for (let i = 0; i < 25; i++) s += '0123456789abcdefghijklmnopqrstuvwxyz'[this.idRng.int(0, 35)];
    return s;
  };

  // ---- setup -------------------------------------------------------------------

  private setup(): void {
    this.store.watchLimit = this.draw.watchLimit;
    this.note(`seed ${this.o.seed}: ${this.draw.nodes} nodes, conflicts ${this.draw.pConflict}, watch limit ${this.draw.watchLimit ?? 'default'}, task end chance ${this.draw.endChance}`);
    for (let i = 1; i <= this.draw.nodes; i++) {
      const id = `node${i}`;
      const n: Draft<Node> = {
        id,
        spec: { labels: { zone: i % 2 === 1 ? 'a' : 'b' }, desiredRole: 'worker', availability: 'active' },
        role: 'worker',
        description: { hostname: id, platform: { os: 'linux', arch: 'x86_64' }, resources: { nanoCPUs: NODE_CPUS, memoryBytes: NODE_MEMORY } },
        status: { state: 'ready' },
      };
      this.mustApply([{ op: 'create', kind: 'node', object: n }]);
      const agent = new FakeAgent(id, this.rng.fork(), this.time.now);
      this.agents.set(id, agent);
      this.armAgent(agent, this.rng.int(100, 400));
    }
    this.startTerm();
    this.armUser();
    this.armFault();
  }

  private mustApply(actions: Action[]): void {
    const r = this.commits.applyNow(actions);
    if (!r.ok) throw new Error(`setup write refused: ${r.error.message}`);
  }

  // ---- leadership ----------------------------------------------------------------

  private startTerm(): void {
    const term = ++this.term;
    const host = new SimHost(this.commits, this.time, this.newId, term);
    this.host = host;
    const log = { warn: (m: string) => (this.stats.loopWarnings++, this.note(`term ${term} warn: ${m}`)) };
    const orch = new Orchestrator(host, log);
    const sched = new SchedulingLoop(host, log);
    this.loops = [orch, sched];
    this.note(`term ${term} starts`);
    orch.start();
    sched.start();
    this.armSweep(host, host.clock());
  }

  private async changeLeader(): Promise<void> {
    const host = this.host;
    if (!host) return;
    this.stats.leaderChanges++;
    this.note(`term ${host.term} ends`);
    this.host = undefined;
    host.end();
    const loops = this.loops;
    this.loops = [];
    await Promise.all(loops.map((l) => l.stop()));
    this.time.setTimeout(() => this.startTerm(), this.faultRng.int(200, 3_000));
  }

  /** The dispatcher's liveness sweep, as the term's leader runs it (dispatcher.ts's rules, heartbeat 1 s). */
  private armSweep(host: SimHost, termStart: number): void {
    host.termTimers.setTimeout(() => {
      const now = host.clock();
      const actions: Action[] = [];
      for (const n of this.store.list('node')) {
        const agent = this.agents.get(n.id);
        if (!agent) continue;
        let want = n.status.state;
        if (agent.alive) want = 'ready';
        else {
          const periods = agent.lostAs === 'closed' ? 1 : MISSED_PERIODS;
          // A new leader gives every agent a grace of 3 periods to find it.
          const since = Math.max(agent.lastBeat, termStart + (MISSED_PERIODS - periods) * HEARTBEAT_MS);
          if (now - since > periods * HEARTBEAT_MS) want = 'down';
        }
        if (want === n.status.state) continue;
        const next = thaw(n);
        next.status = { ...next.status, state: want };
        actions.push({ op: 'update', kind: 'node', object: next, expectedVersion: n.meta.version });
      }
      if (actions.length > 0) {
        this.note(`dispatcher: ${actions.map((a) => (a.op === 'update' && a.kind === 'node' ? `${a.object.id} ${a.object.status.state}` : '')).join(', ')}`);
        host.writeOther(actions).catch(() => undefined);
      }
      this.armSweep(host, termStart);
    }, HEARTBEAT_MS);
  }

  // ---- agents --------------------------------------------------------------------

  private armAgent(agent: FakeAgent, every: number): void {
    let writing = false;
    const tick = (): void => {
      this.time.setTimeout(tick, every);
      if (!agent.alive) return;
      const host = this.host;
      // No leader: the agent keeps what it ran and reports to the next one.
      if (!host || writing) {
        if (!host) agent.lastBeat = this.time.now;
        return;
      }
      const actions = agent.tick(this.store, this.time.now, { endChance: this.faultsOn ? this.draw.endChance : 0 });
      if (actions.length === 0) return;
      writing = true;
      host
        .writeOther(actions)
        .catch(() => undefined)
        .finally(() => (writing = false));
    };
    this.time.setTimeout(tick, every);
  }

  // ---- the user ------------------------------------------------------------------

  private armUser(): void {
    this.time.setTimeout(() => {
      if (!this.faultsOn) return;
      this.userAction();
      this.armUser();
    }, this.userRng.int(300, 3_000));
  }

  private userAction(): void {
    const host = this.host;
    // The API forwards to the leader; without one the user's command fails and changes nothing.
    if (!host) return;
    const r = this.userRng;
    const services = this.store.list('service');
    const roll = r.next();
    let actions: Action[] | undefined;
    let what = '';
    if (services.length === 0 || (roll < 0.25 && services.length < 6)) {
      const spec = this.newSpec(r);
      if (!this.fits(undefined, spec)) return;
      actions = [{ op: 'create', kind: 'service', object: { id: this.newId(), spec } }];
      what = `create ${spec.name} (${spec.mode}${spec.mode === 'replicated' ? ` x${spec.replicas}` : ''}, ${spec.task.resources.reservations.nanoCPUs / 1e9} CPU, ${spec.update?.order})`;
    } else {
      const s = r.pick(services);
      if (roll < 0.55) {
        if (s.spec.mode !== 'replicated') return;
        const spec = thaw(s.spec) as ServiceSpec;
        spec.replicas = r.int(0, 8);
        if (!this.fits(s.id, spec)) return;
        actions = [{ op: 'update', kind: 'service', object: updatedService(s, spec, this.time.now), expectedVersion: s.meta.version }];
        what = `scale ${s.spec.name} to ${spec.replicas}`;
      } else if (roll < 0.8) {
        const spec = thaw(s.spec) as ServiceSpec;
        spec.task.container.image = `img:${++this.imageGen}`;
        if (r.chance(0.3)) spec.update = updateConfig(r);
        actions = [{ op: 'update', kind: 'service', object: updatedService(s, spec, this.time.now), expectedVersion: s.meta.version }];
        what = `update ${s.spec.name} to ${spec.task.container.image} (${spec.update?.order})`;
      } else if (roll < 0.7) {
        const nodes = this.store.list('node');
        const n = r.pick(nodes);
        const availability = r.pick(['active', 'active', 'drain', 'pause'] as const);
        const next = thaw(n);
        next.spec.availability = availability;
        actions = [{ op: 'update', kind: 'node', object: next, expectedVersion: n.meta.version }];
        what = `node update --availability ${availability} ${n.id}`;
      } else if (roll < 0.88 && s.previousSpec) {
        actions = [{ op: 'update', kind: 'service', object: rolledBackService(s, MANUAL_ROLLBACK_MESSAGE, this.time.now), expectedVersion: s.meta.version }];
        what = `rollback ${s.spec.name}`;
      } else {
        actions = [{ op: 'delete', kind: 'service', id: s.id }];
        what = `remove ${s.spec.name}`;
      }
    }
    this.stats.userActions++;
    this.note(`user: ${what}`);
    host.writeOther(actions).catch((e: unknown) => this.note(`user: ${what} failed: ${e instanceof Error ? e.message : String(e)}`));
  }

  private newSpec(r: Prng): ServiceSpec {
    const spec = defaultServiceSpec(`svc${++this.serviceCount}`, `img:${++this.imageGen}`);
    spec.mode = r.chance(0.2) ? 'global' : 'replicated';
    spec.replicas = spec.mode === 'replicated' ? r.int(0, 6) : 1;
    spec.task.restartPolicy = { condition: 'any', delayMs: r.pick([0, 500, 2_000]), maxAttempts: 0, windowMs: 0 };
    if (r.chance(0.3)) spec.task.placement.constraints = [`node.labels.zone==${r.pick(['a', 'b'])}`];
    // Reservations only where the budget can be kept for sure: unconstrained replicated services.
    if (spec.mode === 'replicated' && spec.task.placement.constraints.length === 0 && r.chance(0.6)) {
      spec.task.resources.reservations = { nanoCPUs: r.pick([0.25, 0.5, 1]) * 1e9, memoryBytes: r.pick([0, 256, 512]) * 2 ** 20 };
    }
    spec.update = updateConfig(r);
    // A paused rollback would wait for an operator forever: this user never pauses.
    spec.rollback = { ...updateConfig(r), failureAction: 'continue' };
    return spec;
  }

  /** Whether the reserved replicated services, with `spec` for `id`, stay within the budget. */
  private fits(id: string | undefined, spec: ServiceSpec): boolean {
    let cpu = 0;
    let mem = 0;
    const add = (s: DeepReadonly<ServiceSpec>) => {
      if (s.mode !== 'replicated') return;
      cpu += s.replicas * s.task.resources.reservations.nanoCPUs;
      mem += s.replicas * s.task.resources.reservations.memoryBytes;
    };
    for (const s of this.store.list('service')) {
      if (s.id === id) continue;
      add(s.spec);
      // A rollback may bring the previous spec's size back.
      if (s.previousSpec) add(s.previousSpec);
    }
    add(spec);
    return cpu <= BUDGET_SHARE * this.draw.nodes * NODE_CPUS && mem <= BUDGET_SHARE * this.draw.nodes * NODE_MEMORY;
  }

  // ---- faults --------------------------------------------------------------------

  private armFault(): void {
    this.time.setTimeout(() => {
      if (!this.faultsOn) return;
      void this.fault();
      this.armFault();
    }, this.faultRng.int(1_000, 6_000));
  }

  private async fault(): Promise<void> {
    const r = this.faultRng;
    const roll = r.next();
    const alive = [...this.agents.values()].filter((a) => a.alive);
    const dead = [...this.agents.values()].filter((a) => !a.alive);
    if (roll < 0.35 && alive.length > 0) {
      const a = r.pick(alive);
      a.alive = false;
      a.lostAs = r.chance(0.5) ? 'closed' : 'silent';
      this.stats.agentLosses++;
      this.note(`fault: agent ${a.nodeId} lost (${a.lostAs}, ${a.liveContainers} containers)`);
    } else if (roll < 0.65 && dead.length > 0) {
      const a = r.pick(dead);
      a.alive = true;
      a.lastBeat = this.time.now;
      const rebooted = r.chance(0.5);
      if (rebooted) a.reboot();
      this.note(`fault: agent ${a.nodeId} back${rebooted ? ' from a reboot, its containers gone' : ''}`);
    } else if (roll < 0.85) {
      await this.changeLeader();
    }
  }

  /** Another writer touches an object a leader loop's write is conditioned on, just before it applies. */
  private maybeConflict(actions: readonly Action[]): void {
    if (!this.faultsOn || !this.faultRng.chance(this.draw.pConflict)) return;
    const conditioned = actions.filter((a) => a.op === 'update' && a.expectedVersion !== undefined);
    if (conditioned.length === 0) return;
    const a = this.faultRng.pick(conditioned);
    if (a.op !== 'update') return;
    let touch: Action | undefined;
    if (a.kind === 'task') {
      const t = this.store.get('task', a.object.id);
      if (t) touch = { op: 'update', kind: 'task', object: thaw(t), expectedVersion: t.meta.version };
    } else if (a.kind === 'service') {
      const s = this.store.get('service', a.object.id);
      if (s) touch = { op: 'update', kind: 'service', object: updatedService(s, thaw(s.spec) as ServiceSpec, this.time.now), expectedVersion: s.meta.version };
    }
    if (!touch) return;
    this.stats.injectedConflicts++;
    this.note(`fault: conflicting write to ${a.kind} ${a.object.id.slice(0, 8)}`);
    this.commits.applyNow([touch]);
  }

  private stopFaults(): void {
    this.faultsOn = false;
    this.store.watchLimit = undefined;
    for (const a of this.agents.values()) {
      if (a.alive) continue;
      a.alive = true;
      a.lastBeat = this.time.now;
    }
    // The operator ends the maintenance: the capacity budget holds for the whole cluster only.
    const inactive = this.store.list('node').filter((n) => n.spec.availability !== 'active');
    if (inactive.length > 0) {
      this.mustApply(
        inactive.map((n) => {
          const next = thaw(n);
          next.spec.availability = 'active';
          return { op: 'update', kind: 'node', object: next, expectedVersion: n.meta.version };
        }),
      );
    }
    // A leader change in progress finishes on its own timer.
    this.note(`faults stop; every agent is back${inactive.length > 0 ? `, ${inactive.map((n) => n.id).join(', ')} active again` : ''}`);
  }

  // ---- the run -------------------------------------------------------------------

  async run(): Promise<ControlSimReport> {
    this.setup();
    let violations: string[] = [];
    let gaps: string[] = ['the run ended before the faults did'];
    let nextCheck = this.faultEnd;
    for (;;) {
      const at = this.time.peek();
      if (at === undefined || at > this.deadline) break;
      if (this.faultsOn && at >= this.faultEnd) this.stopFaults();
      this.time.step();
      this.stats.steps++;
      // Everything the event set off runs to its next wait on virtual time.
      await new Promise<void>((r) => setImmediate(r));
      violations = [...this.writeViolations.splice(0), ...safetyViolations(this.store)];
      if (violations.length > 0) {
        for (const v of violations) this.note(`VIOLATION: ${v}`);
        break;
      }
      if (!this.faultsOn && this.time.now >= nextCheck) {
        nextCheck = this.time.now + 1_000;
        gaps = convergenceGaps(this.store, (id) => this.agents.get(id)?.alive ?? false);
        if (gaps.length === 0) {
          this.stats.convergeMs = this.time.now - this.faultEnd;
          this.note(`converged ${this.stats.convergeMs} ms after the faults`);
          break;
        }
      }
    }
    if (violations.length === 0 && gaps.length > 0) for (const g of gaps) this.note(`NOT CONVERGED: ${g}`);
    this.host?.end();
    await Promise.all(this.loops.map((l) => l.stop()));
    this.stats.watchOverflows = this.store.overflows;
    this.stats.tasks = this.store.list('task').length;
    return { seed: this.o.seed, hash: this.hash.hex(), violations, gaps: violations.length > 0 ? [] : gaps, stats: this.stats, trace: this.trace };
  }
}

function describeAction(a: Action): string {
  if (a.op === 'delete') return `delete ${a.kind} ${a.id.slice(0, 8)}`;
  if (a.op === 'setTaskStatus') return `status task ${a.id.slice(0, 8)} ${a.status.state}${a.nodeId ? ` on ${a.nodeId}` : ''}`;
  if (a.op === 'assign') return `assign task ${a.id.slice(0, 8)} to ${a.nodeId}`;
  if (a.op === 'setDesiredState') return `desire task ${a.id.slice(0, 8)} ${a.desiredState}${a.status ? ` (${a.status.state})` : ''}`;
  const o = a.object;
  if (a.kind === 'task') {
    const t = a.object as Draft<Task>;
    return `${a.op} task ${t.id.slice(0, 8)} slot ${t.slot ?? '-'} node ${t.nodeId ?? '-'} ${t.status.state}/${t.desiredState} ${t.spec.container.image} v${t.specVersion}`;
  }
  if (a.kind === 'service') {
    const s = a.object as Draft<Service>;
    return `${a.op} service ${s.spec.name} ${s.spec.task.container.image} x${s.spec.replicas} ${s.updateStatus?.state ?? ''}`;
  }
  return `${a.op} ${a.kind} ${o.id ?? ''}`;
}

function updateConfig(r: Prng): UpdateConfig {
  return {
    parallelism: r.int(0, 3),
    delayMs: r.pick([0, 200, 1_000]),
    // 'pause' would leave the update for an operator; the user here never resumes one.
    failureAction: r.pick(['continue', 'rollback'] as const),
    monitorMs: r.pick([0, 1_000, 3_000]),
    maxFailureRatio: r.pick([0, 0.2, 0.5]),
    order: r.pick(['stop-first', 'start-first'] as const),
  };
}

export function runControlSim(o: ControlSimOptions): Promise<ControlSimReport> {
  return new ControlSim(o).run();
}

// A node's Prometheus metrics (--metrics-addr). One Registry per node process,
// not prom-client's global one, so several daemons in one process (tests, a
// role switch) never register a name twice.
//
// What can be read from state is read at scrape time (collect() callbacks):
// the store, Raft's status and the agent's tasks are the truth, and a gauge
// kept up to date by hand would drift from them. Only what happens between
// scrapes (proposals, passes, leader changes) is recorded as it happens,
// through the ManagerObserver the manager is given.
//
// The cluster gauges come from this manager's own copy of the store: every
// manager serves them, a follower's at most a heartbeat behind the leader's.
// Aggregate with max(), or keep the leader's with swarm_raft_is_leader.

import { collectDefaultMetrics, Counter, Gauge, Histogram, type Metric, Registry } from 'prom-client';
import type { TaskState } from '../api/service-types';
import type { Dispatcher } from '../manager/dispatcher';
import type { Manager } from '../manager/manager';
import type { ManagerObserver } from '../manager/observer';
import { ReplicaCounter } from '../manager/service-ops';
import type { MemoryStore } from '../manager/store';
import { NONE, type NodeId } from '../raft/core/types';

/** What the cluster and Raft gauges read from a manager. */
export interface ManagerMetricsSource {
  readonly store: MemoryStore;
  raft(): { term: number; commit: number; applied: number; isLeader: boolean };
  /** Agents' sessions with this manager's dispatcher: 0 unless it leads. */
  dispatcherSessions(): number;
}

export function managerMetricsSource(m: Manager, dispatcher: Dispatcher): ManagerMetricsSource {
  return {
    store: m.store,
    raft: () => {
      const st = m.raft.status();
      return { term: st.hardState.term, commit: st.hardState.commit, applied: m.raft.applied, isLeader: m.isLeader };
    },
    dispatcherSessions: () => (m.isLeader ? dispatcher.stats().sessions : 0),
  };
}

/** What the node gauges read from its agent. */
export interface TaskMetricsSource {
  stateCounts(): ReadonlyMap<TaskState, number>;
}

const PROPOSAL_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
// A full pass over 100,000 tasks takes seconds: the buckets reach past the 30 s full period.
const PASS_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class NodeMetrics {
  // Read through scrape(), which computes the per-service rows once per exposition.
  private readonly registry = new Registry();
  /** In the registry only while this node is a manager; the counters and histograms keep their values across. */
  private readonly managerOnly: { name: string; metric: Metric }[] = [];
  private manager?: ManagerMetricsSource;
  private tasks?: TaskMetricsSource;
  private lastLeader: NodeId = NONE;
  private serviceRows?: ServiceRow[];
  /** Given to Manager.start: proposals, leader changes and loop passes. */
  readonly observer: ManagerObserver;

  constructor(opts: { processMetrics?: boolean } = {}) {
    // Process metrics (CPU, memory, heap, event loop lag, GC) under their usual names.
    if (opts.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
    // collect() is called with the gauge as `this`: the node's sources are reached through these.
    const tasks = (): TaskMetricsSource | undefined => this.tasks;

    new Gauge({
      name: 'swarm_node_tasks',
      help: 'Tasks assigned to this node, by the state its executor last reported',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [state, n] of tasks()?.stateCounts() ?? []) this.set({ state }, n);
      },
    });

    // ---- cluster, from this manager's store ----
    const gauge = (name: string, help: string, labelNames: string[], collect: (g: Gauge) => void): void => {
      const metric = new Gauge({
        name,
        help,
        labelNames,
        registers: [],
        collect() {
          this.reset();
          collect(this);
        },
      });
      this.managerOnly.push({ name, metric });
    };
    gauge(
      'swarm_nodes',
      'Nodes in the cluster by state, role and availability (combinations with no node are left out)',
      ['state', 'role', 'availability'],
      (g) => {
        const counts = new Map<string, { labels: Record<string, string>; n: number }>();
        for (const node of this.manager?.store.list('node') ?? []) {
          const labels = { state: node.status.state, role: node.role, availability: node.spec.availability };
          const key = JSON.stringify(labels);
          const c = counts.get(key) ?? { labels, n: 0 };
          c.n++;
          counts.set(key, c);
        }
        for (const c of counts.values()) g.set(c.labels, c.n);
      },
    );
    // The three per-service gauges share one pass over the store per scrape (services()).
    gauge('swarm_service_desired_replicas', "Replicas a service wants, as 'swarm service ls' counts them (a global service: the nodes it may run on)", ['service'], (g) => {
      for (const s of this.services()) g.set({ service: s.service }, s.desired);
    });
    gauge('swarm_service_running_replicas', "Tasks of a service that should run and do, as 'swarm service ls' counts them", ['service'], (g) => {
      for (const s of this.services()) g.set({ service: s.service }, s.running);
    });
    gauge(
      'swarm_tasks',
      'Tasks whose desired state is running, per service, by current state (finished tasks kept as history are not counted; every service has a running series, 0 included)',
      ['service', 'state'],
      (g) => {
        for (const s of this.services()) {
          g.set({ service: s.service, state: 'running' }, 0);
          for (const [state, n] of s.byState) g.set({ service: s.service, state }, n);
        }
      },
    );

    // ---- Raft and the dispatcher ----
    const raft = (name: string, help: string, read: (r: ReturnType<ManagerMetricsSource['raft']>) => number): void =>
      gauge(name, help, [], (g) => {
        if (this.manager) g.set(read(this.manager.raft()));
      });
    raft('swarm_raft_term', "This manager's current Raft term", (r) => r.term);
    raft('swarm_raft_commit_index', 'The highest Raft log index this manager knows to be committed', (r) => r.commit);
    raft('swarm_raft_applied_index', "The highest Raft log index applied to this manager's store", (r) => r.applied);
    raft('swarm_raft_is_leader', '1 if this manager is the Raft leader, else 0', (r) => (r.isLeader ? 1 : 0));
    gauge('swarm_dispatcher_sessions', "Agents' sessions with this manager's dispatcher (only the leader's dispatcher runs: 0 elsewhere)", [], (g) => {
      if (this.manager) g.set(this.manager.dispatcherSessions());
    });

    const leaderChanges = new Counter({
      name: 'swarm_raft_leader_changes_total',
      help: 'Times this manager saw a new Raft leader since its process started',
      registers: [],
    });
    const proposals = new Histogram({
      name: 'swarm_raft_proposal_duration_seconds',
      help: 'Time from proposing a store write to its commit and apply on this manager (result: committed, or failed: no quorum, timeout)',
      labelNames: ['result'],
      buckets: PROPOSAL_BUCKETS,
      registers: [],
    });
    const orchestrator = new Histogram({
      name: 'swarm_orchestrator_pass_duration_seconds',
      help: "Wall time of one pass of the leader's orchestrator (planning and writing the tasks services need)",
      buckets: PASS_BUCKETS,
      registers: [],
    });
    const scheduler = new Histogram({
      name: 'swarm_scheduler_pass_duration_seconds',
      help: "Wall time of one pass of the leader's scheduler (placing pending tasks on nodes and writing them)",
      buckets: PASS_BUCKETS,
      registers: [],
    });
    for (const [name, metric] of [
      ['swarm_raft_leader_changes_total', leaderChanges],
      ['swarm_raft_proposal_duration_seconds', proposals],
      ['swarm_orchestrator_pass_duration_seconds', orchestrator],
      ['swarm_scheduler_pass_duration_seconds', scheduler],
    ] as const) {
      this.managerOnly.push({ name, metric });
    }
    const passes: Record<string, Histogram | undefined> = { orchestrator, scheduler };
    this.observer = {
      proposal: (seconds, ok) => proposals.observe({ result: ok ? 'committed' : 'failed' }, seconds),
      leaderChanged: (leader) => {
        // Losing the leader is not a change of leader; the next one is.
        if (leader !== NONE && leader !== this.lastLeader) leaderChanges.inc();
        if (leader !== NONE) this.lastLeader = leader;
      },
      reconcilePass: (loop, seconds) => passes[loop]?.observe(seconds),
    };
  }

  /** The manager this node now is; undefined: none (a worker), and the manager's metrics leave the exposition. */
  setManager(source: ManagerMetricsSource | undefined): void {
    const was = this.manager !== undefined;
    this.manager = source;
    if (source && !was) for (const m of this.managerOnly) this.registry.registerMetric(m.metric);
    if (!source && was) for (const m of this.managerOnly) this.registry.removeSingleMetric(m.name);
  }

  /** The agent's tasks (undefined while none runs). */
  setTasks(source: TaskMetricsSource | undefined): void {
    this.tasks = source;
  }

  /** The exposition, in Prometheus' text format. */
  async scrape(): Promise<string> {
    this.serviceRows = undefined;
    try {
      return await this.registry.metrics();
    } finally {
      this.serviceRows = undefined;
    }
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The services' rows, computed once per scrape. */
  private services(): readonly ServiceRow[] {
    if (!this.manager) return [];
    this.serviceRows ??= serviceRows(this.manager.store);
    return this.serviceRows;
  }
}

interface ServiceRow {
  service: string;
  running: number;
  desired: number;
  byState: ReadonlyMap<TaskState, number>;
}

/** Each service (by name) with its replica counts (ReplicaCounter, as service ls) and its desired-running tasks by state. */
export function serviceRows(store: MemoryStore): ServiceRow[] {
  const counter = new ReplicaCounter(store.list('node'));
  return store.list('service').map((svc) => {
    const tasks = store.tasksByService(svc.id);
    const byState = new Map<TaskState, number>();
    for (const t of tasks) if (t.desiredState === 'running') byState.set(t.status.state, (byState.get(t.status.state) ?? 0) + 1);
    return { service: svc.spec.name, ...counter.counts(svc, tasks), byState };
  });
}

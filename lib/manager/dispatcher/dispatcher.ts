// The dispatcher: agents' sessions with the leader, and node liveness.
//
// Every manager serves /dispatcher, but only the leader's dispatcher runs (it
// is a leader loop); a follower tells the agent where the leader is and
// closes. On the leader an agent registers its description, then heartbeats;
// a sweep marks nodes down (swarmkit's rules):
//   - a session that stays open without heartbeats: 3 periods;
//   - a session that closed (process died, socket gone, agent stopped): 1 period;
//   - a node the store says is ready but that never connected to this leader: 3 periods;
//   - nothing at all during the grace of 3 periods after this manager became
//     leader, while every agent reconnects from the old leader.
// Status changes reach the store in batches (status-batcher.ts); task
// metrics go to the leader's memory only (metrics-intake.ts).

import WebSocket from 'ws';
import { AgentMessage, CLOSE } from '../../api/dispatcher-protocol';
import type { NodeIdentity } from '../../ca';
import type { LeaderLoop } from '../leader-loops';
import { AgentSession, remoteAddressOf } from './agent-session';
import { RoleChanges } from './role-changes';
import { TaskChannel } from './task-channel';
import { NetChannel } from './net-channel';
import { LogBroker } from './log-broker';
import { MetricsIntake } from './metrics-intake';
import type { TaskMetricsStore } from '../metrics/metrics-view';
import { StatusBatcher, StatusChange, StatusWriter } from './status-batcher';
import { Clock, realClock, realTimers, TimerHandle, Timers } from './timers';

/** What the dispatcher needs of its Manager. */
export interface DispatcherHost extends StatusWriter {
  readonly isLeader: boolean;
  /** The leader's raft id, 0 when none is known. */
  readonly leader: number;
  readonly raftId: number;
  /** Raft ids in the configuration: a demoted manager gets its worker certificate once it is out. */
  raftMembers?(): readonly number[];
  /** Where the agents' task metrics go (the leader's memory, never Raft). */
  readonly metrics: Pick<TaskMetricsStore, 'record' | 'retain'>;
}

export interface DispatcherLogger {
  warn(msg: string, fields?: Record<string, unknown>): void;
  info?(msg: string, fields?: Record<string, unknown>): void;
}

export interface DispatcherOptions {
  /** host:port of the leader's node server; default: its managerStatus.addr in the store. */
  leaderAddr?: () => string | undefined;
  now?: Clock;
  timers?: Timers;
  /** How long status changes are gathered before one write. Default 100 ms. */
  batchIntervalMs?: number;
  logger?: DispatcherLogger;
}

export interface DispatcherStats {
  running: boolean;
  /** Open sockets, registered or not. */
  sessions: number;
  /** Status transactions written by the current (or last) leadership. */
  statusWrites: number;
}

/** When the cluster object is missing (it never is once the cluster exists). */
export const DEFAULT_HEARTBEAT_MS = 5_000;
/** Periods without a heartbeat before an open session's node is down, and the grace after a leader change. */
export const MISSED_PERIODS = 3;
/** Periods after a session closed before its node is down. */
export const CLOSED_PERIODS = 1;

type Liveness =
  /** A registered, open session; `since` is its last heartbeat. */
  | { kind: 'live'; session: AgentSession; since: number }
  /** The session closed at `since`. */
  | { kind: 'closed'; since: number }
  /** Ready in the store, first seen at `since`, never connected to this leader. */
  | { kind: 'unseen'; since: number };

interface Tracked {
  liveness: Liveness;
  /** Marked down by this leader: nothing more to judge until it registers again. */
  down: boolean;
}

export class Dispatcher implements LeaderLoop {
  readonly name = 'dispatcher';
  private readonly now: Clock;
  private readonly timers: Timers;
  private readonly batchIntervalMs: number;
  private readonly logger: DispatcherLogger;
  private readonly leaderAddrOf: () => string | undefined;

  private running = false;
  private startedAt = 0;
  private sweepTimer: TimerHandle | undefined;
  private batcher: StatusBatcher | undefined;
  private lastWrites = 0;
  private readonly open = new Set<AgentSession>();
  private readonly registerTimers = new Map<AgentSession, TimerHandle>();
  private readonly tracked = new Map<string, Tracked>();
  private readonly roles: RoleChanges;
  private readonly tasks: TaskChannel;
  private readonly net: NetChannel;
  private readonly metrics: MetricsIntake;
  readonly logs: LogBroker;

  constructor(
    private readonly host: DispatcherHost,
    o: DispatcherOptions = {},
  ) {
    this.now = o.now ?? realClock;
    this.timers = o.timers ?? realTimers;
    this.batchIntervalMs = o.batchIntervalMs ?? 100;
    this.logger = o.logger ?? { warn: (msg, fields) => console.warn(`[dispatcher] ${msg}`, fields ?? '') };
    this.leaderAddrOf = o.leaderAddr ?? (() => leaderAddrFromStore(host));
    this.roles = new RoleChanges(host, this.logger, this.now);
    this.tasks = new TaskChannel(host, this.timers, this.logger, (id) => this.liveSession(id));
    this.net = new NetChannel(host, this.timers);
    this.logs = new LogBroker((id) => this.liveSession(id));
    this.metrics = new MetricsIntake(host.store, host.metrics, this.now);
  }

  // ---- the /dispatcher route ------------------------------------------------

  /** Removed nodes are refused before the upgrade; their certificates stay valid until expiry. */
  isNodeAllowed(nodeId: string): boolean {
    return this.host.store.get('node', nodeId) !== undefined;
  }

  onSession(ws: WebSocket, identity: NodeIdentity): void {
    const session = new AgentSession(ws, identity.nodeId, identity.role, remoteAddressOf(ws), this.timers, {
      onMessage: (s, m) => this.onMessage(s, m),
      onClose: (s) => this.onClose(s),
      onFrameTooLarge: (s, detail) => this.logger.warn(`node ${s.nodeId}: ${detail}`),
    });
    if (!this.running || !this.host.isLeader) return this.turnAway(session);
    this.open.add(session);
    const timer = this.timers.setTimeout(() => {
      if (!session.registered) session.close(CLOSE.protocolError, `no register within ${MISSED_PERIODS} heartbeat periods`);
    }, MISSED_PERIODS * this.period());
    this.registerTimers.set(session, timer);
  }

  // ---- LeaderLoop -----------------------------------------------------------

  start(): void {
    if (this.running) return;
    this.running = true;
    this.batcher = new StatusBatcher(this.host, this.timers, this.batchIntervalMs, this.logger);
    this.startedAt = this.now();
    this.metrics.reset();
    this.scheduleSweep();
    this.tasks.start();
    this.net.start();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.tasks.stop();
    this.net.stop();
    this.logs.closeAll();
    if (this.sweepTimer !== undefined) this.timers.clearTimeout(this.sweepTimer);
    this.sweepTimer = undefined;
    for (const t of this.registerTimers.values()) this.timers.clearTimeout(t);
    this.registerTimers.clear();
    // Agents reconnect to whichever manager leads next.
    for (const s of [...this.open]) s.close(CLOSE.goingAway, 'this manager is no longer the leader');
    this.open.clear();
    this.tracked.clear();
    const batcher = this.batcher;
    this.batcher = undefined;
    if (batcher) {
      await batcher.stop();
      this.lastWrites = batcher.writes;
    }
  }

  /** Every connected node removes its unused volumes with these labels (a removed stack's). */
  removeVolumes(labels: Record<string, string>): number {
    let sent = 0;
    for (const s of this.open) {
      if (!s.answered) continue;
      s.send({ v: 1, type: 'removeVolumes', labels });
      sent++;
    }
    return sent;
  }

  stats(): DispatcherStats {
    return { running: this.running, sessions: this.open.size, statusWrites: this.batcher?.writes ?? this.lastWrites };
  }

  // ---- sessions -------------------------------------------------------------

  private turnAway(session: AgentSession): void {
    const managers = this.managerAddrs();
    if (this.host.leader === 0 || this.host.leader === this.host.raftId) {
      // No leader, or this manager is one that has not started leading yet.
      return session.close(CLOSE.tryAgain, 'no leader: the managers are electing one; try again shortly');
    }
    const leaderAddr = this.leaderAddrOf();
    if (!leaderAddr) return session.close(CLOSE.tryAgain, "the leader's address is not known here yet; try again shortly");
    session.send({ v: 1, type: 'redirect', leaderAddr, managers });
    session.close(CLOSE.redirect, `not the leader; the leader is ${leaderAddr}`, false);
  }

  private onMessage(s: AgentSession, m: AgentMessage): void {
    if (!this.running || !this.batcher) return;
    switch (m.type) {
      case 'register':
        return this.register(s, m.description);
      case 'heartbeat':
        return this.heartbeat(s);
      case 'taskStatus':
        if (!s.registered) return s.close(CLOSE.protocolError, 'malformed message: taskStatus before register');
        return this.tasks.onStatus(s, m.updates);
      case 'logs':
        return this.logs.onLines(s, m.requestId, m.lines);
      case 'logsEnd':
        return this.logs.onEnd(s, m.requestId, m.error);
      case 'taskMetrics':
        if (!s.registered) return s.close(CLOSE.protocolError, 'malformed message: taskMetrics before register');
        if (this.liveSession(s.nodeId) === s) this.metrics.receive(s.nodeId, m.samples);
        return;
      case 'certRequest':
        if (!s.registered) return s.close(CLOSE.protocolError, 'malformed message: certRequest before register');
        return void this.roles.certRequest(s, m.csrPem, m.advertiseAddr);
    }
  }

  private register(s: AgentSession, description: StatusChange['description']): void {
    const batcher = this.batcher;
    if (!batcher) return;
    if (s.registered) return s.close(CLOSE.protocolError, 'malformed message: register sent twice in one session');
    if (!this.host.store.get('node', s.nodeId)) return s.close(CLOSE.expired, `node ${s.nodeId} is not a member of this cluster (removed?)`);
    const timer = this.registerTimers.get(s);
    if (timer !== undefined) this.timers.clearTimeout(timer);
    this.registerTimers.delete(s);

    const previous = this.tracked.get(s.nodeId)?.liveness;
    if (previous?.kind === 'live' && previous.session !== s) {
      previous.session.close(CLOSE.replaced, 'replaced by a newer session of the same node');
    }
    s.registered = true;
    this.tracked.set(s.nodeId, { liveness: { kind: 'live', session: s, since: this.now() }, down: false });
    const change: StatusChange = { state: 'ready' };
    if (s.remoteAddr !== undefined) change.addr = s.remoteAddr;
    if (description) change.description = description;
    // Answered once the store says ready, so an agent that is registered is a node that shows Ready.
    batcher.enqueue(s.nodeId, change, () => {
      if (!s.isOpen || this.liveSession(s.nodeId) !== s) return;
      s.send({ v: 1, type: 'registered', sessionId: s.id, heartbeatPeriodMs: this.period(), managers: this.managerAddrs() });
      s.answered = true;
      this.tasks.sendFull(s);
      this.net.sendFull(s);
      this.roles.check(s);
    });
  }

  private heartbeat(s: AgentSession): void {
    if (!s.registered) return s.close(CLOSE.protocolError, 'malformed message: heartbeat before register');
    const t = this.tracked.get(s.nodeId);
    if (t?.liveness.kind !== 'live' || t.liveness.session !== s) return;
    t.liveness.since = this.now();
    s.send({ v: 1, type: 'heartbeatAck', heartbeatPeriodMs: this.period(), managers: this.managerAddrs() });
    this.roles.check(s);
  }

  private onClose(s: AgentSession): void {
    this.open.delete(s);
    this.logs.onSessionClosed(s);
    this.net.onClose(s);
    this.tasks.onClose(s);
    const timer = this.registerTimers.get(s);
    if (timer !== undefined) this.timers.clearTimeout(timer);
    this.registerTimers.delete(s);
    const t = this.tracked.get(s.nodeId);
    if (this.running && t?.liveness.kind === 'live' && t.liveness.session === s) {
      t.liveness = { kind: 'closed', since: this.now() };
    }
  }

  private liveSession(nodeId: string): AgentSession | undefined {
    const l = this.tracked.get(nodeId)?.liveness;
    return l?.kind === 'live' ? l.session : undefined;
  }

  // ---- liveness -------------------------------------------------------------

  private scheduleSweep(): void {
    // A quarter period keeps a deadline's overshoot small next to the period itself.
    const every = Math.min(250, Math.max(5, Math.round(this.period() / 4)));
    this.sweepTimer = this.timers.setTimeout(() => {
      this.sweepTimer = undefined;
      if (!this.running) return;
      try {
        this.sweep();
      } catch (e) {
        this.logger.warn('liveness sweep failed', { error: e instanceof Error ? e.message : String(e) });
      }
      if (this.running) this.scheduleSweep();
    }, every);
  }

  private sweep(): void {
    const batcher = this.batcher;
    if (!batcher) return;
    const now = this.now();
    const period = this.period();
    const store = this.host.store;
    for (const n of store.list('node')) {
      if (!this.tracked.has(n.id) && n.status.state === 'ready') {
        this.tracked.set(n.id, { liveness: { kind: 'unseen', since: now }, down: false });
      }
    }
    // Measured in current periods: the cluster object may be written after this leader started.
    const inGrace = now - this.startedAt < MISSED_PERIODS * period;
    for (const [id, t] of this.tracked) {
      const node = store.get('node', id);
      const l = t.liveness;
      if (!node) {
        if (l.kind === 'live') l.session.close(CLOSE.expired, `node ${id} was removed from the cluster`);
        this.tracked.delete(id);
        batcher.drop(id);
        continue;
      }
      if (t.down) continue;
      const limit = (l.kind === 'closed' ? CLOSED_PERIODS : MISSED_PERIODS) * period;
      if (!inGrace && now - l.since > limit) {
        t.down = true;
        const message = l.kind === 'closed' ? 'session closed' : 'heartbeat failure';
        if (l.kind === 'live') l.session.close(CLOSE.expired, `no heartbeat for ${now - l.since} ms: ${message}`);
        if (node.status.state !== 'down' || batcher.has(id)) batcher.enqueue(id, { state: 'down', message });
        continue;
      }
      // A stale write (an old leader's last batch, an operator) may have said
      // otherwise; the node with a live session is ready.
      if (l.kind === 'live') this.roles.check(l.session);
      if (l.kind === 'live' && node.status.state !== 'ready' && !batcher.has(id)) {
        const change: StatusChange = { state: 'ready' };
        if (l.session.remoteAddr !== undefined) change.addr = l.session.remoteAddr;
        batcher.enqueue(id, change);
      }
    }
  }

  // ---- the cluster as the store says ----------------------------------------

  private period(): number {
    const clusters = this.host.store.list('cluster');
    return clusters[0]?.spec.dispatcherHeartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  }

  /** Every manager's node server address, the leader's first: the order an agent fails over in. */
  private managerAddrs(): string[] {
    const ms = this.host.store.nodesByRole('manager').flatMap((n) => (n.managerStatus ? [n.managerStatus] : []));
    const lead = this.host.leader;
    return [...ms].sort((a, b) => Number(b.raftId === lead) - Number(a.raftId === lead) || a.addr.localeCompare(b.addr)).map((m) => m.addr);
  }
}

/** The leader's node server address, from its node object; undefined when no leader or no such node is known. */
export function leaderAddrFromStore(host: Pick<DispatcherHost, 'store' | 'leader'>): string | undefined {
  if (host.leader === 0) return undefined;
  return host.store.nodesByRole('manager').find((n) => n.managerStatus?.raftId === host.leader)?.managerStatus?.addr;
}

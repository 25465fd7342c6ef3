// The whole cluster in one process on a virtual clock. Every node tick,
// message delivery, fsync completion and client or fault action is an event
// in one priority queue; the invariants are checked after each. A run has a
// faulty phase of `steps` events and then a heal phase that must converge.

import { Mutation } from '../core/config';
import { Message, MessageType, NodeId, StateType } from '../core/types';
import { ActionHost, partitionAround, performAction } from './actions';
import { Checker } from './checker';
import { describeProgress, describeReady, describeState } from './describe';
import { EventQueue } from './event-queue';
import { catchUpAllowance } from './heal-bound';
import { Network } from './network';
import { describeProfile, drawProfile, LeaseMode, Profile } from './profile';
import { Prng } from './prng';
import { NodeEnv, NodeObserver, NodeParams, SimNode } from './sim-node';
import { emptyStats, SimStats } from './stats';
import { Trace } from './trace';
import { Violation } from './violation';

export interface SimOptions {
  seed: number;
  /** Events in the faulty phase. */
  steps: number;
  mutation?: Mutation;
  /** Lease reads: as the seed draws them (default), or forced; a lease mutation forces them on. */
  lease?: LeaseMode;
  /** Prints every event. */
  log?: (line: string) => void;
  /** How long the healed cluster may take to converge, in election timeouts. */
  healElections?: number;
}

export interface SimResult {
  seed: number;
  steps: number;
  mutation?: Mutation;
  violation?: { invariant: string; detail: string; time: number; event: number; phase: 'faulty' | 'heal' };
  traceHash: string;
  stats: SimStats;
  profile: string;
  /** Time the heal phase was allowed (0 if it was never reached). */
  healBound: number;
}

type SimEvent =
  | { kind: 'tick'; node: NodeId; inc: number }
  | { kind: 'deliver'; msg: Message }
  | { kind: 'fsync'; node: NodeId; inc: number }
  | { kind: 'action' }
  | { kind: 'crash'; node: NodeId; inc: number; downtime: number; why: string }
  | { kind: 'leader-fault'; node: NodeId; inc: number; fault: 'crash' | 'mute' | 'isolate' }
  | { kind: 'restart'; node: NodeId }
  | { kind: 'resume'; node: NodeId; inc: number }
  | { kind: 'heal-link'; partition: number };

// Codes folded into the trace hash.
const EV = { tick: 1, deliver: 2, fsync: 3, action: 4, crash: 5, restart: 6, healLink: 7, send: 8, drop: 9, leaderFault: 10, pause: 11, resume: 12 } as const;

export class Simulation implements NodeEnv, ActionHost {
  readonly profile: Profile;
  readonly rng: Prng;
  readonly nodes = new Map<NodeId, SimNode>();
  readonly network: Network;
  readonly checker = new Checker();
  readonly observer: NodeObserver = {
    onReady: (node, rd) => {
      if (rd.softState?.state === StateType.Leader) this.maybeFaultNewLeader(node);
      // A leader's hard state changes only when its commit index moves. Cutting it
      // off here loses this Ready's messages, which leave after it is persisted.
      if (rd.hardState && node.isLeader && this.phase === 'faulty' && this.rng.chance(this.profile.commitFault)) {
        partitionAround(this, this.rng.pick(['isolate', 'mute'] as const), node.id);
      }
      if (this.trace.verbose && (rd.softState || rd.hardState || rd.snapshot)) this.trace.log(this.now, () => describeReady(node, rd));
    },
    onPersisted: (node, entries) => this.checker.onPersisted(node, entries),
    onLoaded: (node, entries) => this.checker.onLoaded(node, entries),
    onApply: (node, e) => this.checker.onApply(node, e),
    onSnapshotInstalled: (node, snap) => this.checker.onSnapshotInstalled(node, snap),
    onReadState: (node, rs) => this.checker.onReadState(node, rs),
  };
  readonly trace: Trace;
  readonly stats: SimStats = emptyStats();
  now = 0;
  phase: 'faulty' | 'heal' = 'faulty';
  private readonly queue = new EventQueue<SimEvent>();
  private readonly diskRng: Prng;
  private readonly clockRng: Prng;
  private readonly nodeRngs: Prng;
  private readonly params: NodeParams;
  private healBound = 0;
  private nextId = 1;
  private seq = 0;

  constructor(private readonly opts: SimOptions) {
    const master = new Prng(opts.seed);
    const leaseMutant = opts.mutation?.startsWith('lease-') ?? false;
    this.profile = drawProfile(master.fork(), opts.lease ?? (leaseMutant ? 'on' : 'drawn'));
    this.rng = master.fork();
    this.diskRng = master.fork();
    this.clockRng = master.fork();
    this.nodeRngs = master.fork();
    this.network = new Network(this.profile.net, master.fork());
    this.trace = new Trace(opts.log);
    const p = this.profile;
    this.params = {
      electionTick: p.electionTick,
      heartbeatTick: p.heartbeatTick,
      maxSizePerMsg: p.maxSizePerMsg,
      maxInflightMsgs: p.maxInflightMsgs,
      preVote: p.preVote,
      checkQuorum: p.checkQuorum,
      leaseReads: p.leaseReads,
      mutations: new Set(opts.mutation ? [opts.mutation] : []),
    };
  }

  /** Virtual time of one (minimum) election timeout. */
  get electionTime(): number {
    return this.profile.electionTick * this.profile.tickInterval;
  }

  run(): SimResult {
    const o = this.opts;
    let violation: SimResult['violation'];
    this.trace.log(0, `seed ${o.seed}${o.mutation ? ` mutation ${o.mutation}` : ''}: ${describeProfile(this.profile)}`);
    try {
      const founders = [];
      for (let i = 0; i < this.profile.clusterSize; i++) founders.push(this.nextId++);
      for (const id of founders) this.createNode(id, founders);
      this.queue.push(this.actionGap(), { kind: 'action' });
      while (this.stats.events < o.steps) {
        const ev = this.queue.pop();
        if (!ev) break;
        this.now = ev.time;
        this.handle(ev.payload);
        this.checker.afterEvent(this.nodes.values());
        this.stats.events++;
      }
      this.heal();
    } catch (e) {
      if (e instanceof Violation) {
        violation = { invariant: e.invariant, detail: e.detail, time: this.now, event: this.stats.events, phase: this.phase };
      } else {
        const err = e as Error;
        violation = {
          invariant: 'simulator-error',
          detail: `${err.message}\n${err.stack ?? ''}`,
          time: this.now,
          event: this.stats.events,
          phase: this.phase,
        };
      }
      this.trace.log(this.now, `VIOLATION ${violation.invariant}: ${violation.detail}`);
    }
    const c = this.checker.stats;
    Object.assign(this.stats, {
      nodes: this.nodes.size,
      acked: c.acked,
      readsServed: c.readsServed,
      leaseReads: [...this.nodes.values()].reduce((sum, n) => sum + n.leaseReads, 0),
      leaders: c.leaders,
      snapshotsInstalled: c.snapshotsInstalled,
      confChanges: c.confChangesApplied,
      maxCommitted: c.maxCommitted,
      oldTermCommits: c.oldTermCommits,
      virtualTime: this.now,
    });
    return {
      seed: o.seed,
      steps: o.steps,
      mutation: o.mutation,
      violation,
      traceHash: this.trace.digest(),
      stats: this.stats,
      profile: describeProfile(this.profile),
      healBound: this.healBound,
    };
  }

  /** Stop faults and clients, heal the network, restart everyone, and wait for convergence. */
  private heal(): void {
    this.phase = 'heal';
    this.network.healAll();
    this.network.faulty = false;
    this.trace.log(this.now, 'HEAL: links healed, crashed nodes restarted, no more faults or proposals');
    for (const n of this.nodes.values()) {
      n.crashAtNextSync = false;
      if (n.up && n.paused) this.resume(n);
      if (!n.up) this.startNode(n);
    }
    this.checker.afterEvent(this.nodes.values());
    const elections = this.opts.healElections ?? 20;
    const bound = elections * this.electionTime + catchUpAllowance(this.nodes, this.profile);
    this.healBound = bound;
    const start = this.now;
    for (;;) {
      const why = this.checker.convergence(this.nodes);
      if (why === undefined) {
        this.stats.healTime = this.now - start;
        this.trace.log(this.now, `converged after ${this.stats.healTime}`);
        return;
      }
      const ev = this.queue.peek();
      if (!ev || ev.time > start + bound) {
        throw new Violation(
          'liveness',
          `not converged ${bound} time units (${elections} election timeouts + catch-up allowance) after healing: ${why}\n` +
            `state: ${describeState(this.nodes)}\nleader progress: ${describeProgress(this.leader())}`,
        );
      }
      this.queue.pop();
      this.now = ev.time;
      this.handle(ev.payload);
      this.checker.afterEvent(this.nodes.values());
      this.stats.events++;
    }
  }

  private handle(ev: SimEvent): void {
    switch (ev.kind) {
      case 'tick': {
        const n = this.nodes.get(ev.node);
        if (!n || !n.up || n.incarnation !== ev.inc) return;
        this.trace.note(this.now, EV.tick, n.id, 0);
        n.tick();
        if (n.up && n.incarnation === ev.inc) this.scheduleTick(n);
        return;
      }
      case 'deliver': {
        const m = ev.msg;
        const to = this.nodes.get(m.to);
        const ok = to !== undefined && to.up;
        this.trace.message(this.now, ok ? EV.deliver : EV.drop, m, ok ? 'deliver' : 'lost (node down)');
        // A copy per delivery: the core may rewrite a message it forwards.
        if (to && ok) to.deliver({ ...m, entries: m.entries.slice() });
        if (m.type === MessageType.Snap) {
          // The transport reports the outcome of a snapshot stream to its sender.
          const from = this.nodes.get(m.from);
          if (from?.up) from.reportSnapshot(m.to, ok);
        }
        return;
      }
      case 'fsync': {
        const n = this.nodes.get(ev.node);
        if (!n || !n.up || n.incarnation !== ev.inc) return;
        this.trace.note(this.now, EV.fsync, n.id, 0);
        n.finishFsync();
        return;
      }
      case 'action':
        if (this.phase !== 'faulty') return;
        this.trace.note(this.now, EV.action, 0, 0);
        performAction(this);
        this.queue.push(this.now + this.actionGap(), { kind: 'action' });
        return;
      case 'crash': {
        const n = this.nodes.get(ev.node);
        if (this.phase !== 'faulty' || !n || !n.up || n.incarnation !== ev.inc) return;
        this.crash(n, ev.downtime, ev.why);
        return;
      }
      case 'leader-fault': {
        const n = this.nodes.get(ev.node);
        if (this.phase !== 'faulty' || !n || !n.up || n.incarnation !== ev.inc) return;
        this.trace.note(this.now, EV.leaderFault, n.id, 0);
        if (ev.fault === 'crash') this.crash(n, this.downtime(), 'soon after taking office');
        else partitionAround(this, ev.fault, n.id);
        return;
      }
      case 'restart': {
        const n = this.nodes.get(ev.node);
        if (!n || n.up) return;
        this.startNode(n);
        return;
      }
      case 'resume': {
        const n = this.nodes.get(ev.node);
        if (!n || !n.up || n.incarnation !== ev.inc) return;
        this.resume(n);
        return;
      }
      case 'heal-link':
        if (this.network.removePartition(ev.partition)) {
          this.trace.note(this.now, EV.healLink, ev.partition, 0, () => `partition ${ev.partition} healed`);
        }
        return;
    }
  }

  // ------------------------------------------------------------ NodeEnv

  send(from: SimNode, m: Message): void {
    this.stats.messages++;
    if (m.type === MessageType.Snap) this.stats.snapshotsSent++;
    const route = this.nodes.has(m.to) ? this.network.route(from.id, m.to, this.now) : { cut: true, delays: [] };
    if (route.delays.length === 0) {
      this.stats.dropped++;
      this.trace.message(this.now, EV.drop, m, route.cut ? 'cut' : 'drop');
      if (route.cut) from.deferReportUnreachable(m.to);
      if (m.type === MessageType.Snap) from.deferReportSnapshot(m.to, false);
      return;
    }
    this.trace.message(this.now, EV.send, m, route.delays.length > 1 ? `send x${route.delays.length}` : 'send');
    for (const d of route.delays) this.queue.push(this.now + d, { kind: 'deliver', msg: m });
  }

  scheduleFsync(node: SimNode): void {
    const p = this.profile;
    this.queue.push(this.now + this.rng.int(p.minFsync, p.maxFsync), { kind: 'fsync', node: node.id, inc: node.incarnation });
  }

  afterVoteGranted(node: SimNode): void {
    if (this.phase !== 'faulty' || !this.rng.chance(this.profile.crashAfterVote)) return;
    // Restart before the other candidates' requests arrive, so the node may be asked to vote again in the same term.
    const downtime = this.rng.int(0, this.profile.net.maxLatency);
    this.queue.push(this.now, { kind: 'crash', node: node.id, inc: node.incarnation, downtime, why: 'right after granting a vote' });
  }

  afterRoundAcked(node: SimNode): void {
    if (this.phase !== 'faulty' || !this.profile.leaseReads || !this.rng.chance(this.profile.crashAfterLeaseAck)) return;
    // Back at once, having forgotten it promised the leader its lease: the boot guard's case.
    const downtime = this.rng.int(0, this.profile.net.maxLatency);
    this.queue.push(this.now, { kind: 'crash', node: node.id, inc: node.incarnation, downtime, why: 'right after acknowledging a lease' });
  }

  /** Schedules a crash or a partition of a leader that just took office. */
  private maybeFaultNewLeader(node: SimNode): void {
    if (this.phase !== 'faulty' || !this.rng.chance(this.profile.newLeaderFault)) return;
    // Half strike at once: a leader cut off the moment it takes office never gets
    // its no-op out, which leaves a divergent tail of a newer term behind.
    const after = this.rng.chance(0.5) ? 0 : this.rng.int(0, this.profile.newLeaderFaultWithin);
    const fault = this.rng.pick(['crash', 'mute', 'isolate'] as const);
    this.queue.push(this.now + after, { kind: 'leader-fault', node: node.id, inc: node.incarnation, fault });
  }

  crashNow(node: SimNode): void {
    this.crash(node, this.downtime(), 'mid-fsync');
  }

  // ------------------------------------------------------------ ActionHost

  upNodes(): SimNode[] {
    const out: SimNode[] = [];
    for (const n of this.nodes.values()) if (n.up) out.push(n);
    return out;
  }

  /** The live leader of the highest term (a deposed one may not know it yet). */
  leader(): SimNode | undefined {
    let best: SimNode | undefined;
    for (const n of this.nodes.values()) {
      if (!n.isLeader || !n.raw) continue;
      if (!best || (best.raw && n.raw.raft.term > best.raw.raft.term)) best = n;
    }
    return best;
  }

  downtime(): number {
    return this.rng.int(0, Math.round(this.profile.maxDowntimeElections * this.electionTime));
  }

  crash(node: SimNode, downtime: number, why: string): void {
    const out = node.crash(this.diskRng);
    this.stats.crashes++;
    if (out.keptRecords < out.pendingRecords) this.stats.tornWrites++;
    this.trace.note(this.now, EV.crash, node.id, downtime, () =>
      `CRASH ${node.id} (${why}); kept ${out.keptRecords}/${out.pendingRecords} unsynced records, tore ${out.tornEntries} entries; back in ${downtime}`,
    );
    if (this.phase === 'faulty') this.queue.push(this.now + downtime, { kind: 'restart', node: node.id });
  }

  /** Freezes a node's process for `duration` (a GC pause, a held event loop); it resumes on its own. */
  pause(node: SimNode, duration: number): void {
    if (node.paused) return;
    this.stats.pauses++;
    node.pause();
    this.trace.note(this.now, EV.pause, node.id, duration, () => `PAUSE ${node.id} for ${duration}`);
    this.queue.push(this.now + duration, { kind: 'resume', node: node.id, inc: node.incarnation });
  }

  private resume(n: SimNode): void {
    this.trace.note(this.now, EV.resume, n.id, 0, () => `resume ${n.id}`);
    n.resume();
  }

  /** A fresh id for a node that joins through a membership change. */
  freshId(): NodeId {
    return this.nextId++;
  }

  createNode(id: NodeId, founders?: NodeId[]): SimNode {
    const n = new SimNode(id, founders, this.params, this.nodeRngs.fork(), this);
    this.nodes.set(id, n);
    this.startNode(n);
    return n;
  }

  scheduleLinkHeal(partition: number, after: number): void {
    this.queue.push(this.now + after, { kind: 'heal-link', partition });
  }

  nextSeq(): number {
    return ++this.seq;
  }

  // ------------------------------------------------------------ helpers

  private startNode(n: SimNode): void {
    this.trace.note(this.now, EV.restart, n.id, n.incarnation, () => `start ${n.id} (life ${n.incarnation + 1})`);
    n.start();
    this.scheduleTick(n);
  }

  private scheduleTick(n: SimNode): void {
    const p = this.profile;
    const gap = p.tickInterval + this.clockRng.int(-p.tickJitter, p.tickJitter);
    this.queue.push(this.now + gap, { kind: 'tick', node: n.id, inc: n.incarnation });
  }

  private actionGap(): number {
    return 1 + this.rng.int(0, 2 * this.profile.meanActionGap);
  }
}

export function runSeed(opts: SimOptions): SimResult {
  return new Simulation(opts).run();
}

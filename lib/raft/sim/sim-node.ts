// One simulated server: a RawNode, its MemoryStorage, its disk and its
// application, driven exactly as the Ready contract says. Persistence is
// asynchronous: a Ready that must be synced stays in flight until the
// simulated fsync completes, and only then are its messages sent and its
// committed entries applied. A crash in between loses the unsynced writes.

import { decodeConfChange } from '../codec';
import { Mutation } from '../core/config';
import { RaftError } from '../core/errors';
import { MemoryStorage } from '../core/memory-storage';
import { RawNode } from '../core/rawnode';
import {
  ConfChange,
  Entry,
  EntryType,
  isEmptySnapshot,
  Message,
  MessageType,
  NodeId,
  Ready,
  ReadState,
  Snapshot,
  StateType,
} from '../core/types';
import { AppState } from './app-state';
import { CrashOutcome, SimDisk } from './disk';
import { Prng } from './prng';
import { Violation } from './violation';

/** What the checker hears from a node's driver. */
export interface NodeObserver {
  onReady(node: SimNode, rd: Ready): void;
  /** These entries are now durable (and in MemoryStorage). */
  onPersisted(node: SimNode, entries: Entry[]): void;
  /** The node restarted with these durable entries (a torn write may have kept some never seen before). */
  onLoaded(node: SimNode, entries: Entry[]): void;
  onApply(node: SimNode, e: Entry): void;
  onSnapshotInstalled(node: SimNode, snap: Snapshot): void;
  onReadState(node: SimNode, rs: ReadState): void;
}

/** The rest of the world as a node's driver sees it. */
export interface NodeEnv {
  readonly observer: NodeObserver;
  /** Hands a message to the network (after the Ready it came in was persisted). */
  send(from: SimNode, m: Message): void;
  /** Arranges for finishFsync() to be called once the disk has synced. */
  scheduleFsync(node: SimNode): void;
  /** The node just granted a vote and made it durable: a good moment to crash it. */
  afterVoteGranted(node: SimNode): void;
  /** The node just acknowledged a heartbeat round (a lease, when leases are on): a good moment to crash it. */
  afterRoundAcked(node: SimNode): void;
  /** The node crashes now, with its writes of the in-flight Ready not yet synced. */
  crashNow(node: SimNode): void;
}

export interface NodeParams {
  electionTick: number;
  heartbeatTick: number;
  maxSizePerMsg: number;
  maxInflightMsgs: number;
  preVote: boolean;
  checkQuorum: boolean;
  leaseReads: boolean;
  mutations: ReadonlySet<Mutation>;
}

export interface PendingRead {
  key: string;
  index: number;
  maxAckAtRequest: number;
}

export class SimNode {
  up = false;
  /** Bumped on every start, so events aimed at an earlier life are ignored. */
  incarnation = 0;
  raw: RawNode | undefined;
  storage: MemoryStorage | undefined;
  app = new AppState();
  readonly disk = new SimDisk();
  /** Crash when the next Ready that must be synced has been written (mid-fsync crash). */
  crashAtNextSync = false;
  /** Payloads this life proposed and has not seen applied yet. */
  readonly pendingProposals = new Set<string>();
  /** ReadStates that came out but wait for the applied index to reach them. */
  waitingReads: PendingRead[] = [];
  /** The checker's cursor: commit indexes of this life already recorded. */
  checkedCommit = 0;
  /** The checker's diagnostic: the commit index last seen while leading a term. */
  leaderCommitSeen: { term: number; commit: number } | undefined;
  /** Set while the process is frozen: nothing it would do happens until it resumes. */
  paused = false;
  /** Timer ticks that fell due while frozen. */
  private missedTicks = 0;
  /** What arrived while frozen, in order: messages and fsync completions, and apart, client calls. */
  private frozen: Array<() => void> = [];
  private frozenCalls: Array<() => void> = [];
  /** Reads earlier lives answered from their lease. */
  private pastLeaseReads = 0;
  private inflight: Ready | undefined;
  private deferred: Array<(raw: RawNode) => void> = [];

  constructor(
    readonly id: NodeId,
    /** Set for the founding members: they bootstrap when their disk holds nothing. */
    readonly bootstrapPeers: NodeId[] | undefined,
    private readonly params: NodeParams,
    private readonly raftRng: Prng,
    private readonly env: NodeEnv,
  ) {}

  get hasInflightReady(): boolean {
    return this.inflight !== undefined;
  }

  /**
   * A single voter elects itself in memory, before its new term is durable. A
   * crash can take that leadership back (and the node may lead the same term
   * again in its next life), which nobody could observe, since nothing leaves
   * the node before the fsync. Such a provisional leader's own entries are not
   * yet part of any history.
   */
  get isProvisionalLeader(): boolean {
    const r = this.raw?.raft;
    return r !== undefined && r.state === StateType.Leader && this.disk.durableTerm < r.term;
  }

  get isLeader(): boolean {
    return this.up && this.raw !== undefined && this.raw.raft.state === StateType.Leader;
  }

  /** Starts (or restarts) from what the disk holds. */
  start(): void {
    let d = this.disk.load();
    // A founding member whose bootstrap never became durable has no hard state:
    // it never spoke to anyone, so it may simply bootstrap again.
    const mustBootstrap = this.bootstrapPeers !== undefined && isEmptySnapshot(d.snap) && d.hs.term === 0;
    if (mustBootstrap) {
      this.disk.wipe();
      d = this.disk.load();
    }
    const storage = new MemoryStorage();
    const snapIndex = d.snap.metadata.index;
    if (snapIndex > 0) storage.applySnapshot(d.snap);
    // A snapshot only holds committed entries; a crash between saving it and the
    // hard state that goes with it must not leave the commit below the log start.
    storage.setHardState({ ...d.hs, commit: Math.max(d.hs.commit, snapIndex) });
    storage.append(d.entries);
    this.storage = storage;
    this.app = snapIndex > 0 ? AppState.decode(d.snap.data, d.snap.metadata.confState) : new AppState();
    this.guard(() => {
      this.raw = new RawNode({
        id: this.id,
        storage,
        electionTick: this.params.electionTick,
        heartbeatTick: this.params.heartbeatTick,
        random: () => this.raftRng.next(),
        applied: snapIndex,
        maxSizePerMsg: this.params.maxSizePerMsg,
        maxInflightMsgs: this.params.maxInflightMsgs,
        checkQuorum: this.params.checkQuorum,
        leaseReads: this.params.leaseReads,
        preVote: this.params.preVote,
        mutations: this.params.mutations,
      });
      if (mustBootstrap && this.bootstrapPeers) this.raw.bootstrap(this.bootstrapPeers);
    });
    this.up = true;
    this.incarnation++;
    this.checkedCommit = 0;
    this.leaderCommitSeen = undefined;
    if (snapIndex > 0) this.env.observer.onSnapshotInstalled(this, d.snap);
    this.env.observer.onLoaded(this, d.entries);
    this.process();
  }

  /** Reads this node answered from its leader lease, over all its lives. */
  get leaseReads(): number {
    return this.pastLeaseReads + (this.raw?.raft.leaseReads ?? 0);
  }

  crash(rng: Prng): CrashOutcome {
    this.pastLeaseReads = this.leaseReads;
    this.paused = false;
    this.missedTicks = 0;
    this.frozen = [];
    this.frozenCalls = [];
    const out = this.disk.crash(rng);
    this.up = false;
    this.raw = undefined;
    this.storage = undefined;
    this.inflight = undefined;
    this.deferred = [];
    this.crashAtNextSync = false;
    this.pendingProposals.clear();
    this.waitingReads = [];
    return out;
  }

  pause(): void {
    this.paused = true;
  }

  /**
   * Thaws the process as RaftNode does after a held event loop: first the
   * ticks real time says are due go to the lease clock (not to elections),
   * then the clients' calls, then the peers' messages. Which of a client's
   * request and a peer's socket a thawed process reads first is up to the
   * kernel; clients first is the order in which a lease that ignored the
   * pause would answer a read wrongly before a newer leader's message could
   * depose it.
   */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    const missed = this.missedTicks;
    this.missedTicks = 0;
    if (!this.params.mutations.has('lease-no-catch-up')) this.guard(() => this.raw?.elapse(missed));
    const queued = [...this.frozenCalls, ...this.frozen];
    this.frozen = [];
    this.frozenCalls = [];
    for (const fn of queued) {
      if (!this.up || this.paused) break;
      fn();
    }
  }

  tick(): void {
    if (this.paused) {
      // A timer that fires late fires once: the missed ticks are not replayed.
      this.missedTicks++;
      return;
    }
    this.guard(() => this.raw?.tick());
    this.process();
  }

  deliver(m: Message): void {
    if (this.paused) {
      this.frozen.push(() => this.deliver(m));
      return;
    }
    this.guard(() => this.raw?.step(m));
    this.process();
  }

  /** Returns false when the core refused the proposal outright (true while frozen: it is queued). */
  propose(datas: Uint8Array[]): boolean {
    if (this.paused) {
      this.frozenCalls.push(() => this.propose(datas));
      return true;
    }
    const ok = this.guard(() => this.raw?.proposeBatch(datas));
    this.process();
    return ok;
  }

  proposeConfChange(cc: ConfChange): boolean {
    if (this.paused) {
      this.frozenCalls.push(() => this.proposeConfChange(cc));
      return true;
    }
    const ok = this.guard(() => this.raw?.proposeConfChange(cc));
    this.process();
    return ok;
  }

  readIndex(ctx: Uint8Array): void {
    if (this.paused) {
      this.frozenCalls.push(() => this.readIndex(ctx));
      return;
    }
    this.guard(() => this.raw?.readIndex(ctx));
    this.process();
  }

  transferLeadership(to: NodeId): void {
    if (this.paused) {
      this.frozenCalls.push(() => this.transferLeadership(to));
      return;
    }
    this.guard(() => this.raw?.transferLeadership(to));
    this.process();
  }

  reportSnapshot(to: NodeId, ok: boolean): void {
    if (this.paused) {
      this.frozen.push(() => this.reportSnapshot(to, ok));
      return;
    }
    this.guard(() => this.raw?.reportSnapshot(to, ok));
    this.process();
  }

  /**
   * Transport feedback (unreachable peer, snapshot sent or failed) learned
   * while sending a Ready's messages; given to the core once it is advanced.
   */
  deferReportUnreachable(to: NodeId): void {
    this.deferred.push((raw) => raw.reportUnreachable(to));
  }

  deferReportSnapshot(to: NodeId, ok: boolean): void {
    this.deferred.push((raw) => raw.reportSnapshot(to, ok));
  }

  /**
   * Takes a snapshot at the applied index and compacts the log up to it, so
   * that lagging and new members must be sent an InstallSnapshot.
   */
  compact(): Snapshot | undefined {
    const storage = this.storage;
    if (!this.up || !storage || this.inflight || this.paused) return undefined;
    const at = this.app.applied;
    if (at <= storage.snapshot().metadata.index) return undefined;
    let snap: Snapshot | undefined;
    this.guard(() => {
      snap = storage.createSnapshot(at, this.app.confState, this.app.encode());
      storage.compact(at);
    });
    if (snap) this.disk.compact(snap);
    return snap;
  }

  /** The fsync of the in-flight Ready finished. */
  finishFsync(): void {
    if (this.paused) {
      this.frozen.push(() => this.finishFsync());
      return;
    }
    const rd = this.inflight;
    if (!this.up || !rd) return;
    this.finish(rd);
    this.process();
  }

  /** Drains Readies until one has to wait for the disk. */
  private process(): void {
    while (this.up && this.raw && !this.inflight && this.raw.hasReady()) {
      const rd = this.raw.ready();
      this.env.observer.onReady(this, rd);
      if (rd.snapshot) this.disk.write({ kind: 'snapshot', snap: rd.snapshot });
      if (rd.entries.length > 0) this.disk.write({ kind: 'entries', entries: rd.entries });
      if (rd.hardState) this.disk.write({ kind: 'hardState', hs: rd.hardState });
      if (rd.mustSync) {
        this.inflight = rd;
        if (this.crashAtNextSync) {
          this.env.crashNow(this);
          return;
        }
        this.env.scheduleFsync(this);
        return;
      }
      this.finish(rd);
    }
  }

  private finish(rd: Ready): void {
    const raw = this.raw;
    const storage = this.storage;
    if (!raw || !storage) return;
    if (rd.mustSync) this.disk.sync();
    if (rd.snapshot) {
      this.guard(() => storage.applySnapshot(rd.snapshot as Snapshot));
      this.app = AppState.decode(rd.snapshot.data, rd.snapshot.metadata.confState);
      this.env.observer.onSnapshotInstalled(this, rd.snapshot);
    }
    this.guard(() => {
      storage.append(rd.entries);
      if (rd.hardState) storage.setHardState(rd.hardState);
    });
    if (rd.entries.length > 0) this.env.observer.onPersisted(this, rd.entries);
    // Persisted: now (and only now) the messages may leave.
    let votedFor = false;
    let ackedRound = false;
    for (const m of rd.messages) {
      this.env.send(this, m);
      if (m.type === MessageType.VoteResp && !m.reject) votedFor = true;
      if (m.type === MessageType.HeartbeatResp && m.context !== undefined && m.context.length > 0) ackedRound = true;
    }
    for (const rs of rd.readStates) this.env.observer.onReadState(this, rs);
    for (const e of rd.committedEntries) this.apply(raw, e);
    this.guard(() => raw.advance(rd));
    this.inflight = undefined;
    const deferred = this.deferred;
    this.deferred = [];
    for (const fn of deferred) this.guard(() => fn(raw));
    if (votedFor) this.env.afterVoteGranted(this);
    if (ackedRound) this.env.afterRoundAcked(this);
  }

  private apply(raw: RawNode, e: Entry): void {
    if (e.index !== this.app.applied + 1) {
      throw new Violation('apply-order', `node ${this.id} applies index ${e.index} after ${this.app.applied}`);
    }
    if (e.type === EntryType.ConfChange) {
      const cc = decodeConfChange(e.data);
      this.guard(() => {
        this.app.confState = raw.applyConfChange(cc);
      });
    }
    this.app.apply(e);
    this.env.observer.onApply(this, e);
  }

  /**
   * Runs a call into the core. A RaftError is an ordinary refusal (false);
   * anything else is the core panicking, which is itself a violation.
   */
  private guard(fn: () => void): boolean {
    try {
      fn();
      return true;
    } catch (e) {
      if (e instanceof RaftError) return false;
      if (e instanceof Violation) throw e;
      const err = e as Error;
      throw new Violation('core-panic', `node ${this.id}: ${err.message}\n${err.stack ?? ''}`);
    }
  }
}

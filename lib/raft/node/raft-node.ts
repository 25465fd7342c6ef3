// The driver around the pure core: a real clock, durable storage, a
// transport and the application's state machine. One async loop owns the
// RawNode; timers, sockets and callers only queue work for it, so the core
// is never re-entered and each Ready is persisted before its messages leave.

import { randomBytes, randomInt } from 'crypto';
import { setImmediate as yieldToLoop } from 'timers/promises';
import { decodeConfChange } from '../codec';
import { RaftLogger, silentLogger } from '../core/config';
import { seededRandom } from '../random';
import { RaftError } from '../core/errors';
import { MemoryStorage } from '../core/memory-storage';
import { RawNode, Status } from '../core/rawnode';
import {
  ConfChange,
  ConfChangeType,
  ConfState,
  Entry,
  EntryType,
  Message,
  MessageType,
  NodeId,
  NONE,
  Ready,
  StateType,
} from '../core/types';
import { Transport, TransportHandlers } from '../transport/transport';
import { RaftNodeError } from './errors';
import { RequestId, requestKey, unwrapProposal, unwrapSnapshot, wrapProposal, wrapSnapshot, wrapSnapshotChunks } from './envelope';
import { PendingRequests } from './proposals';
import { dueTicks } from './lease-clock';
import { DiskStorage, DiskStorageOptions } from '../storage';

/** The application replicated by raft. Calls come in log order, one at a time. */
export interface StateMachine {
  apply(entry: { index: number; term: number; data: Uint8Array }): void;
  /** A serialization of everything applied so far. */
  snapshot(): Uint8Array;
  /** Replaces the state with a snapshot's. */
  restore(data: Uint8Array): void;
  /**
   * Optional: snapshot() as chunks, built a slice at a time. It must capture
   * the state synchronously, at the call (entries applied while it runs are
   * not in it), and produce the same bytes as snapshot() would have then.
   */
  snapshotChunks?(): Promise<Uint8Array[]>;
  /** Optional: restore() in slices. No entry is applied until it settles. */
  restoreInSlices?(data: Uint8Array): Promise<void>;
}

/** A snapshot of our own being built off the loop, with what raft needs to store it once it is. */
interface SnapshotInProgress {
  index: number;
  confState: ConfState;
  members: Map<NodeId, string>;
  data?: Uint8Array;
  error?: Error;
}

export interface RaftNodeOptions {
  id: NodeId;
  dataDir: string;
  /** The URL other members dial to reach this node. */
  url: string;
  /** Builds the transport with the handlers that feed this node. */
  transport: (handlers: TransportHandlers) => Transport;
  stateMachine: StateMachine;
  /** Members of a brand-new cluster (this node included). Ignored when the data dir has state. */
  bootstrap?: { id: NodeId; url: string }[];
  tickMs?: number;
  electionTick?: number;
  heartbeatTick?: number;
  /** Take a snapshot and compact the log after this many applied entries. */
  snapshotEvery?: number;
  /** Entries kept behind a snapshot so slightly lagging followers need no snapshot. */
  catchUpEntries?: number;
  /** How long propose() and read() wait for the commit before failing with a Timeout. */
  proposalTimeoutMs?: number;
  /** Longest stretch of applying before yielding to the event loop. */
  applySliceMs?: number;
  maxSizePerMsg?: number;
  maxInflightMsgs?: number;
  /**
   * Leader leases for read(): answered at once while a quorum acknowledged
   * the leader within the lease, instead of a heartbeat round per read
   * (docs/raft.md, "Reads"). Default off here; managers turn it on.
   */
  leaseReads?: boolean;
  random?: () => number;
  /** Monotonic milliseconds (performance.now by default); tests inject one. */
  now?: () => number;
  logger?: RaftLogger;
  /** WAL options (segment size; tests inject failing files here). */
  storage?: DiskStorageOptions;
  /** Storage failed: the node has stopped. Default: crash the process, as etcd does. */
  onFatal?: (err: Error) => void;
  /** Called after the known leader changes (0 when none). */
  onLeaderChange?: (leader: NodeId, term: number) => void;
  /** Called after a membership change is applied. */
  onConfChange?: (cc: ConfChange, cs: ConfState) => void;
}

type InboxItem =
  | { kind: 'msg'; m: Message }
  | { kind: 'unreachable'; id: NodeId }
  | { kind: 'snapStatus'; id: NodeId; ok: boolean };

interface QueuedProposal {
  key: string;
  data: Uint8Array;
}

interface ReadWaiter {
  index: number;
  key: string;
}

export interface AppliedProposal {
  index: number;
  term: number;
}

const noLeader = () => new RaftNodeError('NoLeader', 'no raft leader: an election is in progress or this node cannot reach a quorum');
const stopped = () => new RaftNodeError('Stopped', 'the raft node is stopped');

export class RaftNode {
  private readonly opts: Required<
    Omit<RaftNodeOptions, 'bootstrap' | 'onLeaderChange' | 'onConfChange' | 'random' | 'logger' | 'onFatal' | 'storage' | 'now'>
  >;
  private readonly log: RaftLogger;
  private readonly incarnation = randomInt(0, 0xffff_ffff);
  private seq = 0;
  private readSeq = 0;

  private rawNode!: RawNode;
  private mem!: MemoryStorage;
  private storage!: DiskStorage;
  private transport!: Transport;
  private readonly members = new Map<NodeId, string>();
  private confState: ConfState = { voters: [], learners: [] };
  private readonly lastHeard = new Map<NodeId, number>();
  private snapshotIndex = 0;
  private appliedIndex = 0;
  /** At most one at a time: a second is not started before the first is stored. */
  private building: SnapshotInProgress | undefined;
  /**
   * Opened with a key over data written in clear: a snapshot is taken as soon
   * as the log committed at open is applied, and again at the next applied
   * entry while the storage still holds data in clear (the first one closes the
   * segment in clear; the next one covers its last entry, so it is deleted).
   */
  private snapshotToSeal: { atIndex: number } | undefined;

  private inbox: InboxItem[] = [];
  private ticks = 0;
  private readonly now: () => number;
  /** When the clock started, and the ticks (timer and elapsed) fed to the core since. */
  private clockStart = 0;
  private ticksFed = 0;
  private proposalQueue: QueuedProposal[] = [];
  private readQueue: string[] = [];
  /** Reads handed to raft, kept to re-send when the leader changes (a dead leader never answers). */
  private sentReads = new Set<string>();
  private work: (() => void) | undefined;
  private pendingWork = false;
  private ticker: NodeJS.Timeout | undefined;
  private loopDone: Promise<void> = Promise.resolve();
  private stopping = false;
  private failed: Error | undefined;

  private readonly proposals = new PendingRequests<string, AppliedProposal>();
  private readonly confChanges = new PendingRequests<number, ConfState>();
  private readonly confTerms = new Map<number, number>();
  private readonly reads = new PendingRequests<string, number>();
  private readWaiters: ReadWaiter[] = [];

  private lead: NodeId = NONE;
  private role = StateType.Follower;
  private term = 0;
  private leaderWaiters: (() => void)[] = [];

  private constructor(private readonly options: RaftNodeOptions) {
    this.opts = {
      id: options.id,
      dataDir: options.dataDir,
      url: options.url,
      transport: options.transport,
      stateMachine: options.stateMachine,
      tickMs: options.tickMs ?? 100,
      electionTick: options.electionTick ?? 10,
      heartbeatTick: options.heartbeatTick ?? 1,
      snapshotEvery: options.snapshotEvery ?? 10_000,
      catchUpEntries: options.catchUpEntries ?? 5_000,
      proposalTimeoutMs: options.proposalTimeoutMs ?? 10_000,
      applySliceMs: options.applySliceMs ?? 10,
      maxSizePerMsg: options.maxSizePerMsg ?? 1024 * 1024,
      maxInflightMsgs: options.maxInflightMsgs ?? 256,
      leaseReads: options.leaseReads ?? false,
    };
    this.now = options.now ?? (() => performance.now());
    this.log = options.logger ?? silentLogger;
  }

  /** Opens (or creates) the data dir, replays it, starts the transport and the clock. */
  static async start(options: RaftNodeOptions): Promise<RaftNode> {
    const node = new RaftNode(options);
    await node.open();
    return node;
  }

  private async open(): Promise<void> {
    const { storage, state } = await DiskStorage.open(this.opts.dataDir, this.options.storage);
    this.storage = storage;
    this.mem = new MemoryStorage();
    if (state.snapshot) {
      this.mem.applySnapshot(state.snapshot);
      await this.installSnapshotData(state.snapshot.data);
      this.snapshotIndex = state.snapshot.metadata.index;
      this.confState = state.snapshot.metadata.confState;
    }
    this.mem.setHardState(state.hardState);
    this.mem.append(state.entries);
    this.appliedIndex = this.snapshotIndex;
    if (storage.holdsDataInClear && state.hardState.commit > this.snapshotIndex) this.snapshotToSeal = { atIndex: state.hardState.commit };
    const seed = randomBytes(4).readUInt32BE(0);
    this.rawNode = new RawNode({
      id: this.opts.id,
      storage: this.mem,
      electionTick: this.opts.electionTick,
      heartbeatTick: this.opts.heartbeatTick,
      random: this.options.random ?? seededRandom(seed),
      applied: this.snapshotIndex,
      maxSizePerMsg: this.opts.maxSizePerMsg,
      maxInflightMsgs: this.opts.maxInflightMsgs,
      checkQuorum: true,
      preVote: true,
      leaseReads: this.opts.leaseReads,
      logger: this.log,
    });
    const fresh = !state.snapshot && state.entries.length === 0 && state.hardState.term === 0;
    if (fresh && this.options.bootstrap && this.options.bootstrap.length > 0) {
      const contexts = new Map(this.options.bootstrap.map((p) => [p.id, Buffer.from(p.url, 'utf8')]));
      this.rawNode.bootstrap(
        this.options.bootstrap.map((p) => p.id),
        contexts,
      );
    }
    this.transport = this.opts.transport({
      onMessage: (m) => {
        this.lastHeard.set(m.from, Date.now());
        this.enqueue({ kind: 'msg', m });
      },
      onUnreachable: (id) => this.enqueue({ kind: 'unreachable', id }),
      onSnapshotStatus: (id, ok) => this.enqueue({ kind: 'snapStatus', id, ok }),
    });
    for (const [id, url] of this.members) if (id !== this.opts.id) this.transport.addPeer(id, url);
    await this.transport.start();
    let lastTick = this.now();
    this.clockStart = lastTick;
    this.ticker = setInterval(() => {
      const now = this.now();
      // A tick this late means the event loop was held: peers may have called an election meanwhile. Said, so it can be found.
      const late = now - lastTick - this.opts.tickMs;
      if (late > this.electionTimeoutMs / 2) this.log.warn(`raft ${this.opts.id}: event loop blocked for ${Math.round(late)} ms (election timeout ${this.electionTimeoutMs} ms)`);
      lastTick = now;
      this.ticks++;
      this.wake();
    }, this.opts.tickMs);
    this.loopDone = this.run();
    // A single-member cluster need not wait an election timeout.
    if (this.rawNode.raft.trk.voters.size === 1 && this.rawNode.raft.trk.voters.has(this.opts.id)) this.wake();
  }

  // ---------------------------------------------------------------- public API

  get id(): NodeId {
    return this.opts.id;
  }

  /** The leader this node knows of, 0 if none. */
  get leader(): NodeId {
    return this.lead;
  }

  get isLeader(): boolean {
    return this.role === StateType.Leader;
  }

  get applied(): number {
    return this.appliedIndex;
  }

  status(): Status & { members: Record<NodeId, string> } {
    return { ...this.rawNode.status(), members: Object.fromEntries(this.members) };
  }

  /** Reads this node answered from its leader lease, without a heartbeat round (counting since start). */
  get leaseReadsServed(): number {
    return this.rawNode.raft.leaseReads;
  }

  transportStats() {
    return this.transport.stats();
  }

  /**
   * Milliseconds since a message from `id` last arrived (Infinity if never). A
   * leader hears every member each heartbeat; a follower hears only the leader.
   */
  sinceHeard(id: NodeId): number {
    const at = this.lastHeard.get(id);
    return at === undefined ? Infinity : Date.now() - at;
  }

  /** The election timeout in milliseconds: a member silent for longer is not answering. */
  get electionTimeoutMs(): number {
    return this.opts.electionTick * this.opts.tickMs;
  }

  /**
   * Replicates `data`; resolves once it is committed and applied on this node.
   * Works on followers too (forwarded to the leader).
   */
  propose(data: Uint8Array): Promise<AppliedProposal> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.stopping) return Promise.reject(stopped());
    const id: RequestId = { node: this.opts.id, incarnation: this.incarnation, seq: this.seq++ >>> 0 };
    const key = requestKey(id);
    const p = this.proposals.add(key, this.opts.proposalTimeoutMs, () => this.timeoutError('proposal'));
    this.proposalQueue.push({ key, data: wrapProposal(id, data) });
    this.wake();
    return p;
  }

  /**
   * A linearizable read barrier: resolves with the read index once this node
   * has applied everything committed before the call.
   */
  read(): Promise<number> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.stopping) return Promise.reject(stopped());
    const key = `${this.incarnation}:${this.readSeq++}`;
    const p = this.reads.add(key, this.opts.proposalTimeoutMs, () => this.timeoutError('read'));
    this.readQueue.push(key);
    this.wake();
    return p;
  }

  /** Adds, promotes or removes a member; on the leader only. Resolves when applied here. */
  async changeMembership(cc: ConfChange): Promise<ConfState> {
    if (this.failed) throw this.failed;
    if (this.stopping) throw stopped();
    if (!this.isLeader) throw this.notLeader('membership changes');
    try {
      this.rawNode.proposeConfChange(cc);
    } catch (e) {
      throw this.translate(e);
    }
    const index = this.rawNode.raft.raftLog.lastIndex();
    this.confTerms.set(index, this.rawNode.raft.term);
    const p = this.confChanges.add(index, this.opts.proposalTimeoutMs, () => this.timeoutError('membership change'));
    this.wake();
    return p;
  }

  addMember(id: NodeId, url: string, learner = false): Promise<ConfState> {
    const type = learner ? ConfChangeType.AddLearner : ConfChangeType.AddVoter;
    return this.changeMembership({ type, nodeId: id, context: Buffer.from(url, 'utf8') });
  }

  removeMember(id: NodeId): Promise<ConfState> {
    return this.changeMembership({ type: ConfChangeType.RemoveNode, nodeId: id, context: new Uint8Array(0) });
  }

  /** Asks the leader to hand leadership to `to` (after it catches up). */
  transferLeadership(to: NodeId): void {
    this.rawNode.transferLeadership(to);
    this.wake();
  }

  /** Resolves once a leader is known, or rejects after `timeoutMs`. */
  waitForLeader(timeoutMs = 10_000): Promise<NodeId> {
    if (this.lead !== NONE) return Promise.resolve(this.lead);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.leaderWaiters = this.leaderWaiters.filter((w) => w !== done);
        reject(new RaftNodeError('NoLeader', `no raft leader elected within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve(this.lead);
      };
      this.leaderWaiters.push(done);
    });
  }

  /** Stops the clock, the loop and the transport; pending requests fail with Stopped. */
  async stop(): Promise<void> {
    if (this.stopping) return this.loopDone;
    this.stopping = true;
    if (this.ticker) clearInterval(this.ticker);
    this.wake();
    await this.loopDone;
    this.failAll(stopped);
    await this.transport.stop();
    await this.storage.close().catch(() => undefined);
  }

  // ---------------------------------------------------------------- the loop

  private enqueue(item: InboxItem): void {
    this.inbox.push(item);
    this.wake();
  }

  private wake(): void {
    this.pendingWork = true;
    const w = this.work;
    if (w) {
      this.work = undefined;
      w();
    }
  }

  private waitForWork(): Promise<void> {
    if (this.pendingWork) return Promise.resolve();
    return new Promise((resolve) => (this.work = resolve));
  }

  private async run(): Promise<void> {
    try {
      while (!this.stopping) {
        await this.waitForWork();
        this.pendingWork = false;
        if (this.stopping) break;
        this.drainInbox();
        while (!this.stopping && this.rawNode.hasReady()) {
          await this.handleReady(this.rawNode.ready());
          this.drainInbox();
        }
        if (!this.stopping) await this.storeBuiltSnapshot();
      }
    } catch (e) {
      this.fail(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /**
   * Feeds the timer's ticks, then tells the core of the ticks real time says
   * are due beyond them, so a leader's lease never outlives real time however
   * late the timer ran. Called before anything that may answer a read.
   */
  private feedTicks(): void {
    const rn = this.rawNode;
    for (; this.ticks > 0; this.ticks--) {
      rn.tick();
      this.ticksFed++;
    }
    const due = dueTicks(this.now() - this.clockStart, this.opts.tickMs, this.ticksFed);
    if (due > 0) {
      rn.elapse(due);
      this.ticksFed += due;
    }
  }

  private drainInbox(): void {
    const rn = this.rawNode;
    this.feedTicks();
    const inbox = this.inbox;
    this.inbox = [];
    for (const item of inbox) {
      try {
        if (item.kind === 'msg' && item.m.type === MessageType.ReadIndex) this.feedTicks();
        if (item.kind === 'msg') rn.step(item.m);
        else if (item.kind === 'unreachable') rn.reportUnreachable(item.id);
        else rn.reportSnapshot(item.id, item.ok);
      } catch (e) {
        // A message the core refuses (e.g. stale, from a removed peer) is not fatal.
        if (!(e instanceof RaftError)) throw e;
        this.log.debug(`raft ${this.opts.id}: dropped message: ${e.message}`);
      }
    }
    // Without a known leader, requests wait (bounded by their timeout) rather than fail
    // during the few ticks of an election.
    if (rn.raft.lead === NONE) return;
    if (this.proposalQueue.length > 0) {
      // A request whose caller already got a timeout must not be proposed behind its back.
      const batch = this.proposalQueue.filter((p) => this.proposals.has(p.key));
      this.proposalQueue = [];
      try {
        // One Prop message: one log append, one fsync, one round of appends for the whole batch.
        rn.proposeBatch(batch.map((p) => p.data));
      } catch (e) {
        const err = this.translate(e);
        for (const p of batch) this.proposals.reject(p.key, err);
      }
    }
    if (this.readQueue.length > 0) {
      const reads = this.readQueue.filter((key) => this.reads.has(key));
      this.readQueue = [];
      // Reads that timed out are forgotten here rather than tracked one by one.
      if (this.sentReads.size > 4096) for (const k of this.sentReads) if (!this.reads.has(k)) this.sentReads.delete(k);
      // Stepping a long inbox takes time too: the lease is judged by the clock as it is now.
      this.feedTicks();
      for (const key of reads) {
        rn.readIndex(Buffer.from(key, 'latin1'));
        this.sentReads.add(key);
      }
    }
  }

  private async handleReady(rd: Ready): Promise<void> {
    if (rd.snapshot) await this.storage.saveSnapshot(rd.snapshot);
    if (rd.hardState || rd.entries.length > 0) await this.storage.save(rd.hardState, rd.entries, rd.mustSync);
    if (rd.snapshot) {
      this.mem.applySnapshot(rd.snapshot);
      await this.installSnapshotData(rd.snapshot.data);
      this.snapshotIndex = rd.snapshot.metadata.index;
      this.confState = rd.snapshot.metadata.confState;
      this.appliedIndex = rd.snapshot.metadata.index;
    }
    if (rd.hardState) this.mem.setHardState(rd.hardState);
    this.mem.append(rd.entries);
    // Only now, with the state durable, may messages that depend on it leave.
    if (rd.messages.length > 0) this.transport.send(rd.messages);
    if (rd.softState) this.onSoftState(rd.softState.lead, rd.softState.state);
    await this.applyEntries(rd.committedEntries);
    for (const rs of rd.readStates) {
      const key = Buffer.from(rs.requestCtx).toString('latin1');
      if (this.reads.has(key)) this.readWaiters.push({ index: rs.index, key });
    }
    this.releaseReads();
    this.rawNode.advance(rd);
    await this.maybeSnapshot();
  }

  private onSoftState(lead: NodeId, role: StateType): void {
    const changed = lead !== this.lead;
    this.lead = lead;
    this.role = role;
    this.term = this.rawNode.raft.term;
    if (!changed) return;
    this.log.info(`raft ${this.opts.id}: leader is now ${lead || 'unknown'} (term ${this.term})`);
    if (lead !== NONE) {
      // A read sent to the previous leader may be lost with it; asking again is harmless
      // (whichever answer comes first resolves it).
      for (const key of this.sentReads) if (this.reads.has(key)) this.readQueue.push(key);
      this.sentReads.clear();
      const waiters = this.leaderWaiters;
      this.leaderWaiters = [];
      for (const w of waiters) w();
    }
    this.options.onLeaderChange?.(lead, this.term);
  }

  private async applyEntries(ents: Entry[]): Promise<void> {
    let sliceStart = performance.now();
    for (const e of ents) {
      this.applyEntry(e);
      this.appliedIndex = e.index;
      if (performance.now() - sliceStart > this.opts.applySliceMs) {
        // Long applies (catching up, big batches) must not starve sockets and timers.
        this.releaseReads();
        await yieldToLoop();
        sliceStart = performance.now();
      }
    }
  }

  private applyEntry(e: Entry): void {
    const pendingConfTerm = this.confTerms.get(e.index);
    if (pendingConfTerm !== undefined && (e.term !== pendingConfTerm || e.type !== EntryType.ConfChange)) {
      this.confTerms.delete(e.index);
      this.confChanges.reject(e.index, new RaftNodeError('Superseded', 'the membership change was overwritten by a new leader; retry'));
    }
    if (e.type === EntryType.ConfChange) {
      const cc = decodeConfChange(e.data);
      const cs = this.rawNode.applyConfChange(cc);
      this.confState = cs;
      this.applyMembership(cc);
      this.options.onConfChange?.(cc, cs);
      if (pendingConfTerm === e.term) {
        this.confTerms.delete(e.index);
        this.confChanges.resolve(e.index, cs);
      }
      return;
    }
    if (e.data.length === 0) return; // a leader's no-op
    const { id, payload } = unwrapProposal(e.data);
    this.opts.stateMachine.apply({ index: e.index, term: e.term, data: payload });
    if (id.node === this.opts.id && id.incarnation === this.incarnation) {
      this.proposals.resolve(requestKey(id), { index: e.index, term: e.term });
    }
  }

  private applyMembership(cc: ConfChange): void {
    if (cc.type === ConfChangeType.RemoveNode) {
      this.members.delete(cc.nodeId);
      if (cc.nodeId !== this.opts.id) this.transport.removePeer(cc.nodeId);
      return;
    }
    const url = Buffer.from(cc.context).toString('utf8');
    // A promotion carries no address: keep the one we have.
    if (url.length === 0) return;
    this.members.set(cc.nodeId, url);
    if (cc.nodeId !== this.opts.id) this.transport.addPeer(cc.nodeId, url);
  }

  private async installSnapshotData(data: Uint8Array): Promise<void> {
    const env = unwrapSnapshot(data);
    const sm = this.opts.stateMachine;
    if (sm.restoreInSlices) await sm.restoreInSlices(env.app);
    else sm.restore(env.app);
    for (const id of [...this.members.keys()]) {
      if (!env.members.has(id)) {
        this.members.delete(id);
        if (this.transport && id !== this.opts.id) this.transport.removePeer(id);
      }
    }
    for (const [id, url] of env.members) {
      this.members.set(id, url);
      if (this.transport && id !== this.opts.id) this.transport.addPeer(id, url);
    }
  }

  private releaseReads(): void {
    if (this.readWaiters.length === 0) return;
    const waiting: ReadWaiter[] = [];
    for (const w of this.readWaiters) {
      if (w.index <= this.appliedIndex) {
        this.reads.resolve(w.key, w.index);
        this.sentReads.delete(w.key);
      }
      else waiting.push(w);
    }
    this.readWaiters = waiting;
  }

  /**
   * Starts a snapshot of the state at the applied index. With a state machine
   * that builds in slices, the loop goes on applying meanwhile and
   * storeBuiltSnapshot() stores it once it is done; otherwise it is taken
   * here, at once, as before.
   */
  private async maybeSnapshot(): Promise<void> {
    if (this.snapshotToSeal && !this.storage.holdsDataInClear) this.snapshotToSeal = undefined;
    const toSeal = this.snapshotToSeal !== undefined && this.appliedIndex >= this.snapshotToSeal.atIndex && this.appliedIndex > this.snapshotIndex;
    if (this.building || (!toSeal && this.appliedIndex - this.snapshotIndex < this.opts.snapshotEvery)) return;
    if (toSeal) this.log.info(`raft ${this.opts.id}: snapshot at ${this.appliedIndex} so that log records written in clear can be deleted`);
    const sm = this.opts.stateMachine;
    const job: SnapshotInProgress = { index: this.appliedIndex, confState: this.confState, members: new Map(this.members) };
    this.building = job;
    if (!sm.snapshotChunks) {
      job.data = wrapSnapshot({ members: job.members, app: sm.snapshot() });
      await this.storeBuiltSnapshot();
      return;
    }
    // Called now, synchronously: the state machine captures the state at job.index.
    sm.snapshotChunks().then(
      (chunks) => {
        job.data = wrapSnapshotChunks(job.members, chunks);
        this.wake();
      },
      (e: unknown) => {
        job.error = e instanceof Error ? e : new Error(String(e));
        this.wake();
      },
    );
  }

  private async storeBuiltSnapshot(): Promise<void> {
    const job = this.building;
    if (!job || (job.data === undefined && job.error === undefined)) return;
    this.building = undefined;
    if (job.error) {
      // The log is intact and the next threshold crossing tries again; nothing is lost.
      this.log.warn(`raft ${this.opts.id}: snapshot at index ${job.index} failed: ${job.error.message}`);
      return;
    }
    // A leader's snapshot installed meanwhile is newer: ours is of no use.
    if (job.index <= this.snapshotIndex) return;
    const snap = this.mem.createSnapshot(job.index, job.confState, job.data as Uint8Array);
    await this.storage.saveSnapshot(snap);
    this.snapshotIndex = job.index;
    const compactTo = job.index - this.opts.catchUpEntries;
    if (compactTo > this.mem.firstIndex()) this.mem.compact(compactTo);
    this.log.info(`raft ${this.opts.id}: snapshot at index ${this.snapshotIndex}, log compacted to ${compactTo}`);
    // Entries applied while it was built may already call for the next one.
    await this.maybeSnapshot();
  }

  // ---------------------------------------------------------------- errors

  private translate(e: unknown): Error {
    if (e instanceof RaftError) {
      if (e.code === 'NotLeader') return new RaftNodeError('NotLeader', e.message, e.leader);
      if (e.code === 'ProposalDropped' && this.lead === NONE) return noLeader();
      return new RaftNodeError('Dropped', `proposal dropped: ${e.message}`, e.leader);
    }
    return e instanceof Error ? e : new Error(String(e));
  }

  private notLeader(what: string): RaftNodeError {
    const lead = this.lead;
    if (lead === NONE) return noLeader();
    return new RaftNodeError('NotLeader', `${what} must be made on the leader (raft id ${lead}, ${this.members.get(lead) ?? 'address unknown'})`, lead);
  }

  private timeoutError(what: string): RaftNodeError {
    const why = this.lead === NONE ? 'no leader is known' : `the leader is ${this.lead}`;
    return new RaftNodeError(
      'Timeout',
      `${what} not committed within ${this.opts.proposalTimeoutMs} ms (${why}; the cluster may have lost its quorum). It may still be applied later.`,
      this.lead,
    );
  }

  private failAll(err: () => Error): void {
    this.proposals.rejectAll(err);
    this.confChanges.rejectAll(err);
    this.reads.rejectAll(err);
    this.confTerms.clear();
    this.readWaiters = [];
  }

  /** Storage (or an invariant) failed: nothing may be persisted or sent any more. */
  private fail(err: Error): void {
    const wrapped = new RaftNodeError('StorageFailed', `raft node ${this.opts.id} stopped: ${err.message}`);
    this.failed = wrapped;
    this.stopping = true;
    if (this.ticker) clearInterval(this.ticker);
    this.failAll(() => wrapped);
    void this.transport.stop();
    void this.storage.close().catch(() => undefined);
    this.log.warn(wrapped.message);
    const onFatal =
      this.options.onFatal ??
      ((e: Error) => {
        // As etcd: a node that cannot trust its disk must not go on.
        setImmediate(() => {
          throw e;
        });
      });
    onFatal(err);
  }
}

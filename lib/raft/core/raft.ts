import { RaftConfig, RaftLogger, resolveConfig, ResolvedConfig } from './config';
import { RaftError } from './errors';
import { RaftLog } from './log';
import { Progress, ProgressState } from './progress';
import { ReadOnly } from './read-only';
import { ProgressTracker, VoteResult } from './tracker';
import {
  ConfChange,
  ConfChangeType,
  ConfState,
  Entry,
  EntryType,
  HardState,
  Message,
  MessageType,
  newMessage,
  NodeId,
  NONE,
  ReadState,
  SoftState,
  Snapshot,
  StateType,
} from './types';
import { invariant, payloadSize } from './util';

export enum CampaignType {
  PreElection = 'pre-election',
  Election = 'election',
  /** Forced by a leadership transfer: skips PreVote and breaks leader leases. */
  Transfer = 'transfer',
}

const CAMPAIGN_TRANSFER = new TextEncoder().encode('CampaignTransfer');

function isTransferCampaign(ctx: Uint8Array | undefined): boolean {
  return ctx !== undefined && Buffer.from(ctx).equals(Buffer.from(CAMPAIGN_TRANSFER));
}

/** Contexts of the leader's own lease rounds: a NUL first byte keeps them apart from clients' contexts. */
function leaseRoundCtx(term: number, seq: number): Uint8Array {
  return Buffer.from(`\u0000lease:${term}:${seq}`, 'latin1');
}

function voteRespType(t: MessageType): MessageType {
  return t === MessageType.Vote ? MessageType.VoteResp : MessageType.PreVoteResp;
}

/**
 * The Raft state machine of one node (etcd's `raft` struct, in our words).
 * Single-threaded and deterministic: inputs are tick() and step(), outputs
 * are `msgs`, the log and the hard/soft state, collected by RawNode.
 */
export class Raft {
  readonly id: NodeId;
  term = 0;
  vote: NodeId = NONE;
  lead: NodeId = NONE;
  state = StateType.Follower;
  isLearner = false;

  readonly raftLog: RaftLog;
  trk: ProgressTracker;
  msgs: Message[] = [];
  readStates: ReadState[] = [];

  /** Id of the peer leadership is being transferred to, while a transfer runs. */
  leadTransferee: NodeId = NONE;
  /** Only one conf change may be pending: the log index of the newest one proposed. */
  pendingConfIndex = 0;
  private uncommittedSize = 0;
  private readOnly = new ReadOnly();
  /** ReadIndex requests received before this leader committed an entry of its term. */
  private pendingReadIndexMessages: Message[] = [];

  electionElapsed = 0;
  private heartbeatElapsed = 0;
  /** Ticks since start, from tick() and elapse(): the leader's lease clock. */
  private clock = 0;
  /** tick() calls since start: the boot guard trusts only ticks the timer delivered. */
  private bootTicks = 0;
  /** The lease holds while clock < leaseUntil. */
  private leaseUntil = 0;
  /** Bumped whenever a lease must end (term, role, membership, transfer): rounds begun before no longer extend it. */
  private leaseEpoch = 0;
  private lastLeaseRoundTick = -1;
  private leaseSeq = 0;
  /**
   * A TimeoutNow left in this term. The transferee may campaign on it (forced,
   * past every follower's lease) whenever it arrives, even after we gave the
   * transfer up, so no lease read until the term ends.
   */
  private timeoutNowSent = false;
  /** ReadIndex requests answered from the lease (no heartbeat round); for tests and the simulator. */
  leaseReads = 0;
  randomizedElectionTimeout = 0;

  readonly cfg: ResolvedConfig;
  private readonly log: RaftLogger;
  private stepFn: (m: Message) => void;
  private tickFn: () => void;

  constructor(config: RaftConfig) {
    this.cfg = resolveConfig(config);
    this.id = this.cfg.id;
    this.log = this.cfg.logger;
    this.raftLog = new RaftLog(this.cfg.storage, this.cfg.maxCommittedSizePerReady);
    const { hardState, confState } = this.cfg.storage.initialState();
    this.trk = new ProgressTracker(this.cfg.maxInflightMsgs, this.cfg.maxInflightBytes);
    this.applyConfState(confState);
    if (hardState.term !== 0 || hardState.vote !== NONE || hardState.commit !== 0) this.loadState(hardState);
    if (this.cfg.applied > 0) this.raftLog.appliedTo(this.cfg.applied);
    this.stepFn = this.stepFollower;
    this.tickFn = this.tickElection;
    this.becomeFollower(this.term, NONE);
  }

  // ---------------------------------------------------------------- state

  hardState(): HardState {
    const vote = this.cfg.mutations.has('forget-vote') ? NONE : this.vote;
    return { term: this.term, vote, commit: this.raftLog.committed };
  }

  softState(): SoftState {
    return { lead: this.lead, state: this.state };
  }

  private loadState(hs: HardState): void {
    invariant(
      hs.commit >= this.raftLog.committed && hs.commit <= this.raftLog.lastIndex(),
      `${this.id} state.commit ${hs.commit} is out of range [${this.raftLog.committed}, ${this.raftLog.lastIndex()}]`,
    );
    this.raftLog.committed = hs.commit;
    this.term = hs.term;
    this.vote = hs.vote;
  }

  /** Rebuilds membership from a ConfState (start-up or snapshot), keeping nothing of the old progress. */
  private applyConfState(cs: ConfState): void {
    this.trk = new ProgressTracker(this.cfg.maxInflightMsgs, this.cfg.maxInflightBytes);
    const next = this.raftLog.lastIndex() + 1;
    for (const id of cs.voters) {
      this.trk.voters.add(id);
      this.trk.progress.set(id, this.newProgress(next, false));
    }
    for (const id of cs.learners) {
      if (this.trk.voters.has(id)) continue;
      this.trk.learners.add(id);
      this.trk.progress.set(id, this.newProgress(next, true));
    }
    const self = this.trk.progress.get(this.id);
    if (self) self.match = next - 1;
    this.isLearner = this.trk.learners.has(this.id);
  }

  private newProgress(next: number, learner: boolean): Progress {
    return new Progress(Math.max(next, 1), this.trk.maxInflight, this.trk.maxInflightBytes, learner);
  }

  /** A node may campaign only as a voter of the current config with no snapshot pending. */
  promotable(): boolean {
    const pr = this.trk.progress.get(this.id);
    return pr !== undefined && !pr.isLearner && !this.raftLog.hasPendingSnapshot();
  }

  // ---------------------------------------------------------------- sending

  private send(m: Message): void {
    // Keep the sender of a message we pass on (as etcd does): a ReadIndex that
    // travels through a second follower must still be answered to the node
    // that asked, never to the middle one (the ws transport then refuses such
    // a relayed message, which only loses it).
    if (m.from === NONE) m.from = this.id;
    if (
      m.type === MessageType.Vote ||
      m.type === MessageType.VoteResp ||
      m.type === MessageType.PreVote ||
      m.type === MessageType.PreVoteResp
    ) {
      // Campaign messages carry the term they are for, which may differ from ours (PreVote).
      invariant(m.term !== 0, `term should be set when sending ${MessageType[m.type]}`);
    } else {
      invariant(m.term === 0, `term should not be set when sending ${MessageType[m.type]} (was ${m.term})`);
      // Proposals and read requests forwarded to the leader travel as local messages.
      if (m.type !== MessageType.Prop && m.type !== MessageType.ReadIndex) m.term = this.term;
    }
    this.msgs.push(m);
  }

  /** Sends an append (or a snapshot when the needed entries are compacted). */
  sendAppend(to: NodeId): void {
    this.maybeSendAppend(to, true);
  }

  private maybeSendAppend(to: NodeId, sendIfEmpty: boolean): boolean {
    const pr = this.trk.progress.get(to);
    if (!pr || pr.isPaused()) return false;
    let term: number;
    let ents: Entry[];
    try {
      term = this.raftLog.term(pr.next - 1);
      ents = this.raftLog.entries(pr.next, this.cfg.maxSizePerMsg);
    } catch (e) {
      if (!(e instanceof RaftError)) throw e;
      return this.maybeSendSnapshot(to, pr);
    }
    if (ents.length === 0 && !sendIfEmpty) return false;
    this.send(newMessage(MessageType.App, { to, index: pr.next - 1, logTerm: term, entries: ents, commit: this.raftLog.committed }));
    if (ents.length > 0) {
      const last = ents[ents.length - 1].index;
      if (pr.state === ProgressState.Replicate) {
        pr.optimisticUpdate(last);
        pr.inflights.add(last, payloadSize(ents));
      } else if (pr.state === ProgressState.Probe) {
        pr.probeSent = true;
      }
    } else if (pr.state === ProgressState.Probe) {
      pr.probeSent = true;
    }
    return true;
  }

  private maybeSendSnapshot(to: NodeId, pr: Progress): boolean {
    // An inactive peer would only waste a (large) snapshot transfer.
    if (!pr.recentActive) return false;
    let snap: Snapshot;
    try {
      snap = this.raftLog.snapshot();
    } catch (e) {
      if (e instanceof RaftError && e.code === 'SnapshotTemporarilyUnavailable') return false;
      throw e;
    }
    invariant(snap.metadata.index !== 0, 'need non-empty snapshot');
    this.send(newMessage(MessageType.Snap, { to, snapshot: snap }));
    pr.becomeSnapshot(snap.metadata.index);
    return true;
  }

  private sendHeartbeat(to: NodeId, ctx: Uint8Array | undefined): void {
    // Never tell a follower to commit beyond what it is known to hold.
    const pr = this.trk.progress.get(to);
    const commit = Math.min(pr ? pr.match : 0, this.raftLog.committed);
    this.send(newMessage(MessageType.Heartbeat, { to, commit, context: ctx }));
  }

  bcastAppend(): void {
    for (const id of this.trk.ids()) if (id !== this.id) this.sendAppend(id);
  }

  private bcastHeartbeat(ctx = this.readOnly.lastPendingRequestCtx()): void {
    for (const id of this.trk.ids()) if (id !== this.id) this.sendHeartbeat(id, ctx);
  }

  // ---------------------------------------------------------------- role changes

  private reset(term: number): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = NONE;
    }
    this.lead = NONE;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.resetRandomizedElectionTimeout();
    this.abortLeaderTransfer();
    this.trk.resetVotes();
    const last = this.raftLog.lastIndex();
    for (const [id, pr] of this.trk.progress) {
      const fresh = this.newProgress(last + 1, pr.isLearner);
      if (id === this.id) fresh.match = last;
      this.trk.progress.set(id, fresh);
    }
    this.pendingConfIndex = 0;
    this.uncommittedSize = 0;
    this.readOnly = new ReadOnly();
    this.pendingReadIndexMessages = [];
    this.timeoutNowSent = false;
    this.dropLease();
  }

  private dropLease(): void {
    this.leaseUntil = 0;
    this.leaseEpoch++;
    this.lastLeaseRoundTick = -1;
  }

  becomeFollower(term: number, lead: NodeId): void {
    this.stepFn = this.stepFollower;
    this.reset(term);
    this.tickFn = this.tickElection;
    this.lead = lead;
    this.state = StateType.Follower;
    this.log.debug(`${this.id} became follower at term ${this.term}`);
  }

  becomeCandidate(): void {
    invariant(this.state !== StateType.Leader, 'invalid transition [leader -> candidate]');
    this.stepFn = this.stepCandidate;
    this.reset(this.term + 1);
    this.tickFn = this.tickElection;
    this.vote = this.id;
    this.state = StateType.Candidate;
    this.log.debug(`${this.id} became candidate at term ${this.term}`);
  }

  becomePreCandidate(): void {
    invariant(this.state !== StateType.Leader, 'invalid transition [leader -> pre-candidate]');
    // A pre-candidate changes neither term nor vote: a failed pre-election disturbs nobody.
    this.stepFn = this.stepCandidate;
    this.trk.resetVotes();
    this.tickFn = this.tickElection;
    this.lead = NONE;
    this.state = StateType.PreCandidate;
    this.log.debug(`${this.id} became pre-candidate at term ${this.term}`);
  }

  becomeLeader(): void {
    invariant(this.state !== StateType.Follower, 'invalid transition [follower -> leader]');
    this.stepFn = this.stepLeader;
    this.reset(this.term);
    this.tickFn = this.tickHeartbeat;
    this.lead = this.id;
    this.state = StateType.Leader;
    const self = this.trk.progress.get(this.id);
    if (self) {
      self.becomeReplicate();
      self.recentActive = true;
    }
    // Conf changes in the uncommitted tail may be pending: be conservative.
    this.pendingConfIndex = this.raftLog.lastIndex();
    if (!this.cfg.mutations.has('skip-noop')) {
      // The no-op lets this leader commit (and learn the commit index of) entries of earlier terms.
      const ok = this.appendEntry([{ term: 0, index: 0, type: EntryType.Normal, data: new Uint8Array(0) }]);
      invariant(ok, 'empty entry was dropped');
    }
    this.log.info(`${this.id} became leader at term ${this.term}`);
  }

  private resetRandomizedElectionTimeout(): void {
    this.randomizedElectionTimeout = this.cfg.electionTick + Math.floor(this.cfg.random() * this.cfg.electionTick);
  }

  private abortLeaderTransfer(): void {
    this.leadTransferee = NONE;
  }

  // ---------------------------------------------------------------- ticks

  tick(): void {
    this.clock++;
    this.bootTicks++;
    this.tickFn();
  }

  /**
   * Time the driver's timer did not report (its callbacks ran late): moves
   * only the lease clock, so the lease never outlives real time, while
   * elections and CheckQuorum keep counting timer ticks (late is
   * conservative for them, and a burst of catch-up ticks would make a leader
   * that was merely paused step down).
   */
  elapse(ticks: number): void {
    invariant(Number.isSafeInteger(ticks) && ticks >= 0, `elapse: ticks must be a non-negative integer, got ${ticks}`);
    this.clock += ticks;
  }

  private pastElectionTimeout(): boolean {
    return this.electionElapsed >= this.randomizedElectionTimeout;
  }

  private tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.pastElectionTimeout()) {
      this.electionElapsed = 0;
      this.step(newMessage(MessageType.Hup, { from: this.id }));
    }
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.cfg.electionTick) {
      this.electionElapsed = 0;
      if (this.cfg.checkQuorum) this.step(newMessage(MessageType.CheckQuorum, { from: this.id }));
      // A transfer that did not finish within an election timeout is abandoned.
      if (this.state === StateType.Leader && this.leadTransferee !== NONE) this.abortLeaderTransfer();
    }
    if (this.state !== StateType.Leader) return;
    if (this.heartbeatElapsed >= this.cfg.heartbeatTick) {
      this.heartbeatElapsed = 0;
      this.step(newMessage(MessageType.Beat, { from: this.id }));
    }
  }

  // ---------------------------------------------------------------- elections

  private hup(t: CampaignType): void {
    if (this.state === StateType.Leader) return;
    if (!this.promotable()) {
      this.log.warn(`${this.id} is unpromotable and can not campaign`);
      return;
    }
    // A conf change committed but not applied may change who votes: wait for it.
    if (this.hasUnappliedConfChanges()) {
      this.log.warn(`${this.id} cannot campaign at term ${this.term}: pending configuration changes to apply`);
      return;
    }
    this.campaign(t);
  }

  private hasUnappliedConfChanges(): boolean {
    if (this.raftLog.applied >= this.raftLog.committed) return false;
    const ents = this.raftLog.slice(
      Math.max(this.raftLog.applied + 1, this.raftLog.firstIndex()),
      this.raftLog.committed + 1,
      Number.MAX_SAFE_INTEGER,
    );
    return ents.some((e) => e.type === EntryType.ConfChange);
  }

  campaign(t: CampaignType): void {
    let voteMsg: MessageType;
    let term: number;
    if (t === CampaignType.PreElection) {
      this.becomePreCandidate();
      voteMsg = MessageType.PreVote;
      term = this.term + 1; // the term we would campaign for
    } else {
      this.becomeCandidate();
      voteMsg = MessageType.Vote;
      term = this.term;
    }
    const { result } = this.poll(this.id, voteRespType(voteMsg), true);
    if (result === VoteResult.Won) {
      // A single-voter cluster wins at once.
      if (t === CampaignType.PreElection) this.campaign(CampaignType.Election);
      else this.becomeLeader();
      return;
    }
    for (const id of [...this.trk.voters].sort((a, b) => a - b)) {
      if (id === this.id) continue;
      this.send(
        newMessage(voteMsg, {
          to: id,
          term,
          index: this.raftLog.lastIndex(),
          logTerm: this.raftLog.lastTerm(),
          context: t === CampaignType.Transfer ? CAMPAIGN_TRANSFER : undefined,
        }),
      );
    }
  }

  private poll(id: NodeId, _t: MessageType, granted: boolean): { granted: number; rejected: number; result: VoteResult } {
    this.trk.recordVote(id, granted);
    return this.trk.tallyVotes();
  }

  // ---------------------------------------------------------------- step

  step(m: Message): void {
    if (m.term === 0) {
      // local message
    } else if (m.term > this.term) {
      if (m.type === MessageType.Vote || m.type === MessageType.PreVote) {
        const force = isTransferCampaign(m.context);
        const inLease = this.cfg.checkQuorum && this.lead !== NONE && this.electionElapsed < this.cfg.electionTick;
        // Our previous life may have acknowledged a leader's lease just before
        // it ended: keep that promise for a whole election timeout after start.
        const booting =
          this.cfg.leaseReads && !this.cfg.mutations.has('lease-no-boot-guard') && this.bootTicks < this.cfg.electionTick;
        if (!force && (inLease || booting)) {
          // We heard from a live leader within the minimum election timeout: a
          // partitioned or removed node must not depose it (§6 of the thesis).
          this.log.debug(`${this.id} ignored ${MessageType[m.type]} from ${m.from} at term ${m.term}: lease not expired`);
          return;
        }
      }
      if (m.type === MessageType.PreVote) {
        // Never change our term in response to a PreVote.
      } else if (m.type === MessageType.PreVoteResp && !m.reject) {
        // The term in a granted PreVoteResp is the one we will campaign for.
      } else {
        const lead = m.type === MessageType.App || m.type === MessageType.Heartbeat || m.type === MessageType.Snap ? m.from : NONE;
        this.becomeFollower(m.term, lead);
      }
    } else if (m.term < this.term) {
      if ((this.cfg.checkQuorum || this.cfg.preVote) && (m.type === MessageType.Heartbeat || m.type === MessageType.App)) {
        // A stale leader cut off by CheckQuorum/PreVote would otherwise never
        // learn the new term; this response makes it step down.
        this.send(newMessage(MessageType.AppResp, { to: m.from }));
      } else if (m.type === MessageType.PreVote) {
        this.send(newMessage(MessageType.PreVoteResp, { to: m.from, term: this.term, reject: true }));
      }
      return;
    }

    switch (m.type) {
      case MessageType.Hup:
        this.hup(this.cfg.preVote ? CampaignType.PreElection : CampaignType.Election);
        return;
      case MessageType.Vote:
      case MessageType.PreVote: {
        const canVote =
          this.vote === m.from ||
          (this.vote === NONE && this.lead === NONE) ||
          (m.type === MessageType.PreVote && m.term > this.term);
        if (canVote && this.raftLog.isUpToDate(m.index, m.logTerm)) {
          // A granted response carries the candidate's term so it is not dropped as stale.
          this.send(newMessage(voteRespType(m.type), { to: m.from, term: m.term }));
          if (m.type === MessageType.Vote) {
            this.electionElapsed = 0;
            this.vote = m.from;
          }
        } else {
          this.send(newMessage(voteRespType(m.type), { to: m.from, term: this.term, reject: true }));
        }
        return;
      }
      default:
        this.stepFn(m);
    }
  }

  // ---------------------------------------------------------------- leader

  private stepLeader(m: Message): void {
    switch (m.type) {
      case MessageType.Beat:
        // With leases, every heartbeat is a lease round: the lease then holds
        // as long as a quorum answers, not only while reads keep coming.
        if (this.cfg.leaseReads && this.startLeaseRound()) return;
        this.bcastHeartbeat();
        return;
      case MessageType.CheckQuorum:
        if (!this.trk.quorumActive(this.id)) {
          this.log.warn(`${this.id} stepped down to follower since quorum is not active`);
          this.becomeFollower(this.term, NONE);
        }
        for (const [id, pr] of this.trk.progress) if (id !== this.id) pr.recentActive = false;
        return;
      case MessageType.Prop:
        this.handleProposal(m);
        return;
      case MessageType.ReadIndex:
        if (this.trk.isSingleton()) {
          const resp = this.responseToReadIndexReq(m, this.raftLog.committed);
          if (resp) this.send(resp);
        } else if (!this.committedEntryInCurrentTerm()) {
          // Until an entry of our term commits, our commit index may lag the real one.
          this.pendingReadIndexMessages.push(m);
        } else {
          this.answerReadIndex(m);
        }
        return;
    }

    const pr = this.trk.progress.get(m.from);
    if (!pr) return;
    switch (m.type) {
      case MessageType.AppResp:
        this.handleAppendResponse(m, pr);
        return;
      case MessageType.HeartbeatResp: {
        pr.recentActive = true;
        pr.probeSent = false;
        // If every append of a full window was lost, nothing would ever free it
        // and replication to this peer would stall for good (found by lib/raft/sim,
        // see tests/raft/regressions.test.ts): free
        // one slot per heartbeat response, as etcd did, so an append goes out and
        // either is acknowledged or rejected (which falls back to probing).
        if (pr.state === ProgressState.Replicate && pr.inflights.full()) pr.inflights.freeFirstOne();
        if (pr.match < this.raftLog.lastIndex() || pr.state === ProgressState.Probe) this.sendAppend(m.from);
        if (!m.context || m.context.length === 0) return;
        this.ackRound(m.from, m.context);
        return;
      }
      case MessageType.SnapStatus:
        if (pr.state !== ProgressState.Snapshot) return;
        if (m.reject) pr.pendingSnapshot = 0;
        pr.becomeProbe();
        // Wait for an append or heartbeat response before probing again.
        pr.probeSent = true;
        return;
      case MessageType.Unreachable:
        // Optimistic pipelining to a peer we cannot reach only loses messages.
        if (pr.state === ProgressState.Replicate) pr.becomeProbe();
        return;
      case MessageType.TransferLeader: {
        // Asked locally, `from` is the transferee; forwarded by a follower,
        // `from` is that follower (transports authenticate the sender) and the
        // transferee travels in `index`.
        const transferee = m.index !== NONE ? m.index : m.from;
        const tpr = this.trk.progress.get(transferee);
        if (!tpr || tpr.isLearner) return;
        if (this.leadTransferee !== NONE) {
          if (this.leadTransferee === transferee) return;
          this.abortLeaderTransfer();
        }
        if (transferee === this.id) return;
        // The transferee campaigns past the followers' leases: ours ends now.
        this.dropLease();
        // The transfer must finish within one election timeout.
        this.electionElapsed = 0;
        this.leadTransferee = transferee;
        if (tpr.match === this.raftLog.lastIndex()) this.sendTimeoutNow(transferee);
        else this.sendAppend(transferee);
        return;
      }
    }
  }

  private handleProposal(m: Message): void {
    invariant(m.entries.length > 0, `${this.id} stepped empty MsgProp`);
    if (!this.trk.progress.has(this.id)) {
      throw new RaftError('ProposalDropped', 'this node was removed from the cluster');
    }
    if (this.leadTransferee !== NONE) {
      throw new RaftError('ProposalDropped', `leadership is being transferred to ${this.leadTransferee}`, this.leadTransferee);
    }
    for (let i = 0; i < m.entries.length; i++) {
      const e = m.entries[i];
      if (e.type !== EntryType.ConfChange) continue;
      const refused = this.confChangeRefusal();
      if (refused) {
        if (m.from === this.id || m.from === NONE) throw new RaftError('ProposalDropped', refused);
        // A forwarded batch cannot be refused in part: the change becomes a no-op, as etcd does.
        this.log.warn(`${this.id} ignoring forwarded conf change: ${refused}`);
        m.entries[i] = { term: 0, index: 0, type: EntryType.Normal, data: new Uint8Array(0) };
      } else {
        this.pendingConfIndex = this.raftLog.lastIndex() + i + 1;
        // Another quorum is coming: acks of the old one must not carry the lease across.
        this.dropLease();
      }
    }
    if (!this.appendEntry(m.entries)) {
      throw new RaftError('ProposalDropped', 'too many uncommitted entries on the leader');
    }
    this.bcastAppend();
  }

  private confChangeRefusal(): string | undefined {
    if (this.pendingConfIndex > this.raftLog.applied) {
      return `a membership change is already in progress (index ${this.pendingConfIndex}, applied ${this.raftLog.applied})`;
    }
    if (!this.committedEntryInCurrentTerm()) {
      return 'the leader has not yet committed an entry of its term';
    }
    return undefined;
  }

  private handleAppendResponse(m: Message, pr: Progress): void {
    pr.recentActive = true;
    if (m.reject) {
      let nextProbe = m.rejectHint;
      if (m.logTerm > 0) {
        // The follower told us the term at its hint: skip every entry of ours
        // in a later term at once (at most one probe per term).
        nextProbe = this.raftLog.findConflictByTerm(m.rejectHint, m.logTerm)[0];
      }
      if (pr.maybeDecrTo(m.index, nextProbe)) {
        if (pr.state === ProgressState.Replicate) pr.becomeProbe();
        this.sendAppend(m.from);
      }
      return;
    }
    const wasPaused = pr.isPaused();
    // A probe answered at the index we already match still proves where the
    // logs agree, so it moves the peer back to Replicate (as etcd does).
    // Otherwise an up-to-date follower left in Probe (after Unreachable, say)
    // is re-probed with empty appends forever: an endless message ping-pong.
    const probeConfirmed = pr.state === ProgressState.Probe && m.index === pr.match;
    if (!pr.maybeUpdate(m.index) && !probeConfirmed) {
      if (wasPaused && !pr.isPaused()) this.sendAppend(m.from);
      return;
    }
    if (pr.state === ProgressState.Probe) {
      pr.becomeReplicate();
    } else if (pr.state === ProgressState.Snapshot && pr.match + 1 >= this.raftLog.firstIndex()) {
      // The follower caught up past the snapshot: replicate from its match.
      pr.becomeProbe();
      pr.becomeReplicate();
    } else if (pr.state === ProgressState.Replicate) {
      pr.inflights.freeLE(m.index);
    }
    if (this.maybeCommit()) {
      this.releasePendingReadIndexMessages();
      this.bcastAppend();
    } else if (wasPaused) {
      this.sendAppend(m.from);
    }
    // Keep the pipe full while flow control allows it.
    while (this.maybeSendAppend(m.from, false)) {
      // sends one message per iteration
    }
    if (m.from === this.leadTransferee && pr.match === this.raftLog.lastIndex()) {
      this.sendTimeoutNow(m.from);
    }
  }

  private sendTimeoutNow(to: NodeId): void {
    this.timeoutNowSent = true;
    this.dropLease();
    this.send(newMessage(MessageType.TimeoutNow, { to }));
  }

  maybeCommit(): boolean {
    const ignoreTerm = this.cfg.mutations.has('commit-old-term');
    return this.raftLog.maybeCommit(this.trk.committed(), this.term, ignoreTerm);
  }

  committedEntryInCurrentTerm(): boolean {
    return this.raftLog.zeroTermOnErr(this.raftLog.committed) === this.term;
  }

  private releasePendingReadIndexMessages(): void {
    if (this.pendingReadIndexMessages.length === 0 || !this.committedEntryInCurrentTerm()) return;
    const pending = this.pendingReadIndexMessages;
    this.pendingReadIndexMessages = [];
    for (const m of pending) this.answerReadIndex(m);
  }

  private answerReadIndex(m: Message): void {
    if (this.cfg.leaseReads) this.readWithLease(m);
    else this.sendMsgReadIndexResponse(m);
  }

  private leaseTicks(): number {
    return this.cfg.mutations.has('lease-too-long') ? 2 * this.cfg.electionTick : this.cfg.leaseTicks;
  }

  /**
   * True while no other leader can have been elected: a quorum acknowledged
   * a lease round begun less than leaseTicks ago, and since then nothing
   * happened that lets a candidate win without those followers' leases
   * running out (a transfer's forced campaign, a new quorum). Our commit
   * index must also cover every earlier term (an entry of ours committed).
   */
  leaseHolds(): boolean {
    return (
      this.cfg.leaseReads &&
      this.state === StateType.Leader &&
      this.clock < this.leaseUntil &&
      this.leadTransferee === NONE &&
      !this.timeoutNowSent &&
      this.pendingConfIndex <= this.raftLog.applied &&
      this.committedEntryInCurrentTerm()
    );
  }

  private readWithLease(m: Message): void {
    if (this.leaseHolds()) {
      this.leaseReads++;
      const resp = this.responseToReadIndexReq(m, this.raftLog.committed);
      if (resp) this.send(resp);
      // Renew at half time, so steady reads never wait for a round.
      if (this.leaseUntil - this.clock <= this.leaseTicks() / 2) this.startLeaseRound();
      return;
    }
    // A quorum round, as without leases; a lease round queued behind the read
    // answers it too and (re)starts the lease.
    const ctx = m.entries[0].data;
    this.readOnly.addRequest(this.raftLog.committed, m);
    this.readOnly.recvAck(this.id, ctx);
    if (!this.startLeaseRound()) this.bcastHeartbeat(ctx);
  }

  /** Starts a heartbeat round of our own whose quorum of acks extends the lease; at most one per tick. */
  private startLeaseRound(): boolean {
    if (this.lastLeaseRoundTick === this.clock || this.leadTransferee !== NONE || this.timeoutNowSent) return false;
    this.lastLeaseRoundTick = this.clock;
    const ctx = leaseRoundCtx(this.term, ++this.leaseSeq);
    const req = newMessage(MessageType.ReadIndex, {
      from: this.id,
      entries: [{ term: 0, index: 0, type: EntryType.Normal, data: ctx }],
    });
    this.readOnly.addRequest(this.raftLog.committed, req, { startTick: this.clock, epoch: this.leaseEpoch });
    // A single voter is its own quorum: released at once, so rounds never pile
    // up. The heartbeats go out all the same: learners catch up through them.
    this.ackRound(this.id, ctx);
    this.bcastHeartbeat(ctx);
    return true;
  }

  /** Counts `from`'s ack of a round; once a quorum acked, releases it and every request before it. */
  private ackRound(from: NodeId, ctx: Uint8Array): boolean {
    const acks = this.readOnly.recvAck(from, ctx);
    if (!acks || this.trk.voteResultOf(acks) !== VoteResult.Won) return false;
    // Only a lease round's own context extends the lease: a client's may be
    // reused, and a late ack of its earlier use proves nothing about now.
    const round = this.readOnly.get(ctx)?.lease;
    if (round && round.epoch === this.leaseEpoch) {
      this.leaseUntil = Math.max(this.leaseUntil, round.startTick + this.leaseTicks());
    }
    for (const rs of this.readOnly.advance(ctx)) {
      if (rs.lease) continue;
      const resp = this.responseToReadIndexReq(rs.req, rs.index);
      if (resp) this.send(resp);
    }
    return true;
  }

  /** ReadIndex requests (clients' and lease rounds) waiting for a quorum; for tests and diagnostics. */
  pendingReads(): number {
    return this.readOnly.size;
  }

  private sendMsgReadIndexResponse(m: Message): void {
    // The read index is our commit index now; it is safe once a quorum confirms we still lead.
    this.readOnly.addRequest(this.raftLog.committed, m);
    const ctx = m.entries[0].data;
    const acks = this.readOnly.recvAck(this.id, ctx);
    if (acks && this.trk.voteResultOf(acks) === VoteResult.Won) {
      for (const rs of this.readOnly.advance(ctx)) {
        const resp = this.responseToReadIndexReq(rs.req, rs.index);
        if (resp) this.send(resp);
      }
      return;
    }
    this.bcastHeartbeat(ctx);
  }

  private responseToReadIndexReq(req: Message, readIndex: number): Message | undefined {
    if (req.from === NONE || req.from === this.id) {
      this.readStates.push({ index: readIndex, requestCtx: req.entries[0].data });
      return undefined;
    }
    return newMessage(MessageType.ReadIndexResp, { to: req.from, index: readIndex, entries: req.entries });
  }

  private appendEntry(es: Entry[]): boolean {
    let li = this.raftLog.lastIndex();
    for (let i = 0; i < es.length; i++) {
      es[i] = { ...es[i], term: this.term, index: li + 1 + i };
    }
    if (!this.increaseUncommittedSize(es)) {
      this.log.warn(`${this.id} appending new entries to log would exceed uncommitted entry size limit; dropping proposal`);
      return false;
    }
    li = this.raftLog.append(es);
    // The leader counts its own entries; the driver persists them before sending anything that depends on them.
    this.trk.progress.get(this.id)?.maybeUpdate(li);
    this.maybeCommit();
    return true;
  }

  private increaseUncommittedSize(ents: Entry[]): boolean {
    const s = payloadSize(ents);
    const limit = this.cfg.maxUncommittedEntriesSize;
    // Always allow one batch when nothing is uncommitted, so a big entry is not stuck forever.
    if (limit > 0 && this.uncommittedSize > 0 && s > 0 && this.uncommittedSize + s > limit) return false;
    this.uncommittedSize += s;
    return true;
  }

  /** Called as entries get applied: they no longer count against the uncommitted limit. */
  reduceUncommittedSize(ents: Entry[]): void {
    if (this.state !== StateType.Leader) return;
    this.uncommittedSize = Math.max(0, this.uncommittedSize - payloadSize(ents));
  }

  // ---------------------------------------------------------------- candidate

  private stepCandidate(m: Message): void {
    const myVoteResp = this.state === StateType.PreCandidate ? MessageType.PreVoteResp : MessageType.VoteResp;
    switch (m.type) {
      case MessageType.Prop:
        throw new RaftError('ProposalDropped', 'no leader: an election is in progress');
      case MessageType.App:
        this.becomeFollower(m.term, m.from);
        this.handleAppendEntries(m);
        return;
      case MessageType.Heartbeat:
        this.becomeFollower(m.term, m.from);
        this.handleHeartbeat(m);
        return;
      case MessageType.Snap:
        this.becomeFollower(m.term, m.from);
        this.handleSnapshot(m);
        return;
      case MessageType.ReadIndex:
        this.log.debug(`${this.id} no leader at term ${this.term}; dropping read index`);
        return;
      default:
        if (m.type === myVoteResp) {
          const { result } = this.poll(m.from, m.type, !m.reject);
          if (result === VoteResult.Won) {
            if (this.state === StateType.PreCandidate) {
              this.campaign(CampaignType.Election);
            } else {
              this.becomeLeader();
              this.bcastAppend();
            }
          } else if (result === VoteResult.Lost) {
            // A rejected PreVoteResp with a higher term already made us a follower in step().
            this.becomeFollower(this.term, NONE);
          }
        }
    }
  }

  // ---------------------------------------------------------------- follower

  private stepFollower(m: Message): void {
    switch (m.type) {
      case MessageType.Prop:
        if (this.lead === NONE) throw new RaftError('ProposalDropped', 'no leader: the proposal cannot be forwarded');
        if (this.cfg.disableProposalForwarding) {
          throw new RaftError('NotLeader', `not the leader; the leader is ${this.lead}`, this.lead);
        }
        m.to = this.lead;
        this.send(m);
        return;
      case MessageType.App:
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleAppendEntries(m);
        return;
      case MessageType.Heartbeat:
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleHeartbeat(m);
        return;
      case MessageType.Snap:
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleSnapshot(m);
        return;
      case MessageType.TransferLeader:
        if (this.lead === NONE) return;
        // Sent under our own id (peers check who speaks), naming the transferee
        // in `index`: forwarding `m` as is would transfer to us instead.
        this.send(newMessage(MessageType.TransferLeader, { to: this.lead, index: m.from }));
        return;
      case MessageType.TimeoutNow:
        // The leader chose us: campaign at once, skipping PreVote.
        this.hup(CampaignType.Transfer);
        return;
      case MessageType.ReadIndex:
        if (this.lead === NONE) {
          this.log.debug(`${this.id} no leader at term ${this.term}; dropping read index`);
          return;
        }
        m.to = this.lead;
        this.send(m);
        return;
      case MessageType.ReadIndexResp:
        if (m.entries.length !== 1) return;
        this.readStates.push({ index: m.index, requestCtx: m.entries[0].data });
        return;
    }
  }

  private handleAppendEntries(m: Message): void {
    if (m.index < this.raftLog.committed) {
      this.send(newMessage(MessageType.AppResp, { to: m.from, index: this.raftLog.committed }));
      return;
    }
    const lastNew = this.raftLog.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
    if (lastNew !== undefined) {
      this.send(newMessage(MessageType.AppResp, { to: m.from, index: lastNew }));
      return;
    }
    // Tell the leader where our log may match: the last index of a term not above
    // the leader's term at m.index, so it skips a whole term in one round trip.
    const hint = Math.min(m.index, this.raftLog.lastIndex());
    const [hintIndex, hintTerm] = this.raftLog.findConflictByTerm(hint, m.logTerm);
    this.send(
      newMessage(MessageType.AppResp, { to: m.from, index: m.index, reject: true, rejectHint: hintIndex, logTerm: hintTerm }),
    );
  }

  private handleHeartbeat(m: Message): void {
    this.raftLog.commitTo(m.commit);
    this.send(newMessage(MessageType.HeartbeatResp, { to: m.from, context: m.context }));
  }

  private handleSnapshot(m: Message): void {
    const snap = m.snapshot;
    if (!snap) return;
    if (this.restore(snap)) {
      this.send(newMessage(MessageType.AppResp, { to: m.from, index: this.raftLog.lastIndex() }));
    } else {
      this.send(newMessage(MessageType.AppResp, { to: m.from, index: this.raftLog.committed }));
    }
  }

  /** Installs a snapshot from the leader; false if it brings nothing new. */
  restore(s: Snapshot): boolean {
    if (s.metadata.index <= this.raftLog.committed) return false;
    if (this.state !== StateType.Follower) {
      // Defensive: only followers receive snapshots; never keep leading across one.
      this.becomeFollower(this.term + 1, NONE);
      return false;
    }
    if (this.raftLog.matchTerm(s.metadata.index, s.metadata.term)) {
      // We already have the entries: fast-forward the commit index instead.
      this.raftLog.commitTo(s.metadata.index);
      return false;
    }
    this.raftLog.restore(s);
    this.applyConfState(s.metadata.confState);
    return true;
  }

  // ---------------------------------------------------------------- membership

  /** Applies a committed conf change (called by the driver when it applies the entry). */
  applyConfChange(cc: ConfChange): ConfState {
    // The quorum changes: a lease acknowledged under the old one ends here.
    this.dropLease();
    const next = this.raftLog.lastIndex() + 1;
    switch (cc.type) {
      case ConfChangeType.AddVoter: {
        const pr = this.trk.progress.get(cc.nodeId);
        if (pr) {
          // Promote a learner; a voter stays a voter.
          pr.isLearner = false;
          this.trk.learners.delete(cc.nodeId);
        } else {
          const np = this.newProgress(next, false);
          // Do not count a brand-new member against CheckQuorum before it could answer.
          np.recentActive = true;
          this.trk.progress.set(cc.nodeId, np);
        }
        this.trk.voters.add(cc.nodeId);
        break;
      }
      case ConfChangeType.AddLearner: {
        // Demoting a voter needs joint consensus, which we do not do: ignore.
        if (this.trk.voters.has(cc.nodeId)) break;
        if (!this.trk.progress.has(cc.nodeId)) {
          const np = this.newProgress(next, true);
          np.recentActive = true;
          this.trk.progress.set(cc.nodeId, np);
        }
        this.trk.learners.add(cc.nodeId);
        break;
      }
      case ConfChangeType.RemoveNode:
        this.trk.voters.delete(cc.nodeId);
        this.trk.learners.delete(cc.nodeId);
        this.trk.progress.delete(cc.nodeId);
        this.trk.votes.delete(cc.nodeId);
        break;
    }
    const self = this.trk.progress.get(this.id);
    this.isLearner = self?.isLearner ?? false;
    if (this.state === StateType.Leader && (!self || self.isLearner)) {
      // Removed (or demoted) leaders step down; the rest elect a new one.
      this.becomeFollower(this.term, NONE);
      return this.trk.confState();
    }
    if (this.state !== StateType.Leader || this.trk.voters.size === 0) return this.trk.confState();
    // The quorum may have shrunk (commit more) or grown (probe the new member).
    if (this.maybeCommit()) {
      this.releasePendingReadIndexMessages();
      this.bcastAppend();
    } else {
      for (const id of this.trk.ids()) if (id !== this.id) this.maybeSendAppend(id, false);
    }
    if (this.leadTransferee !== NONE && !this.trk.voters.has(this.leadTransferee)) this.abortLeaderTransfer();
    return this.trk.confState();
  }

  // ---------------------------------------------------------------- ready support

  /** Acknowledges that the driver applied entries up to `index`. */
  appliedTo(index: number, appliedEnts: Entry[]): void {
    this.raftLog.appliedTo(index);
    this.reduceUncommittedSize(appliedEnts);
  }
}

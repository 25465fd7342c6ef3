import { RaftConfig } from './config';
import { RaftError } from './errors';
import { encodeConfChange } from '../codec';
import { CampaignType, Raft } from './raft';
import { ProgressState } from './progress';
import {
  ConfChange,
  ConfChangeType,
  ConfState,
  Entry,
  EntryType,
  HardState,
  isLocalMessage,
  isResponseMessage,
  Message,
  MessageType,
  newMessage,
  NodeId,
  Ready,
  SoftState,
  StateType,
} from './types';

export interface PeerStatus {
  match: number;
  next: number;
  state: 'probe' | 'replicate' | 'snapshot';
  recentActive: boolean;
  isLearner: boolean;
}

export interface Status {
  id: NodeId;
  hardState: HardState;
  softState: SoftState;
  applied: number;
  leadTransferee: NodeId;
  config: ConfState;
  /** Only on the leader: what it knows of each member's log. */
  progress?: Map<NodeId, PeerStatus>;
}

const PROGRESS_NAMES: Record<ProgressState, PeerStatus['state']> = {
  [ProgressState.Probe]: 'probe',
  [ProgressState.Replicate]: 'replicate',
  [ProgressState.Snapshot]: 'snapshot',
};

/**
 * The thread-unsafe, I/O-free interface to one Raft node (etcd's RawNode).
 * The driver calls tick() on a clock, step() with messages from peers, and
 * drains work with ready()/advance().
 */
export class RawNode {
  readonly raft: Raft;
  private prevSoft: SoftState;
  private prevHard: HardState;

  constructor(config: RaftConfig) {
    this.raft = new Raft(config);
    this.prevSoft = this.raft.softState();
    this.prevHard = this.raft.hardState();
  }

  /**
   * Starts a brand-new cluster: the log gets one committed AddVoter entry per
   * peer at term 1 (with its context, e.g. its address). Only on empty
   * storage; joining nodes start empty instead.
   */
  bootstrap(peers: NodeId[], contexts?: ReadonlyMap<NodeId, Uint8Array>): void {
    if (peers.length === 0) throw new Error('bootstrap: at least one peer is needed');
    if (this.raft.raftLog.lastIndex() !== 0) throw new Error('bootstrap: the log is not empty');
    this.raft.becomeFollower(1, 0);
    const ents: Entry[] = peers.map((id, i) => ({
      term: 1,
      index: i + 1,
      type: EntryType.ConfChange,
      data: encodeConfChange({ type: ConfChangeType.AddVoter, nodeId: id, context: contexts?.get(id) ?? new Uint8Array(0) }),
    }));
    this.raft.raftLog.append(ents);
    // The entries are committed by fiat; the driver applies them (again) like any other.
    this.raft.raftLog.committed = ents.length;
    for (const id of peers) this.raft.applyConfChange({ type: ConfChangeType.AddVoter, nodeId: id, context: new Uint8Array(0) });
  }

  tick(): void {
    this.raft.tick();
  }

  /** Real time that passed without tick() calls (a late timer); see Raft.elapse. */
  elapse(ticks: number): void {
    this.raft.elapse(ticks);
  }

  /** Campaigns at once (tests, and a single new node that should not wait an election timeout). */
  campaign(): void {
    this.raft.step(newMessage(MessageType.Hup, { from: this.raft.id }));
  }

  /** Proposes data; throws RaftError ProposalDropped / NotLeader when it cannot be taken. */
  propose(data: Uint8Array): void {
    this.raft.step(
      newMessage(MessageType.Prop, { from: this.raft.id, entries: [{ term: 0, index: 0, type: EntryType.Normal, data }] }),
    );
  }

  /** Proposes several entries as one message: they land in the log together. */
  proposeBatch(datas: Uint8Array[]): void {
    if (datas.length === 0) return;
    const entries = datas.map((data) => ({ term: 0, index: 0, type: EntryType.Normal, data }));
    this.raft.step(newMessage(MessageType.Prop, { from: this.raft.id, entries }));
  }

  proposeConfChange(cc: ConfChange): void {
    if (this.raft.state !== StateType.Leader) {
      // Forwarded conf changes could not be refused with a clear error; require the leader.
      throw new RaftError('NotLeader', `membership changes must be proposed on the leader (${this.raft.lead})`, this.raft.lead);
    }
    this.raft.step(
      newMessage(MessageType.Prop, {
        from: this.raft.id,
        entries: [{ term: 0, index: 0, type: EntryType.ConfChange, data: encodeConfChange(cc) }],
      }),
    );
  }

  /** Applies a committed conf change; returns the new configuration to store with snapshots. */
  applyConfChange(cc: ConfChange): ConfState {
    return this.raft.applyConfChange(cc);
  }

  step(m: Message): void {
    if (isLocalMessage(m.type)) throw new RaftError('StepLocalMsg', `cannot step local message ${MessageType[m.type]}`);
    if (isResponseMessage(m.type) && !this.raft.trk.progress.has(m.from) && m.term <= this.raft.term) {
      // A response from a peer we no longer track carries nothing we need.
      return;
    }
    this.raft.step(m);
  }

  /** Requests a linearizable read; a ReadState with `rctx` comes out in a later Ready. */
  readIndex(rctx: Uint8Array): void {
    this.raft.step(
      newMessage(MessageType.ReadIndex, {
        from: this.raft.id,
        entries: [{ term: 0, index: 0, type: EntryType.Normal, data: rctx }],
      }),
    );
  }

  transferLeadership(transferee: NodeId): void {
    this.raft.step(newMessage(MessageType.TransferLeader, { from: transferee }));
  }

  reportUnreachable(id: NodeId): void {
    this.raft.step(newMessage(MessageType.Unreachable, { from: id }));
  }

  /** Tells the leader whether a snapshot sent to `id` arrived; it then resumes probing. */
  reportSnapshot(id: NodeId, ok: boolean): void {
    this.raft.step(newMessage(MessageType.SnapStatus, { from: id, reject: !ok }));
  }

  hasReady(): boolean {
    const r = this.raft;
    const soft = r.softState();
    if (soft.lead !== this.prevSoft.lead || soft.state !== this.prevSoft.state) return true;
    const hard = r.hardState();
    if (hard.term !== this.prevHard.term || hard.vote !== this.prevHard.vote || hard.commit !== this.prevHard.commit) return true;
    if (r.raftLog.hasPendingSnapshot()) return true;
    if (r.msgs.length > 0 || r.raftLog.unstable.entries.length > 0 || r.readStates.length > 0) return true;
    return r.raftLog.hasNextCommittedEnts();
  }

  ready(): Ready {
    const r = this.raft;
    const rd: Ready = {
      entries: r.raftLog.unstableEntries(),
      committedEntries: r.raftLog.nextCommittedEnts(),
      messages: r.msgs,
      readStates: r.readStates,
      mustSync: false,
    };
    const soft = r.softState();
    if (soft.lead !== this.prevSoft.lead || soft.state !== this.prevSoft.state) {
      rd.softState = soft;
      this.prevSoft = soft;
    }
    const hard = r.hardState();
    if (hard.term !== this.prevHard.term || hard.vote !== this.prevHard.vote || hard.commit !== this.prevHard.commit) {
      rd.hardState = hard;
    }
    if (r.raftLog.hasPendingSnapshot()) rd.snapshot = r.raftLog.unstable.snapshot;
    // Term and vote must be durable before we answer for them; a commit index alone need not be.
    rd.mustSync =
      rd.entries.length > 0 ||
      rd.snapshot !== undefined ||
      (rd.hardState !== undefined && (hard.term !== this.prevHard.term || hard.vote !== this.prevHard.vote));
    r.msgs = [];
    r.readStates = [];
    return rd;
  }

  /** The driver persisted, sent and applied everything in `rd`. */
  advance(rd: Ready): void {
    const r = this.raft;
    if (rd.hardState) this.prevHard = rd.hardState;
    if (rd.committedEntries.length > 0) {
      r.appliedTo(rd.committedEntries[rd.committedEntries.length - 1].index, rd.committedEntries);
    } else if (rd.snapshot) {
      r.raftLog.appliedTo(rd.snapshot.metadata.index);
    }
    if (rd.entries.length > 0) {
      const last = rd.entries[rd.entries.length - 1];
      r.raftLog.stableTo(last.index, last.term);
    }
    if (rd.snapshot) r.raftLog.stableSnapTo(rd.snapshot.metadata.index);
  }

  status(): Status {
    const r = this.raft;
    const s: Status = {
      id: r.id,
      hardState: { term: r.term, vote: r.vote, commit: r.raftLog.committed },
      softState: r.softState(),
      applied: r.raftLog.applied,
      leadTransferee: r.leadTransferee,
      config: r.trk.confState(),
    };
    if (r.state === StateType.Leader) {
      s.progress = new Map();
      for (const [id, pr] of r.trk.progress) {
        s.progress.set(id, {
          match: pr.match,
          next: pr.next,
          state: PROGRESS_NAMES[pr.state],
          recentActive: pr.recentActive,
          isLearner: pr.isLearner,
        });
      }
    }
    return s;
  }
}

export { CampaignType };

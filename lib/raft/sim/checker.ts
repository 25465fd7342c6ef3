// The invariants, checked after every simulated event. The checker keeps a
// global history (every leader of every term, every entry ever appended,
// every index ever committed or applied, every acknowledged proposal) and
// compares each node's current state against it. A broken invariant throws a
// Violation that ends the run.

import { Entry, EntryType, NodeId, ReadState, Snapshot, StateType } from '../core/types';
import { bytesKey, chainDigest, entryKey } from './app-state';
import { SimNode } from './sim-node';
import { Violation } from './violation';

interface EntryRecord {
  key: string;
  /** Term of the entry before it; -1 while unknown (first seen right after a compaction point). */
  prevTerm: number;
}

interface ReadRecord {
  node: NodeId;
  /** Highest index of a proposal acknowledged before the read was requested. */
  maxAckAtRequest: number;
}

export interface CheckerStats {
  leaders: number;
  acked: number;
  readsServed: number;
  snapshotsInstalled: number;
  confChangesApplied: number;
  maxCommitted: number;
  oldTermCommits: number;
}

export class Checker {
  /** Election safety: the one leader of each term. */
  private readonly leaderOfTerm = new Map<number, NodeId>();
  /** Leader append-only: the last entry a term's leader had when last looked at. */
  private readonly leaderLast = new Map<number, { index: number; term: number }>();
  /** Log matching: every (index, term) ever seen in any log, with its content and predecessor's term. */
  private readonly entries = new Map<number, Map<number, EntryRecord>>();
  /** Leader completeness: the term of each committed index, and the lowest term at which it was seen committed. */
  private readonly committedTerm: number[] = [];
  private readonly committedAt: number[] = [];
  /** State machine safety: what was applied at each index, and the app digest after it. */
  private readonly applied: Entry[] = [];
  private readonly appliedKey: string[] = [];
  private readonly digests: string[] = [''];
  /** Acknowledged proposals: payload -> index at which its proposer applied it. */
  private readonly acks = new Map<string, number>();
  private readonly reads = new Map<string, ReadRecord>();
  maxAckIndex = 0;
  readonly stats: CheckerStats = {
    leaders: 0,
    acked: 0,
    readsServed: 0,
    snapshotsInstalled: 0,
    confChangesApplied: 0,
    maxCommitted: 0,
    oldTermCommits: 0,
  };

  // ------------------------------------------------------------ driver hooks

  onProposed(node: SimNode, payloads: string[]): void {
    for (const p of payloads) node.pendingProposals.add(p);
  }

  onReadRequested(node: SimNode, ctx: string): void {
    this.reads.set(ctx, { node: node.id, maxAckAtRequest: this.maxAckIndex });
  }

  /**
   * Entries just made durable. The unstable scan after every event sees most
   * entries first, but not those of a provisional leader (whose term only now
   * became durable) or of a Ready taken and synced within one event.
   */
  onPersisted(node: SimNode, entries: Entry[]): void {
    if (node.isProvisionalLeader || entries.length === 0) return;
    // The predecessor in the durable log: the in-memory log may have moved on
    // (truncated and replaced) while this Ready was being synced.
    let prevTerm = -1;
    const before = entries[0].index - 1;
    if (before === 0) prevTerm = 0;
    else {
      try {
        prevTerm = node.storage?.term(before) ?? -1;
      } catch {
        prevTerm = -1; // compacted: unknown
      }
    }
    for (let k = 0; k < entries.length; k++) {
      this.checkEntry(node, entries[k], k > 0 ? entries[k - 1].term : prevTerm);
    }
  }

  onLoaded(node: SimNode, entries: Entry[]): void {
    for (let k = 0; k < entries.length; k++) {
      const prevTerm = k > 0 ? entries[k - 1].term : this.termBefore(node, entries[k].index);
      this.checkEntry(node, entries[k], prevTerm);
    }
  }

  onApply(node: SimNode, e: Entry): void {
    const key = entryKey(e);
    const prev = this.appliedKey[e.index];
    if (prev === undefined) {
      this.appliedKey[e.index] = key;
      this.applied[e.index] = e;
      this.extendDigests();
    } else if (prev !== key) {
      throw new Violation(
        'state-machine-safety',
        `node ${node.id} applied ${show(key)} at index ${e.index}, but ${show(prev)} was applied there before`,
      );
    }
    if (e.type === EntryType.ConfChange) this.stats.confChangesApplied++;
    if (e.type === EntryType.Normal && e.data.length > 0) {
      const payload = bytesKey(e.data);
      if (node.pendingProposals.delete(payload) && !this.acks.has(payload)) {
        this.acks.set(payload, e.index);
        this.stats.acked++;
        if (e.index > this.maxAckIndex) this.maxAckIndex = e.index;
      }
    }
    if (node.waitingReads.length > 0) this.serveWaitingReads(node);
  }

  onSnapshotInstalled(node: SimNode, snap: Snapshot): void {
    this.stats.snapshotsInstalled++;
    this.checkSnapshot(node, snap, 'installed');
    if (node.waitingReads.length > 0) this.serveWaitingReads(node);
  }

  onSnapshotCreated(node: SimNode, snap: Snapshot): void {
    this.checkSnapshot(node, snap, 'created');
  }

  onReadState(node: SimNode, rs: ReadState): void {
    const key = bytesKey(rs.requestCtx);
    const rec = this.reads.get(key);
    if (!rec) throw new Violation('read-index', `node ${node.id} got a ReadState for unknown request ${show(key)}`);
    // The read is served at index rs.index: every write acknowledged before it was asked must be at or below it.
    if (rs.index < rec.maxAckAtRequest) {
      throw new Violation(
        'linearizable-read',
        `read ${show(key)} (asked on node ${rec.node}) got read index ${rs.index} on node ${node.id}, ` +
          `but a proposal was acknowledged at index ${rec.maxAckAtRequest} before it was asked`,
      );
    }
    node.waitingReads.push({ key, index: rs.index, maxAckAtRequest: rec.maxAckAtRequest });
    this.serveWaitingReads(node);
  }

  // ------------------------------------------------------------ after every event

  afterEvent(nodes: Iterable<SimNode>): void {
    const live: SimNode[] = [];
    const leaders: SimNode[] = [];
    for (const n of nodes) {
      if (!n.up || !n.raw) continue;
      live.push(n);
      if (n.raw.raft.state === StateType.Leader) leaders.push(n);
    }
    for (const l of leaders) this.checkLeader(l);
    for (const n of live) {
      this.checkUnstable(n);
      this.trackCommit(n, leaders);
    }
  }

  /**
   * Undefined once the cluster has converged: exactly one leader, and every
   * member of its configuration up and applied past every acknowledged proposal.
   */
  convergence(nodes: ReadonlyMap<NodeId, SimNode>): string | undefined {
    const leaders: SimNode[] = [];
    for (const n of nodes.values()) if (n.isLeader) leaders.push(n);
    if (leaders.length !== 1) return `${leaders.length} leaders (${leaders.map((l) => l.id).join(',')})`;
    const raw = leaders[0].raw;
    if (!raw) return 'leader has no raft';
    const cs = raw.raft.trk.confState();
    for (const id of [...cs.voters, ...cs.learners]) {
      const n = nodes.get(id);
      if (!n || !n.up) return `member ${id} is down`;
      if (n.app.applied < this.maxAckIndex) {
        return `member ${id} applied up to ${n.app.applied}, an acknowledged proposal is at ${this.maxAckIndex}`;
      }
    }
    return undefined;
  }

  // ------------------------------------------------------------ checks

  private checkLeader(n: SimNode): void {
    const r = n.raw?.raft;
    if (!r) return;
    const known = this.leaderOfTerm.get(r.term);
    if (known === undefined) {
      this.leaderOfTerm.set(r.term, n.id);
      this.stats.leaders++;
      this.checkLeaderHasCommitted(n);
    } else if (known !== n.id) {
      throw new Violation('election-safety', `nodes ${known} and ${n.id} are both leaders of term ${r.term}`);
    }
    const log = r.raftLog;
    if (n.isProvisionalLeader) return;
    const last = this.leaderLast.get(r.term);
    if (last && last.index >= log.firstIndex() - 1) {
      if (log.lastIndex() < last.index || log.zeroTermOnErr(last.index) !== last.term) {
        throw new Violation(
          'leader-append-only',
          `leader ${n.id} of term ${r.term} had entry (${last.index}, term ${last.term}); ` +
            `now its log ends at ${log.lastIndex()} with term ${log.zeroTermOnErr(last.index)} there`,
        );
      }
    }
    this.leaderLast.set(r.term, { index: log.lastIndex(), term: log.lastTerm() });
  }

  /** A newly seen leader must hold every entry committed at a lower term. */
  private checkLeaderHasCommitted(n: SimNode): void {
    const r = n.raw?.raft;
    if (!r) return;
    const from = Math.max(1, r.raftLog.firstIndex());
    for (let i = from; i <= this.stats.maxCommitted; i++) {
      const at = this.committedAt[i];
      if (at !== undefined && at < r.term) this.checkHasEntry(n, i, this.committedTerm[i], at);
    }
  }

  private checkHasEntry(n: SimNode, index: number, term: number, committedAt: number): void {
    const r = n.raw?.raft;
    if (!r || index < r.raftLog.firstIndex()) return; // compacted: the snapshot digest check covers it
    const t = r.raftLog.zeroTermOnErr(index);
    if (t !== term) {
      throw new Violation(
        'leader-completeness',
        `leader ${n.id} of term ${r.term} has ${t === 0 ? 'no entry' : `term ${t}`} at index ${index}, ` +
          `but (index ${index}, term ${term}) was committed by term ${committedAt}`,
      );
    }
  }

  private checkUnstable(n: SimNode): void {
    const log = n.raw?.raft.raftLog;
    if (!log || n.isProvisionalLeader) return;
    const ents = log.unstable.entries;
    for (let k = 0; k < ents.length; k++) {
      const prevTerm = k > 0 ? ents[k - 1].term : this.termBefore(n, ents[k].index);
      this.checkEntry(n, ents[k], prevTerm);
    }
  }

  private termBefore(n: SimNode, index: number): number {
    if (index <= 1) return 0;
    const t = n.raw?.raft.raftLog.zeroTermOnErr(index - 1) ?? 0;
    return t === 0 ? -1 : t;
  }

  /** Same (index, term) means same entry and same predecessor, hence (by induction) the same log up to it. */
  private checkEntry(n: SimNode, e: Entry, prevTerm: number): void {
    let byTerm = this.entries.get(e.index);
    if (!byTerm) {
      byTerm = new Map();
      this.entries.set(e.index, byTerm);
    }
    const key = entryKey(e);
    const rec = byTerm.get(e.term);
    if (!rec) {
      byTerm.set(e.term, { key, prevTerm });
      return;
    }
    if (rec.key !== key) {
      throw new Violation(
        'log-matching',
        `node ${n.id} has ${show(key)} at (index ${e.index}, term ${e.term}), another log has ${show(rec.key)} there`,
      );
    }
    if (prevTerm >= 0 && rec.prevTerm >= 0 && prevTerm !== rec.prevTerm) {
      throw new Violation(
        'log-matching',
        `node ${n.id} has (index ${e.index}, term ${e.term}) after an entry of term ${prevTerm}, ` +
          `another log has it after term ${rec.prevTerm}`,
      );
    }
    if (rec.prevTerm < 0) rec.prevTerm = prevTerm;
  }

  private trackCommit(n: SimNode, leaders: SimNode[]): void {
    const r = n.raw?.raft;
    if (!r) return;
    const log = r.raftLog;
    // A leader counts its own entries before they are durable, so a single voter
    // "commits" entries that a crash may still take away. Nothing can observe
    // that commit (messages and applies wait for the fsync), so only the durable
    // part of a log counts as known committed.
    const c = Math.min(log.committed, log.unstable.offset - 1);
    if (r.state === StateType.Leader) this.watchLeaderCommit(n);
    if (c <= n.checkedCommit) return;
    for (let i = Math.max(n.checkedCommit + 1, log.firstIndex()); i <= c; i++) {
      const t = log.zeroTermOnErr(i);
      if (t === 0) continue;
      const known = this.committedTerm[i];
      if (known === undefined) {
        this.committedTerm[i] = t;
        this.committedAt[i] = r.term;
        if (i > this.stats.maxCommitted) this.stats.maxCommitted = i;
      } else if (known !== t) {
        throw new Violation(
          'commit-safety',
          `node ${n.id} considers (index ${i}, term ${t}) committed, but (index ${i}, term ${known}) was committed before`,
        );
      } else if (r.term < this.committedAt[i]) {
        this.committedAt[i] = r.term;
      } else {
        continue;
      }
      // Leaders of later terms must already hold it, even if they were elected before we learned of the commit.
      for (const l of leaders) {
        const lt = l.raw?.raft.term ?? 0;
        if (lt > this.committedAt[i]) this.checkHasEntry(l, i, t, this.committedAt[i]);
      }
    }
    n.checkedCommit = c;
  }

  /**
   * Diagnostic only (the safety checks must find the consequences on their
   * own): a leader moving its commit index onto an entry of an earlier term,
   * which §5.4.2 forbids. Shows whether a seed gets near the figure-8 bug.
   */
  private watchLeaderCommit(n: SimNode): void {
    const r = n.raw?.raft;
    if (!r) return;
    const c = r.raftLog.committed;
    const seen = n.leaderCommitSeen;
    if (seen && seen.term === r.term && c > seen.commit && r.raftLog.zeroTermOnErr(c) < r.term) this.stats.oldTermCommits++;
    n.leaderCommitSeen = { term: r.term, commit: c };
  }

  private checkSnapshot(n: SimNode, snap: Snapshot, how: string): void {
    const i = snap.metadata.index;
    this.extendDigests();
    const want = this.digests[i];
    if (want === undefined) {
      throw new Violation('snapshot', `node ${n.id} ${how} a snapshot at ${i}, past anything ever applied`);
    }
    if (n.app.applied !== i || n.app.digest !== want) {
      throw new Violation(
        'state-machine-safety',
        `node ${n.id} ${how} a snapshot at ${i} whose state (applied ${n.app.applied}, digest ${n.app.digest}) ` +
          `differs from the applied history (digest ${want})`,
      );
    }
  }

  private extendDigests(): void {
    for (let i = this.digests.length; this.applied[i] !== undefined; i++) {
      this.digests[i] = chainDigest(this.digests[i - 1], this.applied[i]);
    }
  }

  private serveWaitingReads(n: SimNode): void {
    const still = [];
    for (const w of n.waitingReads) {
      if (n.app.applied < w.index) {
        still.push(w);
        continue;
      }
      if (n.app.applied < w.maxAckAtRequest) {
        throw new Violation(
          'linearizable-read',
          `read ${show(w.key)} served on node ${n.id} at applied ${n.app.applied}, missing a write acknowledged at ${w.maxAckAtRequest}`,
        );
      }
      this.stats.readsServed++;
    }
    n.waitingReads = still;
  }
}

function show(key: string): string {
  return JSON.stringify(key.length > 40 ? key.slice(0, 40) + '…' : key);
}

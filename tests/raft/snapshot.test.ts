// Log compaction and InstallSnapshot (paper §7): a leader whose log no longer
// holds what a follower needs sends its snapshot instead.

import { RaftError } from '../../lib/raft/core/errors';
import { MemoryStorage } from '../../lib/raft/core/memory-storage';
import { ProgressState } from '../../lib/raft/core/progress';
import { Raft } from '../../lib/raft/core/raft';
import { MessageType, newMessage, Snapshot, StateType } from '../../lib/raft/core/types';
import { hup, logTerms, newRaft, ofType, persist, prop, storageOf, takeMessages } from './helpers/factory';
import { Network } from './helpers/network';
import { bytes, TestStorage, text } from './helpers/storage';

const ones = (n: number) => new Array<number>(n).fill(1);

/** A leader of term 2 whose log is compacted up to index 11 (term 1). */
function compactedLeader(storage?: MemoryStorage): Raft {
  const r = newRaft({ id: 1, terms: ones(11), commit: 11, storage });
  const st = storageOf(r);
  st.createSnapshot(11, { voters: [1, 2, 3], learners: [] }, bytes('state@11'));
  st.compact(11);
  r.becomeCandidate();
  r.becomeLeader();
  persist(r);
  takeMessages(r);
  return r;
}

/** Follower 2 answers the leader's first append: its log is empty, so it needs entry 1. */
function rejectFromEmptyFollower(r: Raft): void {
  r.bcastAppend();
  takeMessages(r);
  r.step(newMessage(MessageType.AppResp, { from: 2, to: 1, term: r.term, index: 11, reject: true, rejectHint: 0 }));
}

function snapshotMsg(index: number, term: number, voters: number[], learners: number[] = []): ReturnType<typeof newMessage> {
  const snapshot: Snapshot = { metadata: { index, term, confState: { voters, learners } }, data: bytes(`state@${index}`) };
  return newMessage(MessageType.Snap, { from: 1, to: 2, term: 2, snapshot });
}

describe('the leader', () => {
  test('sends its snapshot to a follower whose next entry was compacted, and waits in Snapshot state', () => {
    const r = compactedLeader();
    rejectFromEmptyFollower(r);
    const snaps = ofType(takeMessages(r), MessageType.Snap);
    expect(snaps).toHaveLength(1);
    expect(snaps[0].to).toBe(2);
    expect(snaps[0].snapshot?.metadata).toMatchObject({ index: 11, term: 1 });
    expect(text(snaps[0].snapshot?.data ?? new Uint8Array())).toBe('state@11');
    const pr = r.trk.progress.get(2);
    expect(pr?.state).toBe(ProgressState.Snapshot);
    expect(pr?.pendingSnapshot).toBe(11);
  });

  test('sends nothing more to that follower while the snapshot is pending', () => {
    const r = compactedLeader();
    rejectFromEmptyFollower(r);
    takeMessages(r);
    r.step(prop(1, 'a'));
    r.step(prop(1, 'b'));
    r.tick();
    const to2 = takeMessages(r).filter((m) => m.to === 2);
    expect(to2.filter((m) => m.type === MessageType.App || m.type === MessageType.Snap)).toEqual([]);
  });

  test('does not send a (costly) snapshot to a peer it has not heard from recently', () => {
    const r = compactedLeader();
    const pr = r.trk.progress.get(3);
    if (!pr) throw new Error('no progress');
    pr.next = 1; // needs compacted entries
    expect(pr.recentActive).toBe(false);
    r.sendAppend(3);
    expect(takeMessages(r)).toEqual([]);
    expect(pr.state).toBe(ProgressState.Probe);
  });

  test('skips the snapshot while storage cannot produce one, and sends it on a later attempt', () => {
    let available = false;
    class SlowSnapshotStorage extends TestStorage {
      override snapshot(): Snapshot {
        if (!available) throw new RaftError('SnapshotTemporarilyUnavailable', 'snapshot is being built');
        return super.snapshot();
      }
    }
    const st = new SlowSnapshotStorage({ voters: [1, 2, 3], learners: [] });
    const r = compactedLeader(st);
    rejectFromEmptyFollower(r);
    expect(ofType(takeMessages(r), MessageType.Snap)).toEqual([]);
    expect(r.trk.progress.get(2)?.state).toBe(ProgressState.Probe);
    available = true;
    r.step(newMessage(MessageType.HeartbeatResp, { from: 2, to: 1, term: r.term }));
    expect(ofType(takeMessages(r), MessageType.Snap)).toHaveLength(1);
  });

  test('reportSnapshot(failure): back to probing from the match; the retry waits for a sign of life', () => {
    const r = compactedLeader();
    rejectFromEmptyFollower(r);
    takeMessages(r);
    r.step(newMessage(MessageType.SnapStatus, { from: 2, reject: true }));
    const pr = r.trk.progress.get(2);
    expect(pr?.state).toBe(ProgressState.Probe);
    expect(pr?.pendingSnapshot).toBe(0);
    expect(pr?.next).toBe(1);
    expect(pr?.isPaused()).toBe(true);
    expect(takeMessages(r)).toEqual([]);
    r.step(newMessage(MessageType.HeartbeatResp, { from: 2, to: 1, term: r.term }));
    expect(ofType(takeMessages(r), MessageType.Snap)).toHaveLength(1);
  });

  test('reportSnapshot(success): probing resumes right after the snapshot index', () => {
    const r = compactedLeader();
    rejectFromEmptyFollower(r);
    takeMessages(r);
    r.step(newMessage(MessageType.SnapStatus, { from: 2, reject: false }));
    const pr = r.trk.progress.get(2);
    expect(pr?.state).toBe(ProgressState.Probe);
    expect(pr?.next).toBe(12);
    expect(pr?.isPaused()).toBe(true);
    r.step(newMessage(MessageType.HeartbeatResp, { from: 2, to: 1, term: r.term }));
    const apps = ofType(takeMessages(r), MessageType.App);
    expect(apps.map((m) => [m.to, m.index, m.logTerm])).toEqual([[2, 11, 1]]);
  });

  test('an acknowledgement at or past the snapshot index ends the Snapshot state and resumes replication', () => {
    const r = compactedLeader();
    rejectFromEmptyFollower(r);
    takeMessages(r);
    r.step(newMessage(MessageType.AppResp, { from: 2, to: 1, term: r.term, index: 11 }));
    const pr = r.trk.progress.get(2);
    expect(pr?.state).toBe(ProgressState.Replicate);
    expect(pr?.match).toBe(11);
    expect(ofType(takeMessages(r), MessageType.App).map((m) => [m.to, m.index])).toEqual([[2, 11]]);
  });
});

describe('the follower', () => {
  test('restores a snapshot: log, commit index and membership come from it, and it reports its new last index', () => {
    const r = newRaft({ id: 2 });
    r.becomeFollower(2, 1);
    r.step(snapshotMsg(11, 1, [1, 2, 3], [4]));
    expect(r.raftLog.lastIndex()).toBe(11);
    expect(r.raftLog.lastTerm()).toBe(1);
    expect(r.raftLog.committed).toBe(11);
    expect(r.raftLog.hasPendingSnapshot()).toBe(true);
    expect(r.trk.confState()).toEqual({ voters: [1, 2, 3], learners: [4] });
    expect(takeMessages(r)).toEqual([expect.objectContaining({ type: MessageType.AppResp, to: 1, index: 11, reject: false })]);
  });

  test('ignores a snapshot that is not newer than its commit index and answers with the commit index', () => {
    const r = newRaft({ id: 2, terms: ones(11), commit: 11 });
    r.becomeFollower(2, 1);
    r.step(snapshotMsg(5, 1, [1, 2, 3]));
    expect(r.raftLog.hasPendingSnapshot()).toBe(false);
    expect(r.raftLog.lastIndex()).toBe(11);
    expect(takeMessages(r)).toEqual([expect.objectContaining({ type: MessageType.AppResp, index: 11 })]);
  });

  test('fast-forwards its commit index instead when it already holds the snapshot’s last entry', () => {
    const r = newRaft({ id: 2, terms: ones(15), commit: 5 });
    r.becomeFollower(2, 1);
    r.step(snapshotMsg(11, 1, [1, 2, 3]));
    expect(r.raftLog.hasPendingSnapshot()).toBe(false);
    expect(r.raftLog.committed).toBe(11);
    expect(r.raftLog.lastIndex()).toBe(15);
    expect(takeMessages(r)).toEqual([expect.objectContaining({ type: MessageType.AppResp, index: 11 })]);
  });

  test('replaces its whole log when its entry at the snapshot index has another term', () => {
    const r = newRaft({ id: 2, terms: [1, 1, 1, 1, 1, 3, 3, 3, 3, 3, 3, 3], term: 3, commit: 5 });
    r.becomeFollower(3, 1);
    const m = snapshotMsg(11, 2, [1, 2, 3]);
    r.step({ ...m, term: 3 });
    expect(r.raftLog.lastIndex()).toBe(11);
    expect(r.raftLog.lastTerm()).toBe(2);
    expect(r.raftLog.committed).toBe(11);
  });

  test('a candidate that receives a snapshot from a leader of its term follows it and restores', () => {
    const r = newRaft({ id: 2, term: 1 });
    r.becomeCandidate();
    r.step(snapshotMsg(11, 1, [1, 2, 3]));
    expect(r.state).toBe(StateType.Follower);
    expect(r.lead).toBe(1);
    expect(r.raftLog.lastIndex()).toBe(11);
  });

  test('does not campaign while its restored snapshot is not yet persisted', () => {
    const r = newRaft({ id: 2 });
    r.becomeFollower(2, 1);
    r.step(snapshotMsg(11, 1, [1, 2, 3]));
    expect(r.promotable()).toBe(false);
    for (let i = 0; i < 40; i++) r.tick();
    expect(r.state).toBe(StateType.Follower);
    persist(r);
    expect(r.promotable()).toBe(true);
  });

  test('becomes a learner, and never campaigns, when the snapshot lists it as one', () => {
    const r = newRaft({ id: 2 });
    r.becomeFollower(2, 1);
    r.step(snapshotMsg(11, 1, [1, 3], [2]));
    persist(r);
    expect(r.isLearner).toBe(true);
    takeMessages(r);
    for (let i = 0; i < 100; i++) r.tick();
    expect(r.state).toBe(StateType.Follower);
    expect(takeMessages(r)).toEqual([]);
  });
});

describe('in a cluster', () => {
  test('a follower that fell behind the compaction point catches up through a snapshot and then through appends', () => {
    const nt = Network.ofSize(3);
    nt.send(hup(1));
    nt.isolate(3);
    for (let i = 0; i < 50; i++) nt.send(prop(1, `v${i}`));
    const leader = nt.peer(1);
    const applied = leader.raftLog.applied;
    expect(applied).toBe(51);
    const st = storageOf(leader);
    st.createSnapshot(applied, leader.trk.confState(), bytes('state'));
    st.compact(applied);
    expect(leader.raftLog.firstIndex()).toBe(52);

    nt.recover();
    nt.tick(1); // heartbeat → answer → the leader finds 3 needs the snapshot
    expect(nt.delivered.filter((m) => m.type === MessageType.Snap && m.to === 3)).toHaveLength(1);
    const follower = nt.peer(3);
    expect(follower.raftLog.firstIndex()).toBe(52);
    expect(leader.trk.progress.get(3)?.state).toBe(ProgressState.Replicate);

    nt.send(prop(1, 'after'));
    expect(follower.raftLog.committed).toBe(leader.raftLog.committed);
    expect(logTerms(follower)).toEqual(logTerms(leader));
    const last = [...(nt.applied.get(3) ?? new Map()).values()].at(-1);
    expect(last && text(last.data)).toBe('after');
  });
});

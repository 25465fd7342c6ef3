// Membership changes, one server at a time (thesis §4.1), with learners
// (non-voting members, as in etcd). The conf change takes effect on each
// node when it applies the entry.

import { RaftError } from '../../lib/raft/core/errors';
import { Raft } from '../../lib/raft/core/raft';
import { ConfChangeType, EntryType, MessageType, newMessage, StateType } from '../../lib/raft/core/types';
import {
  acceptAppend,
  applyCommitted,
  confChangeEntry,
  confChangeProp,
  hup,
  logTerms,
  newRaft,
  persist,
  prop,
  settleAsLeader,
  takeMessages,
} from './helpers/factory';
import { Network } from './helpers/network';
import { entry, text } from './helpers/storage';

const { AddVoter, AddLearner, RemoveNode } = ConfChangeType;

/** Nodes 1-3 are voters with node 1 leading; node 4 knows the cluster but is not (yet) in it. */
function clusterWithJoiner(): Network {
  const voters = [1, 2, 3];
  const nt = new Network([...voters.map((id) => newRaft({ id, peers: voters })), newRaft({ id: 4, peers: voters })]);
  nt.send(hup(1));
  return nt;
}

function expectDropped(f: () => void, reason: RegExp): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(RaftError);
    expect((e as RaftError).code).toBe('ProposalDropped');
    expect((e as RaftError).message).toMatch(reason);
    return;
  }
  throw new Error('the proposal was accepted');
}

describe('adding members', () => {
  test('a new voter is tracked by everyone once applied, and the leader brings its log up to date', () => {
    const nt = clusterWithJoiner();
    nt.send(confChangeProp(1, AddVoter, 4));
    expect(nt.errors).toEqual([]);
    nt.tick(1);
    for (const r of nt.nodes.values()) expect(r.trk.confState()).toEqual({ voters: [1, 2, 3, 4], learners: [] });
    expect(logTerms(nt.peer(4))).toEqual(logTerms(nt.peer(1)));
    expect(nt.peer(4).promotable()).toBe(true);
  });

  test('the new voter counts toward the quorum: with two of four down nothing commits', () => {
    const nt = clusterWithJoiner();
    nt.send(confChangeProp(1, AddVoter, 4));
    nt.isolate(3);
    nt.isolate(4);
    const before = nt.peer(1).raftLog.committed;
    nt.send(prop(1, 'x'));
    expect(nt.peer(1).raftLog.committed).toBe(before);
    // Control: with three voters, the same two nodes would have been a quorum.
    const small = Network.ofSize(3);
    small.send(hup(1));
    small.isolate(3);
    const c = small.peer(1).raftLog.committed;
    small.send(prop(1, 'x'));
    expect(small.peer(1).raftLog.committed).toBe(c + 1);
  });

  test('a learner receives the log but its acknowledgement does not count toward commit', () => {
    const nt = clusterWithJoiner();
    nt.send(confChangeProp(1, AddLearner, 4));
    nt.tick(1);
    expect(nt.peer(1).trk.confState()).toEqual({ voters: [1, 2, 3], learners: [4] });
    expect(nt.peer(4).isLearner).toBe(true);
    nt.cut(1, 2);
    nt.cut(1, 3);
    const before = nt.peer(1).raftLog.committed;
    nt.send(prop(1, 'x'));
    expect(nt.peer(4).raftLog.lastIndex()).toBe(nt.peer(1).raftLog.lastIndex());
    expect(nt.peer(1).raftLog.committed).toBe(before);
    nt.recover();
    nt.tick(1);
    expect(nt.peer(1).raftLog.committed).toBe(before + 1);
  });

  test('a promoted learner becomes a voter that counts and may campaign', () => {
    const nt = clusterWithJoiner();
    nt.send(confChangeProp(1, AddLearner, 4));
    nt.send(confChangeProp(1, AddVoter, 4));
    expect(nt.errors).toEqual([]);
    nt.tick(1);
    for (const r of nt.nodes.values()) expect(r.trk.confState()).toEqual({ voters: [1, 2, 3, 4], learners: [] });
    expect(nt.peer(4).isLearner).toBe(false);
    nt.isolate(1);
    nt.send(hup(4));
    expect(nt.peer(4).state).toBe(StateType.Leader);
  });

  test('adding a voter as a learner is ignored: demotion would need joint consensus', () => {
    const r = newRaft({ id: 1 });
    settleAsLeader(r);
    r.applyConfChange({ type: AddLearner, nodeId: 2, context: new Uint8Array(0) });
    expect(r.trk.confState()).toEqual({ voters: [1, 2, 3], learners: [] });
  });

  test('a newly added voter counts as recently active, so CheckQuorum does not depose the leader before it could answer', () => {
    const r = newRaft({ id: 1, checkQuorum: true });
    settleAsLeader(r); // 2 and 3 just answered
    const silent = r.trk.progress.get(3);
    if (!silent) throw new Error('no progress for 3');
    silent.recentActive = false;
    r.applyConfChange({ type: AddVoter, nodeId: 4, context: new Uint8Array(0) });
    // Quorum of four is three: 1, 2 and the newcomer.
    for (let i = 0; i < r.cfg.electionTick; i++) r.tick();
    expect(r.state).toBe(StateType.Leader);
  });
});

describe('learners', () => {
  test('a learner never campaigns: not on election timeout, not on Hup, not on TimeoutNow', () => {
    const r = newRaft({ id: 2, peers: [1], learners: [2] });
    expect(r.isLearner).toBe(true);
    for (let i = 0; i < 100; i++) r.tick();
    r.step(hup(2));
    r.step(newMessage(MessageType.TimeoutNow, { from: 1, to: 2, term: 0 }));
    expect(r.state).toBe(StateType.Follower);
    expect(r.term).toBe(0);
    expect(takeMessages(r)).toEqual([]);
  });

  test('a candidate does not ask learners for votes, and a learner’s vote would not count', () => {
    const r = newRaft({ id: 1, peers: [1, 2], learners: [3] });
    r.step(hup(1));
    expect(takeMessages(r).map((m) => m.to)).toEqual([2]);
    r.step(newMessage(MessageType.VoteResp, { from: 3, to: 1, term: 1 }));
    expect(r.state).toBe(StateType.Candidate);
    r.step(newMessage(MessageType.VoteResp, { from: 2, to: 1, term: 1 }));
    expect(r.state).toBe(StateType.Leader);
  });
});

describe('removing members', () => {
  test('removing a follower shrinks the quorum, so an entry waiting for it commits when the removal is applied', () => {
    const r = newRaft({ id: 1, peers: [1, 2] });
    settleAsLeader(r);
    r.step(confChangeProp(1, RemoveNode, 2));
    const ccIndex = r.raftLog.lastIndex();
    r.step(prop(1, 'hello'));
    takeMessages(r);
    // Node 2 stores the conf change (but not "hello"), which commits the change.
    r.step(newMessage(MessageType.AppResp, { from: 2, to: 1, term: r.term, index: ccIndex }));
    persist(r);
    const applied = applyCommitted(r);
    expect(applied.at(-1)?.type).toBe(EntryType.ConfChange);
    expect(r.trk.confState().voters).toEqual([1]);
    expect(text(r.raftLog.nextCommittedEnts().at(-1)?.data ?? new Uint8Array())).toBe('hello');
  });

  test('a removed leader steps down once it applies its removal, and the others elect a leader among themselves', () => {
    const nt = Network.ofSize(3);
    nt.send(hup(1));
    nt.send(confChangeProp(1, RemoveNode, 1));
    expect(nt.peer(1).state).toBe(StateType.Follower);
    expect(nt.peer(1).promotable()).toBe(false);
    nt.tickAll(30);
    const leaders = nt.leaders();
    expect(leaders).toHaveLength(1);
    expect([2, 3]).toContain(leaders[0]);
    expect(nt.peer(leaders[0]).trk.confState().voters).toEqual([2, 3]);
    expect(nt.peer(1).state).toBe(StateType.Follower);
  });

  test('a removed follower never campaigns, and the leader ignores its messages', () => {
    const nt = Network.ofSize(3);
    nt.send(hup(1));
    nt.send(confChangeProp(1, RemoveNode, 3));
    nt.tick(1);
    const r3 = nt.peer(3);
    expect(r3.trk.progress.has(3)).toBe(false);
    for (let i = 0; i < 100; i++) r3.tick();
    expect(r3.state).toBe(StateType.Follower);
    expect(takeMessages(r3)).toEqual([]);
    const leader = nt.peer(1);
    leader.step(newMessage(MessageType.HeartbeatResp, { from: 3, to: 1, term: leader.term }));
    leader.step(newMessage(MessageType.AppResp, { from: 3, to: 1, term: leader.term, index: 99 }));
    expect(takeMessages(leader)).toEqual([]);
  });
});

describe('one change at a time', () => {
  test('a second conf change is refused while the first is not applied, and accepted after', () => {
    const r = newRaft({ id: 1 });
    settleAsLeader(r);
    r.step(confChangeProp(1, AddLearner, 4));
    expectDropped(() => r.step(confChangeProp(1, AddLearner, 5)), /in progress/);
    for (const m of takeMessages(r)) if (m.type === MessageType.App) r.step(acceptAppend(m));
    persist(r);
    applyCommitted(r);
    expect(r.trk.confState().learners).toEqual([4]);
    r.step(confChangeProp(1, AddLearner, 5));
    expect(r.raftLog.allEntries().at(-1)?.type).toBe(EntryType.ConfChange);
  });

  test('a forwarded conf change that must be refused is kept in its batch as an empty normal entry', () => {
    const r = newRaft({ id: 1 });
    settleAsLeader(r);
    r.step(confChangeProp(1, AddLearner, 4));
    const forwarded = confChangeProp(2, AddLearner, 5);
    forwarded.entries.push({ ...entry(0, 0, 'data'), term: 0 });
    r.step(forwarded);
    const tail = r.raftLog.allEntries().slice(-2);
    expect(tail.map((e) => [e.type, text(e.data)])).toEqual([
      [EntryType.Normal, ''],
      [EntryType.Normal, 'data'],
    ]);
  });

  test('a conf change is refused until the leader has committed an entry of its own term', () => {
    const r = newRaft({ id: 1 });
    r.becomeCandidate();
    r.becomeLeader();
    expectDropped(() => r.step(confChangeProp(1, AddLearner, 4)), /committed an entry of its term/);
    settleAsLeader(r);
    r.step(confChangeProp(1, AddLearner, 4));
    expect(r.raftLog.allEntries().at(-1)?.type).toBe(EntryType.ConfChange);
  });

  test('a new leader treats a conf change in its uncommitted tail as pending', () => {
    const r: Raft = newRaft({ id: 1, entries: [entry(1, 1), confChangeEntry(AddLearner, 4, 2, 1)], commit: 1 });
    r.becomeCandidate();
    r.becomeLeader();
    expect(r.pendingConfIndex).toBeGreaterThanOrEqual(2);
    settleAsLeader(r); // commits and applies the old change along with the no-op
    expect(r.trk.confState().learners).toEqual([4]);
    r.step(confChangeProp(1, AddLearner, 5));
    expect(r.raftLog.allEntries().at(-1)?.type).toBe(EntryType.ConfChange);
  });

  test('a node does not campaign while a committed conf change is not yet applied (it could change who votes)', () => {
    const r = newRaft({ id: 1, entries: [entry(1, 1), confChangeEntry(AddVoter, 4, 2, 1)], commit: 2 });
    r.step(hup(1));
    expect(r.state).toBe(StateType.Follower);
    expect(takeMessages(r)).toEqual([]);
    applyCommitted(r);
    r.step(hup(1));
    expect(r.state).toBe(StateType.Candidate);
    expect(takeMessages(r).map((m) => m.to).sort()).toEqual([2, 3, 4]);
  });

  test('conf changes can be made through a network one after the other until the cluster has five voters', () => {
    const voters = [1, 2, 3];
    const nt = new Network([
      ...voters.map((id) => newRaft({ id, peers: voters })),
      newRaft({ id: 4, peers: voters }),
      newRaft({ id: 5, peers: voters }),
    ]);
    nt.send(hup(1));
    nt.send(confChangeProp(1, AddVoter, 4));
    nt.send(confChangeProp(1, AddVoter, 5));
    expect(nt.errors).toEqual([]);
    nt.tick(1);
    for (const id of [1, 2, 3, 4, 5]) expect(nt.peer(id).trk.confState().voters).toEqual([1, 2, 3, 4, 5]);
  });
});

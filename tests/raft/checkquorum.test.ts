// CheckQuorum (thesis §6.2): a leader that cannot hear from a quorum steps
// down, and a node that heard from a leader within the minimum election
// timeout (its "lease") ignores vote requests, so it cannot be deposed by a
// node that merely lost touch. PreVote is set explicitly per test.

import { MessageType, newMessage, NONE, StateType } from '../../lib/raft/core/types';
import { hup, newRaft, takeMessages } from './helpers/factory';
import { Network } from './helpers/network';

const ET = 10;

describe('the leader', () => {
  test('steps down when it has not heard from a quorum for an election timeout', () => {
    const nt = Network.ofSize(3, { node: { checkQuorum: true, preVote: false, electionTick: ET } });
    nt.send(hup(1));
    nt.isolate(1);
    // The first check still sees the answers to the election's appends; the second does not.
    nt.tick(1, ET);
    expect(nt.peer(1).state).toBe(StateType.Leader);
    nt.tick(1, ET);
    expect(nt.peer(1).state).toBe(StateType.Follower);
    expect(nt.peer(1).lead).toBe(NONE);
    expect(nt.peer(1).term).toBe(1);
  });

  test('stays leader as long as a quorum answers, even with one follower cut off', () => {
    const nt = Network.ofSize(3, { node: { checkQuorum: true, preVote: false, electionTick: ET } });
    nt.send(hup(1));
    nt.cut(1, 3);
    nt.tick(1, 10 * ET);
    expect(nt.peer(1).state).toBe(StateType.Leader);
    expect(nt.peer(1).term).toBe(1);
  });

  test('control: without CheckQuorum a leader cut off from everyone stays leader forever', () => {
    const nt = Network.ofSize(3, { node: { checkQuorum: false, preVote: false, electionTick: ET } });
    nt.send(hup(1));
    nt.isolate(1);
    nt.tick(1, 10 * ET);
    expect(nt.peer(1).state).toBe(StateType.Leader);
  });

  test('of a single-voter cluster is its own quorum and never steps down', () => {
    const r = newRaft({ id: 1, peers: [1], checkQuorum: true, electionTick: ET });
    r.step(hup(1));
    for (let i = 0; i < 10 * ET; i++) r.tick();
    expect(r.state).toBe(StateType.Leader);
  });

  test('once cut off, it steps down and the others elect a new leader', () => {
    const nt = Network.ofSize(3, { node: { checkQuorum: true, preVote: false, electionTick: ET } });
    nt.send(hup(1));
    nt.isolate(1);
    nt.tickAll(4 * ET);
    // Having stepped down, node 1 may well be campaigning in vain by now.
    expect(nt.peer(1).state).not.toBe(StateType.Leader);
    const leaders = nt.leaders();
    expect(leaders).toHaveLength(1);
    expect([2, 3]).toContain(leaders[0]);
  });
});

describe('the lease', () => {
  test('a follower that heard from its leader within the election timeout ignores a higher-term vote request', () => {
    const r = newRaft({ id: 1, checkQuorum: true, electionTick: ET });
    r.becomeFollower(1, 2);
    r.step(newMessage(MessageType.Vote, { from: 3, to: 1, term: 5 }));
    expect(r.term).toBe(1);
    expect(r.vote).toBe(NONE);
    expect(r.lead).toBe(2);
    expect(takeMessages(r)).toEqual([]);
  });

  test('the same request is handled normally once the lease has run out', () => {
    const r = newRaft({ id: 1, checkQuorum: true, electionTick: ET });
    r.becomeFollower(1, 2);
    r.electionElapsed = ET;
    r.step(newMessage(MessageType.Vote, { from: 3, to: 1, term: 5 }));
    expect(r.term).toBe(5);
    expect(r.vote).toBe(3);
    expect(takeMessages(r)[0]).toMatchObject({ type: MessageType.VoteResp, to: 3, reject: false });
  });

  test('control: without CheckQuorum there is no lease and the vote is granted at once', () => {
    const r = newRaft({ id: 1, checkQuorum: false, electionTick: ET });
    r.becomeFollower(1, 2);
    r.step(newMessage(MessageType.Vote, { from: 3, to: 1, term: 5 }));
    expect(r.vote).toBe(3);
  });

  test('a candidate cannot supersede a live leader while the followers’ leases hold, but can once they expire', () => {
    const nt = Network.ofSize(3, { node: { checkQuorum: true, preVote: false, electionTick: ET } });
    nt.send(hup(1));
    nt.isolate(1); // the leader goes silent, but node 2 heard from it a moment ago
    nt.send(hup(3));
    expect(nt.peer(3).state).toBe(StateType.Candidate);
    expect(nt.peer(2).term).toBe(1);
    // Let node 2's lease run out without a heartbeat, then try again.
    nt.tick(2, ET - 1);
    expect(nt.peer(2).electionElapsed).toBeGreaterThanOrEqual(ET - 1);
    nt.tick(2, 1);
    nt.send(hup(3));
    expect(nt.peer(3).state).toBe(StateType.Leader);
  });

  test('a leadership transfer is allowed to break the lease', () => {
    const nt = Network.ofSize(3, { node: { checkQuorum: true, preVote: true, electionTick: ET } });
    nt.send(hup(1));
    nt.send(newMessage(MessageType.TransferLeader, { from: 2, to: 1 }));
    expect(nt.leaders()).toEqual([2]);
    expect(nt.peer(2).term).toBe(2);
  });
});

describe('rejoining after a partition', () => {
  test('a stale leader’s append is answered with the current term so the stale leader learns it', () => {
    const r = newRaft({ id: 1, term: 3, checkQuorum: true });
    r.step(newMessage(MessageType.Heartbeat, { from: 2, to: 1, term: 2 }));
    expect(takeMessages(r)).toEqual([expect.objectContaining({ type: MessageType.AppResp, to: 2, term: 3 })]);

    const stale = newRaft({ id: 2, checkQuorum: true });
    stale.becomeCandidate();
    stale.becomeLeader();
    stale.step(newMessage(MessageType.AppResp, { from: 1, to: 2, term: 3 }));
    expect(stale.state).toBe(StateType.Follower);
    expect(stale.term).toBe(3);
  });

  test('with PreVote and CheckQuorum, a partitioned node that times out as it rejoins does not disturb the leader', () => {
    const nt = Network.ofSize(3, { node: { checkQuorum: true, preVote: true, electionTick: ET } });
    nt.send(hup(1));
    nt.isolate(3);
    nt.tickAll(10 * ET);
    expect(nt.peer(3).term).toBe(1);
    nt.recover();
    // Node 3 campaigns before any heartbeat reaches it; 1 and 2 are within their lease.
    const r3 = nt.peer(3);
    nt.tick(3, r3.randomizedElectionTimeout - r3.electionElapsed);
    expect(nt.delivered.some((m) => m.type === MessageType.PreVote && m.from === 3)).toBe(true);
    nt.tickAll(5 * ET);
    expect(nt.leaders()).toEqual([1]);
    for (const r of nt.nodes.values()) {
      expect(r.term).toBe(1);
      expect(r.lead).toBe(1);
    }
  });

  test('control: with PreVote alone the same rejoining node wins the pre-vote and deposes the leader', () => {
    const nt = Network.ofSize(3, { node: { checkQuorum: false, preVote: true, electionTick: ET } });
    nt.send(hup(1));
    nt.isolate(3);
    nt.tickAll(10 * ET);
    nt.recover();
    const r3 = nt.peer(3);
    nt.tick(3, r3.randomizedElectionTimeout - r3.electionElapsed);
    expect(nt.peer(1).term).toBeGreaterThan(1);
  });

  test('with CheckQuorum but no PreVote, a node stuck in a higher term is freed: the cluster moves past its term', () => {
    const nt = Network.ofSize(3, { node: { checkQuorum: true, preVote: false, electionTick: ET } });
    nt.send(hup(1));
    nt.isolate(3);
    nt.tick(3, 10 * ET);
    const stuckTerm = nt.peer(3).term;
    expect(stuckTerm).toBeGreaterThan(2);
    nt.recover();
    nt.tickAll(6 * ET);
    const leaders = nt.leaders();
    expect(leaders).toHaveLength(1);
    expect(nt.peer(leaders[0]).term).toBeGreaterThanOrEqual(stuckTerm);
    for (const r of nt.nodes.values()) expect(r.lead).toBe(leaders[0]);
  });
});

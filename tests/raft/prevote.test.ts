// PreVote (thesis §9.6): a node first asks whether it could win, without
// touching anyone's term, so a partitioned node cannot disrupt the cluster
// when it comes back. CheckQuorum stays off here unless stated.

import { MessageType, newMessage, NONE, StateType } from '../../lib/raft/core/types';
import { hup, newRaft, sortByTo, summary, takeMessages } from './helpers/factory';
import { Network } from './helpers/network';

function tickUntilMessages(r: ReturnType<typeof newRaft>, max = 100): void {
  for (let i = 0; i < max && r.msgs.length === 0; i++) r.tick();
}

describe('the pre-candidate', () => {
  test('on an election timeout it keeps its term and vote and asks for pre-votes for term+1 with its last log position', () => {
    const r = newRaft({ id: 1, terms: [1, 1], vote: 2, preVote: true });
    r.becomeFollower(1, NONE);
    tickUntilMessages(r);
    expect(r.state).toBe(StateType.PreCandidate);
    expect(r.term).toBe(1);
    expect(r.vote).toBe(2);
    expect(sortByTo(takeMessages(r)).map(summary)).toEqual(
      [2, 3].map((to) => expect.objectContaining({ type: 'PreVote', to, term: 2, index: 2, logTerm: 1 })),
    );
  });

  test('with a majority of pre-votes it starts the real election: term+1, votes for itself, sends Vote', () => {
    const r = newRaft({ id: 1, preVote: true });
    r.step(hup(1));
    takeMessages(r);
    r.step(newMessage(MessageType.PreVoteResp, { from: 2, to: 1, term: 1 }));
    expect(r.state).toBe(StateType.Candidate);
    expect(r.term).toBe(1);
    expect(r.vote).toBe(1);
    expect(sortByTo(takeMessages(r)).map((m) => [MessageType[m.type], m.to, m.term])).toEqual([
      ['Vote', 2, 1],
      ['Vote', 3, 1],
    ]);
  });

  test('refused by a majority it returns to follower in its old term', () => {
    const r = newRaft({ id: 1, term: 4, preVote: true });
    r.step(hup(1));
    r.step(newMessage(MessageType.PreVoteResp, { from: 2, to: 1, term: 4, reject: true }));
    expect(r.state).toBe(StateType.PreCandidate);
    r.step(newMessage(MessageType.PreVoteResp, { from: 3, to: 1, term: 4, reject: true }));
    expect(r.state).toBe(StateType.Follower);
    expect(r.term).toBe(4);
  });

  test('a refusal carrying a higher term makes it adopt that term as a follower', () => {
    const r = newRaft({ id: 1, term: 1, preVote: true });
    r.step(hup(1));
    r.step(newMessage(MessageType.PreVoteResp, { from: 2, to: 1, term: 5, reject: true }));
    expect(r.state).toBe(StateType.Follower);
    expect(r.term).toBe(5);
  });

  test('it follows a leader of its own term that it hears from', () => {
    const r = newRaft({ id: 1, term: 1, preVote: true });
    r.step(hup(1));
    r.step(newMessage(MessageType.Heartbeat, { from: 2, to: 1, term: 1 }));
    expect(r.state).toBe(StateType.Follower);
    expect(r.lead).toBe(2);
    expect(r.term).toBe(1);
  });

  test('a pre-election that times out starts another one, still without bumping the term', () => {
    const r = newRaft({ id: 1, term: 1, preVote: true });
    r.step(hup(1));
    takeMessages(r);
    for (let i = 0; i < 5; i++) {
      for (let t = 0; t < 2 * r.cfg.electionTick; t++) r.tick();
      expect(r.state).toBe(StateType.PreCandidate);
      expect(r.term).toBe(1);
      expect(takeMessages(r).filter((m) => m.type === MessageType.PreVote).length).toBeGreaterThan(0);
    }
  });

  test('a single-voter cluster with PreVote becomes leader at once', () => {
    const r = newRaft({ id: 1, peers: [1], preVote: true });
    r.step(hup(1));
    expect(r.state).toBe(StateType.Leader);
    expect(r.term).toBe(1);
  });
});

describe('the voter', () => {
  test('grants a pre-vote to an up-to-date log without changing its term, vote or timer', () => {
    const r = newRaft({ id: 1, terms: [1], term: 1, preVote: true });
    r.becomeFollower(1, NONE);
    r.tick();
    r.tick();
    r.step(newMessage(MessageType.PreVote, { from: 2, to: 1, term: 2, index: 1, logTerm: 1 }));
    expect(takeMessages(r).map(summary)).toEqual([expect.objectContaining({ type: 'PreVoteResp', to: 2, term: 2, reject: false })]);
    expect(r.term).toBe(1);
    expect(r.vote).toBe(NONE);
    expect(r.electionElapsed).toBe(2);
  });

  test('refuses a pre-vote to a log behind its own, answering with its current term', () => {
    const r = newRaft({ id: 1, terms: [1, 1], term: 1, preVote: true });
    r.step(newMessage(MessageType.PreVote, { from: 2, to: 1, term: 2, index: 1, logTerm: 1 }));
    expect(takeMessages(r).map(summary)).toEqual([expect.objectContaining({ type: 'PreVoteResp', to: 2, term: 1, reject: true })]);
  });

  test('grants a pre-vote for a later term even though it already voted in the current one', () => {
    const r = newRaft({ id: 1, term: 1, vote: 3, preVote: true });
    r.step(newMessage(MessageType.PreVote, { from: 2, to: 1, term: 2 }));
    expect(takeMessages(r)[0]).toMatchObject({ type: MessageType.PreVoteResp, reject: false });
    // A real vote in that same current term would be refused.
    r.step(newMessage(MessageType.Vote, { from: 2, to: 1, term: 1 }));
    expect(takeMessages(r)[0]).toMatchObject({ type: MessageType.VoteResp, reject: true });
  });

  test('refuses a pre-vote for its current term to anyone but the node it voted for', () => {
    const r = newRaft({ id: 1, term: 2, vote: 3, preVote: true });
    r.step(newMessage(MessageType.PreVote, { from: 2, to: 1, term: 2 }));
    expect(takeMessages(r)[0]).toMatchObject({ type: MessageType.PreVoteResp, reject: true });
  });

  test('answers a pre-vote from an older term with a refusal carrying its term, so the sender catches up', () => {
    const r = newRaft({ id: 1, term: 3, preVote: true });
    r.step(newMessage(MessageType.PreVote, { from: 2, to: 1, term: 2 }));
    expect(takeMessages(r).map(summary)).toEqual([expect.objectContaining({ type: 'PreVoteResp', to: 2, term: 3, reject: true })]);
    expect(r.term).toBe(3);
  });
});

describe('in a cluster', () => {
  test('an election with PreVote elects a leader, and only the real election moves terms', () => {
    const nt = Network.ofSize(3, { node: { preVote: true } });
    nt.send(hup(1));
    expect(nt.leaders()).toEqual([1]);
    for (const r of nt.nodes.values()) expect(r.term).toBe(1);
    const kinds = new Set(nt.delivered.map((m) => MessageType[m.type]));
    expect([...kinds]).toEqual(expect.arrayContaining(['PreVote', 'PreVoteResp', 'Vote', 'VoteResp']));
  });

  test('a partitioned node does not inflate its term, so when it rejoins the leader stays', () => {
    const nt = Network.ofSize(3, { node: { preVote: true } });
    nt.send(hup(1));
    nt.isolate(3);
    nt.tick(3, 100);
    expect(nt.peer(3).term).toBe(1);
    expect(nt.peer(3).state).toBe(StateType.PreCandidate);
    nt.recover();
    nt.tickAll(50);
    expect(nt.leaders()).toEqual([1]);
    expect(nt.peer(1).term).toBe(1);
    expect(nt.peer(3).lead).toBe(1);
  });

  test('control: without PreVote the same partition inflates the term and deposes the leader on rejoining', () => {
    const nt = Network.ofSize(3, { node: { preVote: false } });
    nt.send(hup(1));
    nt.isolate(3);
    nt.tick(3, 100);
    expect(nt.peer(3).term).toBeGreaterThan(1);
    nt.recover();
    nt.tickAll(50);
    expect(nt.peer(1).term).toBeGreaterThan(1);
  });

  test('a node that fell behind in term can still take part in completing an election', () => {
    const nt = Network.ofSize(3, { node: { preVote: true } });
    nt.send(hup(1));
    nt.isolate(3);
    nt.send(hup(2)); // 2 takes over in term 2; 3 misses it
    expect(nt.leaders()).toEqual([2]);
    nt.recover();
    nt.isolate(2); // the new leader dies as 3 rejoins, still in term 1
    expect(nt.peer(3).term).toBe(1);
    nt.send(hup(3)); // refused by 1, which tells 3 about term 2
    expect(nt.peer(3).term).toBe(2);
    nt.send(hup(1));
    expect(nt.peer(1).state).toBe(StateType.Leader);
    expect(nt.peer(3).lead).toBe(1);
  });
});

// Where a client proposal goes: the leader appends it, a follower forwards
// it (or refuses with the leader's id), and without a leader it is dropped.

import { RaftError } from '../../lib/raft/core/errors';
import { ConfChangeType, MessageType, NONE, StateType } from '../../lib/raft/core/types';
import { hup, newRaft, newRawNode, prop, settleAsLeader, takeMessages } from './helpers/factory';
import { Network } from './helpers/network';
import { bytes, text } from './helpers/storage';

function refusal(f: () => void): RaftError {
  try {
    f();
  } catch (e) {
    if (e instanceof RaftError) return e;
    throw e;
  }
  throw new Error('the proposal was accepted');
}

describe('proposals', () => {
  test('the leader gives a batch its term and consecutive indexes, and sends it to every follower', () => {
    const r = newRaft({ id: 1 });
    settleAsLeader(r);
    const li = r.raftLog.lastIndex();
    r.step(prop(1, 'a', 'b', 'c'));
    expect(r.raftLog.allEntries().slice(li).map((e) => [e.index, e.term, text(e.data)])).toEqual([
      [li + 1, 1, 'a'],
      [li + 2, 1, 'b'],
      [li + 3, 1, 'c'],
    ]);
    const apps = takeMessages(r).filter((m) => m.type === MessageType.App);
    expect(apps.map((m) => [m.to, m.entries.length]).sort()).toEqual([
      [2, 3],
      [3, 3],
    ]);
  });

  test('a follower forwards a proposal to its leader, which commits it everywhere', () => {
    const nt = Network.ofSize(3);
    nt.send(hup(1));
    nt.send(prop(3, 'via-follower'));
    expect(nt.errors).toEqual([]);
    const forwarded = nt.delivered.find((m) => m.type === MessageType.Prop && m.to === 1);
    expect(forwarded?.from).toBe(3);
    nt.tick(1);
    for (const r of nt.nodes.values()) {
      const last = r.raftLog.allEntries().at(-1);
      expect(last && text(last.data)).toBe('via-follower');
      expect(r.raftLog.committed).toBe(r.raftLog.lastIndex());
    }
  });

  test('a learner forwards proposals too', () => {
    const nt = new Network([newRaft({ id: 1, peers: [1, 2], learners: [3] }), newRaft({ id: 2, peers: [1, 2], learners: [3] }), newRaft({ id: 3, peers: [1, 2], learners: [3] })]);
    nt.send(hup(1));
    nt.send(prop(3, 'from-learner'));
    expect(nt.errors).toEqual([]);
    expect(text(nt.peer(1).raftLog.allEntries().at(-1)?.data ?? new Uint8Array())).toBe('from-learner');
  });

  test('with forwarding disabled a follower refuses with NotLeader, naming the leader', () => {
    const r = newRaft({ id: 1, config: { disableProposalForwarding: true } });
    r.becomeFollower(1, 2);
    const e = refusal(() => r.step(prop(1, 'x')));
    expect(e.code).toBe('NotLeader');
    expect(e.leader).toBe(2);
    expect(takeMessages(r)).toEqual([]);
  });

  test.each(['Follower', 'PreCandidate', 'Candidate'] as const)('a %s that knows no leader drops the proposal', (name) => {
    const r = newRaft({ id: 1, preVote: name === 'PreCandidate' });
    if (name !== 'Follower') r.step(hup(1));
    expect(r.state).toBe(StateType[name]);
    expect(r.lead).toBe(NONE);
    takeMessages(r);
    const e = refusal(() => r.step(prop(1, 'x')));
    expect(e.code).toBe('ProposalDropped');
    expect(takeMessages(r)).toEqual([]);
    expect(r.raftLog.lastIndex()).toBe(0);
  });
});

describe('through RawNode', () => {
  test('propose on a node without a leader throws ProposalDropped', () => {
    const rn = newRawNode({ id: 1 });
    expect(() => rn.propose(bytes('x'))).toThrow(expect.objectContaining({ code: 'ProposalDropped' }));
  });

  test('proposeConfChange is refused on a follower with NotLeader naming the leader', () => {
    const rn = newRawNode({ id: 1 });
    rn.raft.becomeFollower(1, 3);
    const e = refusal(() => rn.proposeConfChange({ type: ConfChangeType.AddLearner, nodeId: 4, context: new Uint8Array(0) }));
    expect(e.code).toBe('NotLeader');
    expect(e.leader).toBe(3);
  });

  test('proposeBatch lands all entries in one message on the leader, contiguously', () => {
    const rn = newRawNode({ id: 1, peers: [1] });
    rn.campaign();
    const li = rn.raft.raftLog.lastIndex();
    rn.proposeBatch([bytes('a'), bytes('b')]);
    expect(rn.raft.raftLog.allEntries().slice(li).map((e) => text(e.data))).toEqual(['a', 'b']);
  });
});

// Leadership transfer (thesis §3.10): the leader brings the transferee up to
// date, then tells it to campaign at once (TimeoutNow); proposals are held
// off meanwhile, and a transfer that takes longer than an election timeout
// is abandoned.

import { RaftError } from '../../lib/raft/core/errors';
import { ConfChangeType, MessageType, newMessage, NONE, StateType } from '../../lib/raft/core/types';
import { hup, newRaft, prop, settleAsLeader, storageOf, takeMessages } from './helpers/factory';
import { Network } from './helpers/network';
import { bytes } from './helpers/storage';

/** As RawNode.transferLeadership(transferee) on node `at`. */
function transfer(at: number, transferee: number) {
  return newMessage(MessageType.TransferLeader, { from: transferee, to: at });
}

function elected(opts: { preVote?: boolean; checkQuorum?: boolean } = {}): Network {
  const nt = Network.ofSize(3, { node: { preVote: opts.preVote ?? false, checkQuorum: opts.checkQuorum ?? false } });
  nt.send(hup(1));
  return nt;
}

function expectLeader(nt: Network, id: number): void {
  expect(nt.leaders()).toEqual([id]);
  for (const r of nt.nodes.values()) {
    expect(r.lead).toBe(id);
    expect(r.leadTransferee).toBe(NONE);
  }
}

describe('successful transfers', () => {
  test('to an up-to-date follower: TimeoutNow makes it campaign at once and win the next term', () => {
    const nt = elected();
    nt.send(transfer(1, 2));
    expect(nt.delivered.some((m) => m.type === MessageType.TimeoutNow && m.to === 2)).toBe(true);
    expectLeader(nt, 2);
    expect(nt.peer(2).term).toBe(2);
  });

  test('requested on a follower: it forwards the request and the named node (not the forwarder) takes over', () => {
    const nt = elected();
    nt.send(transfer(3, 2));
    expectLeader(nt, 2);
    // The forwarded request travels under the follower's own id: peers authenticate senders.
    const fwd = nt.delivered.find((m) => m.type === MessageType.TransferLeader && m.to === 1);
    expect(fwd).toMatchObject({ from: 3, index: 2 });
  });

  test('requested on the transferee itself while it follows: it takes over', () => {
    const nt = elected();
    nt.send(transfer(3, 3));
    expectLeader(nt, 3);
  });

  test('to a lagging follower: the leader first brings its log up to date, only then sends TimeoutNow', () => {
    const nt = elected();
    nt.isolate(3);
    nt.send(prop(1, 'a'), prop(1, 'b'));
    nt.recover();
    const last = nt.peer(1).raftLog.lastIndex();
    nt.send(transfer(1, 3));
    expectLeader(nt, 3);
    const caughtUp = nt.delivered.findIndex((m) => m.type === MessageType.AppResp && m.from === 3 && m.index === last);
    const timeoutNow = nt.delivered.findIndex((m) => m.type === MessageType.TimeoutNow);
    expect(caughtUp).toBeGreaterThanOrEqual(0);
    expect(timeoutNow).toBeGreaterThan(caughtUp);
  });

  test('to a follower that needs a snapshot: the snapshot goes first, then the transfer completes', () => {
    const nt = elected();
    nt.isolate(3);
    for (let i = 0; i < 10; i++) nt.send(prop(1, `v${i}`));
    const leader = nt.peer(1);
    const st = storageOf(leader);
    st.createSnapshot(leader.raftLog.applied, leader.trk.confState(), bytes('state'));
    st.compact(leader.raftLog.applied);
    nt.recover();
    nt.tick(1); // the leader hears from 3 again (a snapshot only goes to a live peer)
    nt.send(transfer(1, 3));
    expect(nt.delivered.some((m) => m.type === MessageType.Snap && m.to === 3)).toBe(true);
    expectLeader(nt, 3);
  });

  test('with PreVote and CheckQuorum on, the transferee skips the pre-vote and the followers’ leases', () => {
    const nt = elected({ preVote: true, checkQuorum: true });
    const mark = nt.delivered.length;
    nt.send(transfer(1, 2));
    expectLeader(nt, 2);
    const after = nt.delivered.slice(mark);
    expect(after.some((m) => m.type === MessageType.PreVote)).toBe(false);
    expect(after.some((m) => m.type === MessageType.Vote && m.from === 2)).toBe(true);
  });
});

describe('refused or abandoned transfers', () => {
  test('proposals are refused while a transfer is under way', () => {
    const r = newRaft({ id: 1 });
    settleAsLeader(r);
    r.step(transfer(1, 2));
    expect(r.leadTransferee).toBe(2);
    expect(() => r.step(prop(1, 'x'))).toThrow(RaftError);
    try {
      r.step(prop(1, 'x'));
    } catch (e) {
      expect((e as RaftError).code).toBe('ProposalDropped');
    }
  });

  test('a transfer that does not finish within an election timeout is abandoned and proposals flow again', () => {
    const nt = elected();
    nt.isolate(3);
    nt.send(transfer(1, 3));
    const leader = nt.peer(1);
    expect(leader.leadTransferee).toBe(3);
    nt.send(prop(1, 'during'));
    expect(nt.errors.map((e) => e.code)).toEqual(['ProposalDropped']);
    nt.tick(1, leader.cfg.electionTick);
    expect(leader.leadTransferee).toBe(NONE);
    expect(leader.state).toBe(StateType.Leader);
    const before = leader.raftLog.lastIndex();
    nt.send(prop(1, 'after'));
    expect(leader.raftLog.lastIndex()).toBe(before + 1);
  });

  test('repeating a transfer to the same node does not extend its deadline', () => {
    const nt = elected();
    nt.isolate(3);
    nt.send(transfer(1, 3));
    const leader = nt.peer(1);
    const et = leader.cfg.electionTick;
    nt.tick(1, et / 2);
    nt.send(transfer(1, 3));
    nt.tick(1, et - et / 2);
    expect(leader.leadTransferee).toBe(NONE);
  });

  test('a transfer to another node replaces the pending one', () => {
    const nt = elected();
    nt.isolate(3);
    nt.send(transfer(1, 3));
    nt.recover();
    nt.cut(1, 3);
    nt.send(transfer(1, 2));
    expectLeader(nt, 2);
  });

  test.each([
    ['itself', 1],
    ['a learner', 3],
    ['an unknown node', 9],
  ])('a transfer to %s is ignored', (_name, target) => {
    const r = newRaft({ id: 1, peers: [1, 2], learners: [3] });
    settleAsLeader(r);
    r.step(transfer(1, target));
    expect(r.leadTransferee).toBe(NONE);
    expect(r.state).toBe(StateType.Leader);
    expect(takeMessages(r)).toEqual([]);
    r.step(prop(1, 'x')); // not blocked
  });

  test('a transfer to a learner requested through a follower is ignored too', () => {
    const peers = [1, 2];
    const nt = new Network([1, 2, 3].map((id) => newRaft({ id, peers, learners: [3] })));
    nt.send(hup(1));
    nt.send(transfer(2, 3));
    expect(nt.peer(1).leadTransferee).toBe(NONE);
    expect(nt.leaders()).toEqual([1]);
  });

  test('a follower that knows no leader drops the request', () => {
    const r = newRaft({ id: 3 });
    r.step(transfer(3, 2));
    expect(takeMessages(r)).toEqual([]);
  });

  test('removing the transferee aborts the transfer', () => {
    const r = newRaft({ id: 1 });
    settleAsLeader(r);
    r.step(prop(1, 'x')); // 3 has not stored it yet, so the transfer has to wait
    r.step(transfer(1, 3));
    expect(r.leadTransferee).toBe(3);
    r.applyConfChange({ type: ConfChangeType.RemoveNode, nodeId: 3, context: new Uint8Array(0) });
    expect(r.leadTransferee).toBe(NONE);
  });

  test('a leader that steps down for any reason forgets its transfer', () => {
    const r = newRaft({ id: 1 });
    settleAsLeader(r);
    r.step(prop(1, 'x'));
    takeMessages(r);
    r.step(transfer(1, 3));
    expect(r.leadTransferee).toBe(3);
    r.step(newMessage(MessageType.App, { from: 2, to: 1, term: r.term + 1 }));
    expect(r.leadTransferee).toBe(NONE);
  });
});

// ReadIndex (thesis §6.4): a linearizable read without a log entry. The
// leader records its commit index, confirms with a heartbeat round that a
// quorum still follows it, and only then releases the read.

import { MessageType, newMessage, ReadState, StateType } from '../../lib/raft/core/types';
import { acceptAppend, hup, newRaft, ofType, prop, readIndexReq, settleAsLeader, takeMessages } from './helpers/factory';
import { Network } from './helpers/network';
import { bytes, text } from './helpers/storage';

const reads = (rs: ReadState[]) => rs.map((s) => [s.index, text(s.requestCtx)]);

function heartbeatAck(from: number, term: number, ctx: string) {
  return newMessage(MessageType.HeartbeatResp, { from, to: 1, term, context: bytes(ctx) });
}

describe('on the leader', () => {
  test('a read waits for a quorum to acknowledge a heartbeat carrying its context, then yields the commit index', () => {
    const r = newRaft({ id: 1 });
    settleAsLeader(r);
    const commit = r.raftLog.committed;
    r.step(readIndexReq(1, 'ctx1'));
    const hbs = ofType(takeMessages(r), MessageType.Heartbeat);
    expect(hbs.map((m) => [m.to, text(m.context ?? new Uint8Array())]).sort()).toEqual([
      [2, 'ctx1'],
      [3, 'ctx1'],
    ]);
    expect(r.readStates).toEqual([]);
    r.step(heartbeatAck(2, r.term, 'ctx1'));
    expect(reads(r.readStates)).toEqual([[commit, 'ctx1']]);
    r.step(heartbeatAck(3, r.term, 'ctx1'));
    expect(r.readStates).toHaveLength(1);
  });

  test('the read index is the commit index when the read arrived, even if more commits before it is confirmed', () => {
    const r = newRaft({ id: 1 });
    settleAsLeader(r);
    const commit = r.raftLog.committed;
    r.step(readIndexReq(1, 'ctx'));
    takeMessages(r);
    r.step(prop(1, 'x'));
    for (const m of takeMessages(r)) if (m.type === MessageType.App) r.step(acceptAppend(m));
    expect(r.raftLog.committed).toBe(commit + 1);
    r.step(heartbeatAck(2, r.term, 'ctx'));
    expect(reads(r.readStates)).toEqual([[commit, 'ctx']]);
  });

  test('a read is held until the new leader has committed an entry of its own term', () => {
    const r = newRaft({ id: 1, terms: [1, 1], term: 1, commit: 1 });
    r.becomeCandidate();
    r.becomeLeader();
    r.bcastAppend();
    const apps = ofType(takeMessages(r), MessageType.App);
    r.step(readIndexReq(1, 'early'));
    // Its commit index (1) may lag the real one: no heartbeat round for the read yet.
    expect(takeMessages(r).filter((m) => m.context !== undefined)).toEqual([]);
    for (const m of apps) r.step(acceptAppend(m));
    expect(r.raftLog.committed).toBe(3);
    const hbs = ofType(takeMessages(r), MessageType.Heartbeat);
    expect(hbs.map((m) => text(m.context ?? new Uint8Array()))).toEqual(['early', 'early']);
    r.step(heartbeatAck(2, r.term, 'early'));
    expect(reads(r.readStates)).toEqual([[3, 'early']]);
  });

  test('later acknowledgements release every read queued before, in order', () => {
    const r = newRaft({ id: 1 });
    settleAsLeader(r);
    r.step(readIndexReq(1, 'a'));
    r.step(readIndexReq(1, 'b'));
    r.step(heartbeatAck(2, r.term, 'b'));
    expect(reads(r.readStates).map((x) => x[1])).toEqual(['a', 'b']);
  });

  test('a learner’s acknowledgement does not count toward the quorum', () => {
    const r = newRaft({ id: 1, peers: [1, 2, 3], learners: [4] });
    settleAsLeader(r);
    r.step(readIndexReq(1, 'ctx'));
    r.step(heartbeatAck(4, r.term, 'ctx'));
    expect(r.readStates).toEqual([]);
    r.step(heartbeatAck(3, r.term, 'ctx'));
    expect(r.readStates).toHaveLength(1);
  });

  test('a leader of a single-voter cluster answers at once', () => {
    const r = newRaft({ id: 1, peers: [1] });
    r.step(hup(1));
    r.step(readIndexReq(1, 'ctx'));
    expect(reads(r.readStates)).toEqual([[r.raftLog.committed, 'ctx']]);
    expect(takeMessages(r).filter((m) => m.type === MessageType.Heartbeat)).toEqual([]);
  });

  test('a leader that loses office forgets its pending reads', () => {
    const r = newRaft({ id: 1 });
    settleAsLeader(r);
    r.step(readIndexReq(1, 'ctx'));
    r.step(newMessage(MessageType.App, { from: 2, to: 1, term: r.term + 1 }));
    expect(r.state).toBe(StateType.Follower);
    r.becomeCandidate();
    r.becomeLeader();
    settleAsLeader(r);
    r.step(heartbeatAck(2, r.term, 'ctx'));
    r.step(heartbeatAck(3, r.term, 'ctx'));
    expect(r.readStates).toEqual([]);
  });
});

describe('elsewhere', () => {
  test('a read asked of a follower is forwarded to the leader and answered to that follower', () => {
    const nt = Network.ofSize(3);
    nt.send(hup(1));
    nt.send(readIndexReq(2, 'ctx'));
    expect(reads(nt.peer(2).readStates)).toEqual([[nt.peer(1).raftLog.committed, 'ctx']]);
    expect(nt.peer(1).readStates).toEqual([]);
    expect(nt.peer(3).readStates).toEqual([]);
  });

  test('without a quorum there is no answer; the next heartbeat round after healing gives it', () => {
    const nt = Network.ofSize(3);
    nt.send(hup(1));
    nt.cut(1, 2);
    nt.cut(1, 3);
    nt.send(readIndexReq(1, 'ctx'));
    expect(nt.peer(1).readStates).toEqual([]);
    nt.recover();
    nt.tick(1);
    expect(reads(nt.peer(1).readStates)).toEqual([[nt.peer(1).raftLog.committed, 'ctx']]);
  });

  test('a follower that knows no leader and a candidate drop read requests', () => {
    const f = newRaft({ id: 2 });
    f.step(readIndexReq(2, 'ctx'));
    const c = newRaft({ id: 3 });
    c.step(hup(3));
    takeMessages(c);
    c.step(readIndexReq(3, 'ctx'));
    for (const r of [f, c]) {
      expect(takeMessages(r)).toEqual([]);
      expect(r.readStates).toEqual([]);
    }
  });
});

// RawNode and its Ready contract: what the driver must persist, send and
// apply, when it must fsync, and what advance() acknowledges.

import { decodeConfChange } from '../../lib/raft/codec';
import { RaftError } from '../../lib/raft/core/errors';
import { ConfChangeType, EntryType, MessageType, newMessage, Snapshot, StateType } from '../../lib/raft/core/types';
import { handleReady, drain } from './helpers/driver';
import { newRawNode, storageOf } from './helpers/factory';
import { bytes, entriesOfTerms, entry, text } from './helpers/storage';

function bootstrappedLeader() {
  const rn = newRawNode({ id: 1, peers: [] });
  rn.bootstrap([1]);
  drain(rn);
  rn.campaign();
  drain(rn);
  expect(rn.raft.state).toBe(StateType.Leader);
  return rn;
}

describe('bootstrap', () => {
  test('a fresh node has nothing to do', () => {
    const rn = newRawNode({ id: 1 });
    expect(rn.hasReady()).toBe(false);
  });

  test('writes one committed AddVoter entry per peer at term 1, handed out to persist and to apply', () => {
    const rn = newRawNode({ id: 1, peers: [] });
    rn.bootstrap([1, 2, 3]);
    expect(rn.hasReady()).toBe(true);
    const rd = rn.ready();
    expect(rd.entries.map((e) => [e.index, e.term, e.type])).toEqual([
      [1, 1, EntryType.ConfChange],
      [2, 1, EntryType.ConfChange],
      [3, 1, EntryType.ConfChange],
    ]);
    expect(rd.entries.map((e) => decodeConfChange(e.data).nodeId)).toEqual([1, 2, 3]);
    expect(rd.committedEntries.map((e) => e.index)).toEqual([1, 2, 3]);
    expect(rd.hardState).toEqual({ term: 1, vote: 0, commit: 3 });
    expect(rd.mustSync).toBe(true);
    expect(rn.status().config).toEqual({ voters: [1, 2, 3], learners: [] });
  });

  test('refuses an empty peer list and a log that is not empty', () => {
    expect(() => newRawNode({ id: 1, peers: [] }).bootstrap([])).toThrow();
    expect(() => newRawNode({ id: 1, terms: [1] }).bootstrap([1])).toThrow();
  });
});

describe('Ready', () => {
  test('after winning an election: the new role, the vote to persist and the no-op to persist and apply', () => {
    const rn = newRawNode({ id: 1, peers: [] });
    rn.bootstrap([1]);
    drain(rn);
    rn.campaign();
    const rd = rn.ready();
    expect(rd.softState).toEqual({ lead: 1, state: StateType.Leader });
    expect(rd.hardState).toEqual({ term: 2, vote: 1, commit: 2 });
    expect(rd.entries.map((e) => [e.index, e.term, e.data.length])).toEqual([[2, 2, 0]]);
    expect(rd.committedEntries.map((e) => e.index)).toEqual([2]);
    expect(rd.mustSync).toBe(true);
  });

  test('carries softState and hardState only when they changed', () => {
    const rn = bootstrappedLeader();
    rn.propose(bytes('a'));
    const rd = rn.ready();
    expect(rd.softState).toBeUndefined();
    expect(rd.hardState).toEqual(expect.objectContaining({ commit: 3 }));
    rn.advance(rd);
    for (let i = 0; i < 5; i++) rn.tick();
    expect(rn.hasReady()).toBe(false);
    const idle = rn.ready();
    expect(idle.hardState).toBeUndefined();
    expect(idle.softState).toBeUndefined();
  });

  test('mustSync is set when term, vote or entries change, not when only the commit index moves', () => {
    const rn = newRawNode({ id: 2, terms: [1, 1, 1], term: 1, commit: 1 });
    rn.raft.becomeFollower(1, 1);
    drain(rn);

    rn.step(newMessage(MessageType.Heartbeat, { from: 1, to: 2, term: 1, commit: 3 }));
    let rd = handleReady(rn);
    expect(rd.hardState).toEqual({ term: 1, vote: 0, commit: 3 });
    expect(rd.mustSync).toBe(false);

    rn.step(newMessage(MessageType.App, { from: 1, to: 2, term: 1, index: 3, logTerm: 1, entries: [entry(4, 1, 'x')], commit: 3 }));
    rd = handleReady(rn);
    expect(rd.hardState).toBeUndefined();
    expect(rd.mustSync).toBe(true);

    rn.step(newMessage(MessageType.Vote, { from: 3, to: 2, term: 5, index: 4, logTerm: 1 }));
    rd = handleReady(rn);
    expect(rd.entries).toEqual([]);
    expect(rd.hardState).toEqual({ term: 5, vote: 3, commit: 3 });
    expect(rd.mustSync).toBe(true);
  });

  test('the core never writes storage: an acknowledgement comes in the same Ready as the entries it covers', () => {
    const rn = newRawNode({ id: 2, terms: [1], term: 1 });
    rn.raft.becomeFollower(1, 1);
    drain(rn);
    rn.step(newMessage(MessageType.App, { from: 1, to: 2, term: 1, index: 1, logTerm: 1, entries: entriesOfTerms([1, 1], 2) }));
    expect(storageOf(rn.raft).lastIndex()).toBe(1);
    const rd = rn.ready();
    expect(rd.entries.map((e) => e.index)).toEqual([2, 3]);
    expect(rd.messages).toEqual([expect.objectContaining({ type: MessageType.AppResp, index: 3 })]);
  });

  test('committed entries come out in log order, each exactly once across Readies', () => {
    const rn = bootstrappedLeader();
    const seen: string[] = [];
    const indexes: number[] = [];
    for (const batch of [['a', 'b'], ['c'], [], ['d', 'e', 'f']]) {
      for (const d of batch) rn.propose(bytes(d));
      for (const rd of drain(rn)) {
        for (const e of rd.committedEntries) {
          indexes.push(e.index);
          seen.push(text(e.data));
        }
      }
    }
    expect(seen).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(indexes).toEqual([3, 4, 5, 6, 7, 8]);
  });

  test('maxCommittedSizePerReady spreads a large backlog of committed entries over several Readies', () => {
    const ents = Array.from({ length: 5 }, (_, i) => entry(i + 1, 1, 'x'.repeat(100)));
    const rn = newRawNode({ id: 1, entries: ents, commit: 5, config: { maxCommittedSizePerReady: 250 } });
    const sizes = drain(rn).map((rd) => rd.committedEntries.map((e) => e.index));
    expect(sizes).toEqual([[1, 2], [3, 4], [5]]);
  });

  test('a restarted node does not hand out entries it already applied', () => {
    const rn = newRawNode({ id: 1, terms: [1, 1, 1, 1, 1], commit: 5, config: { applied: 3 } });
    const rd = rn.ready();
    expect(rd.committedEntries.map((e) => e.index)).toEqual([4, 5]);
  });

  test('read states come out once, in the next Ready', () => {
    const rn = bootstrappedLeader();
    rn.readIndex(bytes('ctx'));
    const rd = handleReady(rn);
    expect(rd.readStates.map((s) => [s.index, text(s.requestCtx)])).toEqual([[rn.raft.raftLog.committed, 'ctx']]);
    expect(rn.hasReady()).toBe(false);
    expect(rn.ready().readStates).toEqual([]);
  });

  test('a snapshot from the leader comes out to persist (with fsync); advance makes it the applied index', () => {
    const rn = newRawNode({ id: 2 });
    rn.raft.becomeFollower(1, 1);
    drain(rn);
    const snapshot: Snapshot = { metadata: { index: 20, term: 1, confState: { voters: [1, 2, 3], learners: [] } }, data: bytes('s') };
    rn.step(newMessage(MessageType.Snap, { from: 1, to: 2, term: 1, snapshot }));
    const rd = handleReady(rn);
    expect(rd.snapshot?.metadata.index).toBe(20);
    expect(rd.mustSync).toBe(true);
    expect(rd.committedEntries).toEqual([]);
    expect(rd.messages).toEqual([expect.objectContaining({ type: MessageType.AppResp, index: 20 })]);
    expect(rn.raft.raftLog.applied).toBe(20);
    expect(storageOf(rn.raft).firstIndex()).toBe(21);
    expect(rn.hasReady()).toBe(false);
  });
});

describe('advance', () => {
  test('acknowledges everything in the Ready: nothing of it is handed out again', () => {
    const rn = bootstrappedLeader();
    rn.propose(bytes('a'));
    const rd = handleReady(rn);
    expect(rd.entries).toHaveLength(1);
    expect(rd.committedEntries).toHaveLength(1);
    expect(rn.raft.raftLog.applied).toBe(rd.committedEntries[0].index);
    expect(rn.raft.raftLog.unstableEntries()).toEqual([]);
    expect(rn.hasReady()).toBe(false);
  });

  test('entries handed out but not yet acknowledged stay unstable and are handed out again', () => {
    const rn = bootstrappedLeader();
    rn.propose(bytes('a'));
    const first = rn.ready();
    const again = rn.ready();
    expect(again.entries.map((e) => e.index)).toEqual(first.entries.map((e) => e.index));
  });
});

describe('the other entry points', () => {
  test('stepping a local message type is refused', () => {
    const rn = newRawNode({ id: 1 });
    for (const type of [MessageType.Hup, MessageType.Beat, MessageType.CheckQuorum]) {
      expect(() => rn.step(newMessage(type, { from: 1, to: 1 }))).toThrow(expect.objectContaining({ code: 'StepLocalMsg' }));
    }
    expect(() => rn.step(newMessage(MessageType.Hup))).toThrow(RaftError);
  });

  test('responses from peers outside the configuration are dropped', () => {
    const rn = bootstrappedLeader();
    rn.step(newMessage(MessageType.AppResp, { from: 9, to: 1, term: rn.raft.term, index: 100 }));
    rn.step(newMessage(MessageType.HeartbeatResp, { from: 9, to: 1, term: rn.raft.term }));
    expect(rn.hasReady()).toBe(false);
  });

  test('status: progress of every member on the leader only', () => {
    const follower = newRawNode({ id: 2 });
    expect(follower.status().progress).toBeUndefined();
    const rn = newRawNode({ id: 1, peers: [] });
    rn.bootstrap([1, 2]);
    drain(rn);
    rn.campaign();
    drain(rn);
    rn.step(newMessage(MessageType.VoteResp, { from: 2, to: 1, term: rn.raft.term }));
    drain(rn);
    const st = rn.status();
    expect(st.softState.state).toBe(StateType.Leader);
    expect([...(st.progress?.keys() ?? [])].sort()).toEqual([1, 2]);
    expect(st.progress?.get(1)).toEqual(expect.objectContaining({ match: rn.raft.raftLog.lastIndex(), state: 'replicate' }));
    expect(st.progress?.get(2)).toEqual(expect.objectContaining({ state: 'probe', isLearner: false }));
  });

  test('a conf change proposed and applied through RawNode changes the configuration', () => {
    const rn = bootstrappedLeader();
    rn.proposeConfChange({ type: ConfChangeType.AddLearner, nodeId: 2, context: bytes('addr') });
    const rds = drain(rn);
    const cc = rds.flatMap((rd) => rd.committedEntries).find((e) => e.type === EntryType.ConfChange);
    expect(cc && text(decodeConfChange(cc.data).context)).toBe('addr');
    expect(rn.status().config).toEqual({ voters: [1], learners: [2] });
    // The leader reaches out to the new member by its next heartbeat at the latest.
    for (let i = 0; i < rn.raft.cfg.heartbeatTick; i++) rn.tick();
    expect(drain(rn).flatMap((rd) => rd.messages).some((m) => m.to === 2)).toBe(true);
  });

  test('reportUnreachable moves a replicating peer back to probing; transferLeadership starts a transfer', () => {
    const rn = newRawNode({ id: 1, peers: [] });
    rn.bootstrap([1, 2]);
    drain(rn);
    rn.campaign();
    drain(rn);
    rn.step(newMessage(MessageType.VoteResp, { from: 2, to: 1, term: rn.raft.term }));
    const app = drain(rn)
      .flatMap((rd) => rd.messages)
      .find((m) => m.type === MessageType.App);
    if (!app) throw new Error('no append');
    rn.step(newMessage(MessageType.AppResp, { from: 2, to: 1, term: rn.raft.term, index: app.index + app.entries.length }));
    drain(rn);
    expect(rn.status().progress?.get(2)?.state).toBe('replicate');
    rn.reportUnreachable(2);
    expect(rn.status().progress?.get(2)?.state).toBe('probe');
    rn.transferLeadership(2);
    expect(rn.status().leadTransferee).toBe(2);
  });
});

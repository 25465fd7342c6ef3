// Flow control toward followers (etcd's Progress/Inflights): one probe at a
// time while the match is unknown, a bounded pipeline once it is known,
// size limits per message and on uncommitted data, and fast backtracking
// over divergent logs.

import { RaftError } from '../../lib/raft/core/errors';
import { ProgressState } from '../../lib/raft/core/progress';
import { Raft } from '../../lib/raft/core/raft';
import { MessageType, newMessage } from '../../lib/raft/core/types';
import { acceptAppend, applyCommitted, hup, logTerms, newRaft, persist, prop, settleAsLeader, takeMessages } from './helpers/factory';
import { BLACKHOLE, Network } from './helpers/network';
import { entry } from './helpers/storage';

const appsTo = (r: Raft, to: number) => takeMessages(r).filter((m) => m.type === MessageType.App && m.to === to);
const hundredBytes = 'x'.repeat(100);

function progressOf(r: Raft, id: number) {
  const pr = r.trk.progress.get(id);
  if (!pr) throw new Error(`no progress for ${id}`);
  return pr;
}

describe('the replication pipeline', () => {
  test('in Replicate state at most maxInflightMsgs appends are in flight; further proposals wait', () => {
    const r = newRaft({ id: 1, config: { maxInflightMsgs: 3 } });
    settleAsLeader(r);
    expect(progressOf(r, 2).state).toBe(ProgressState.Replicate);
    for (let i = 0; i < 10; i++) r.step(prop(1, `p${i}`));
    expect(appsTo(r, 2)).toHaveLength(3);
    expect(progressOf(r, 2).isPaused()).toBe(true);
  });

  test('an acknowledgement frees the slots it covers and replication resumes as far as they allow', () => {
    const r = newRaft({ id: 1, config: { maxInflightMsgs: 3, maxSizePerMsg: 1 } });
    settleAsLeader(r);
    for (let i = 0; i < 10; i++) r.step(prop(1, `p${i}`));
    const first = appsTo(r, 2);
    expect(first.map((m) => m.entries.length)).toEqual([1, 1, 1]);
    r.step(acceptAppend(first[0]));
    const second = appsTo(r, 2);
    expect(second).toHaveLength(1);
    expect(second[0].entries[0].index).toBe(first[2].entries[0].index + 1);
    // An ack covering two in-flight messages frees two slots.
    r.step(acceptAppend(first[2]));
    expect(appsTo(r, 2)).toHaveLength(2);
  });

  test('a heartbeat answer to a full pipeline lets exactly one more append out, so a lost window cannot stall it', () => {
    const r = newRaft({ id: 1, config: { maxInflightMsgs: 2 } });
    settleAsLeader(r);
    for (let i = 0; i < 5; i++) r.step(prop(1, `p${i}`));
    expect(appsTo(r, 2)).toHaveLength(2);
    for (let round = 0; round < 3; round++) {
      r.step(newMessage(MessageType.HeartbeatResp, { from: 2, to: 1, term: r.term }));
      expect(appsTo(r, 2)).toHaveLength(1);
      expect(progressOf(r, 2).isPaused()).toBe(true);
      r.step(prop(1, 'more'));
      expect(appsTo(r, 2)).toEqual([]);
    }
  });

  test('maxInflightBytes pauses the pipeline by payload bytes', () => {
    const r = newRaft({ id: 1, config: { maxInflightBytes: 200 } });
    settleAsLeader(r);
    for (let i = 0; i < 4; i++) r.step(prop(1, hundredBytes));
    expect(appsTo(r, 2)).toHaveLength(2);
    expect(progressOf(r, 2).isPaused()).toBe(true);
  });

  test('maxSizePerMsg bounds the entries of one append, but a single larger entry still goes out', () => {
    const ents = Array.from({ length: 6 }, (_, i) => entry(i + 1, 1, i === 5 ? 'y'.repeat(1000) : hundredBytes));
    const r = newRaft({ id: 1, entries: ents, config: { maxSizePerMsg: 250 } });
    r.becomeCandidate();
    r.becomeLeader();
    takeMessages(r);
    // Follower 2 has nothing: probing walks back to the start, then pipelines.
    r.step(newMessage(MessageType.AppResp, { from: 2, to: 1, term: r.term, index: 6, reject: true, rejectHint: 0 }));
    const [probe] = appsTo(r, 2);
    expect(probe.entries.map((e) => e.index)).toEqual([1, 2]);
    r.step(acceptAppend(probe));
    const pipelined = appsTo(r, 2);
    expect(pipelined.map((m) => m.entries.map((e) => e.index))).toEqual([[3, 4], [5], [6], [7]]);
  });

  test('in Probe state a single append is in flight until the follower answers (or a heartbeat answer shows it is alive)', () => {
    const r = newRaft({ id: 1 });
    r.becomeCandidate();
    r.becomeLeader();
    r.bcastAppend();
    expect(appsTo(r, 2)).toHaveLength(1);
    for (let i = 0; i < 3; i++) r.step(prop(1, `p${i}`));
    expect(appsTo(r, 2)).toEqual([]);
    r.step(newMessage(MessageType.HeartbeatResp, { from: 2, to: 1, term: r.term }));
    expect(appsTo(r, 2)).toHaveLength(1);
  });

  test('a rejection for an index already known to match is stale and ignored', () => {
    const r = newRaft({ id: 1 });
    settleAsLeader(r);
    r.step(prop(1, 'a'));
    const [app] = appsTo(r, 2);
    r.step(acceptAppend(app));
    takeMessages(r);
    const pr = progressOf(r, 2);
    const next = pr.next;
    r.step(newMessage(MessageType.AppResp, { from: 2, to: 1, term: r.term, index: 1, reject: true, rejectHint: 0 }));
    expect(pr.state).toBe(ProgressState.Replicate);
    expect(pr.next).toBe(next);
    expect(takeMessages(r)).toEqual([]);
  });
});

describe('leaving and re-entering the pipeline', () => {
  test('an unreachable follower goes back to Probe', () => {
    const r = newRaft({ id: 1 });
    settleAsLeader(r);
    r.step(newMessage(MessageType.Unreachable, { from: 2 }));
    expect(progressOf(r, 2).state).toBe(ProgressState.Probe);
  });

  test('an up-to-date follower left in Probe returns to Replicate on its next answer, and the traffic stops', () => {
    const nt = Network.ofSize(3, { maxDeliveries: 200 });
    nt.send(hup(1));
    nt.send(prop(1, 'a'));
    const leader = nt.peer(1);
    leader.step(newMessage(MessageType.Unreachable, { from: 2 }));
    const mark = nt.delivered.length;
    nt.tick(1); // heartbeat → answer → probe → answer
    expect(progressOf(leader, 2).state).toBe(ProgressState.Replicate);
    expect(nt.delivered.length - mark).toBeLessThan(12);
  });
});

describe('fast backtracking', () => {
  // Leader and follower logs (terms by index); the leader takes office in the
  // next term. Each round trip must skip at least a whole divergent term.
  test.each([
    ['follower has a tail of an older term', [1, 1, 1, 3, 3, 3, 3, 3, 3, 3], [1, 1, 1, 2, 2, 2, 2, 2, 2, 2], 1],
    ['follower is longer, with several old terms', [1, 1, 1, 5, 5, 5, 5, 5, 5], [1, 1, 1, 2, 2, 3, 3, 4, 4, 4, 4, 4], 1],
    ['leader has one entry per term', [1, 2, 3, 4, 5, 6, 7, 8], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1], 1],
    ['follower is simply behind', [1, 1, 1, 1, 1], [1], 1],
    ['both diverge over two terms', [1, 1, 3, 3, 3, 5, 5], [1, 1, 2, 2, 4, 4], 2],
  ])('%s: %p vs %p needs %p rejection(s)', (_name, leaderTerms, followerTerms, rejections) => {
    const term = Math.max(...leaderTerms, ...followerTerms);
    const leader = newRaft({ id: 1, terms: leaderTerms, term, commit: 1 });
    const follower = newRaft({ id: 2, terms: followerTerms, term, commit: 1 });
    const nt = new Network([leader, follower, BLACKHOLE]);
    leader.becomeCandidate();
    leader.becomeLeader();
    persist(leader);
    nt.flush(1);
    leader.bcastAppend();
    nt.flush(1);
    const rejects = nt.delivered.filter((m) => m.type === MessageType.AppResp && m.reject);
    expect(rejects).toHaveLength(rejections);
    expect(logTerms(follower)).toEqual(logTerms(leader));
  });
});

describe('uncommitted size limit', () => {
  test('proposals beyond maxUncommittedEntriesSize are dropped until entries commit and are applied', () => {
    const r = newRaft({ id: 1, config: { maxUncommittedEntriesSize: 300 } });
    settleAsLeader(r);
    for (let i = 0; i < 3; i++) r.step(prop(1, hundredBytes));
    expect(() => r.step(prop(1, hundredBytes))).toThrow(RaftError);
    for (const m of takeMessages(r)) if (m.type === MessageType.App) r.step(acceptAppend(m));
    persist(r);
    applyCommitted(r);
    r.step(prop(1, hundredBytes));
  });

  test('a single entry larger than the limit is accepted when nothing is uncommitted, so it is never stuck', () => {
    const r = newRaft({ id: 1, config: { maxUncommittedEntriesSize: 50 } });
    settleAsLeader(r);
    r.step(prop(1, hundredBytes));
    expect(() => r.step(prop(1, 'z'))).toThrow(RaftError);
  });
});

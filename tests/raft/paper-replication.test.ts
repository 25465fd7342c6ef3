// Raft paper §5.3 (log replication). Plain Raft: PreVote and CheckQuorum off.

import { EntryType, MessageType, newMessage, StateType } from '../../lib/raft/core/types';
import {
  acceptAppend,
  hup,
  logTerms,
  newRaft,
  ofType,
  prop,
  settleAsLeader,
  sortByTo,
  summary,
  takeMessages,
} from './helpers/factory';
import { BLACKHOLE, Network } from './helpers/network';
import { entriesOfTerms, entry, text } from './helpers/storage';

const ids = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('§5.3 the leader replicates', () => {
  test('an idle leader sends a heartbeat to every follower once per heartbeat interval', () => {
    const r = newRaft({ id: 1, heartbeatTick: 3 });
    settleAsLeader(r);
    for (let round = 0; round < 3; round++) {
      r.tick();
      r.tick();
      expect(takeMessages(r)).toEqual([]);
      r.tick();
      expect(sortByTo(takeMessages(r)).map(summary)).toEqual(
        [2, 3].map((to) => ({
          type: 'Heartbeat',
          from: 1,
          to,
          term: 1,
          logTerm: 0,
          index: 0,
          commit: 1,
          reject: false,
          entries: [],
        })),
      );
    }
  });

  test('a heartbeat never tells a follower to commit beyond what it is known to hold', () => {
    const r = newRaft({ id: 1 });
    r.becomeCandidate();
    r.becomeLeader();
    r.bcastAppend();
    // Only follower 2 stores the no-op: it commits with the leader, follower 3 is unknown.
    for (const m of takeMessages(r)) if (m.to === 2) r.step(acceptAppend(m));
    expect(r.raftLog.committed).toBe(1);
    takeMessages(r);
    r.tick();
    const commits = Object.fromEntries(ofType(takeMessages(r), MessageType.Heartbeat).map((m) => [m.to, m.commit]));
    expect(commits).toEqual({ 2: 1, 3: 0 });
  });

  test('the leader appends a proposal to its log, then sends it with the preceding entry’s index and term to every follower', () => {
    const r = newRaft({ id: 1 });
    settleAsLeader(r);
    const li = r.raftLog.lastIndex();
    r.step(prop(1, 'some data'));
    expect(r.raftLog.lastIndex()).toBe(li + 1);
    expect(r.raftLog.committed).toBe(li);
    // The new entry waits in the unstable log for the driver to write it to stable storage.
    expect(r.raftLog.unstableEntries().map((e) => [e.index, e.term, text(e.data)])).toEqual([[li + 1, 1, 'some data']]);
    const msgs = sortByTo(takeMessages(r));
    expect(msgs.map(summary)).toEqual(
      [2, 3].map((to) => ({
        type: 'App',
        from: 1,
        to,
        term: 1,
        logTerm: 1,
        index: li,
        commit: li,
        reject: false,
        entries: [`${li + 1}@1`],
      })),
    );
    expect(text(msgs[0].entries[0].data)).toBe('some data');
  });

  test('an entry is committed once a majority stores it; the leader hands it out and announces the new commit index', () => {
    const r = newRaft({ id: 1 });
    settleAsLeader(r);
    const li = r.raftLog.lastIndex();
    r.step(prop(1, 'some data'));
    for (const m of takeMessages(r)) r.step(acceptAppend(m));
    expect(r.raftLog.committed).toBe(li + 1);
    expect(r.raftLog.nextCommittedEnts().map((e) => [e.index, text(e.data)])).toEqual([[li + 1, 'some data']]);
    const apps = sortByTo(ofType(takeMessages(r), MessageType.App));
    expect(apps.map((m) => [m.to, m.commit])).toEqual([
      [2, li + 1],
      [3, li + 1],
    ]);
  });

  // Cluster size, followers that acknowledge, whether the entry commits.
  test.each([
    [1, [], true],
    [3, [], false],
    [3, [2], true],
    [3, [2, 3], true],
    [5, [], false],
    [5, [2], false],
    [5, [2, 3], true],
    [5, [2, 3, 4], true],
    [5, [2, 3, 4, 5], true],
  ] as Array<[number, number[], boolean]>)('cluster of %p with acknowledgements from %p: committed=%p', (size, ackers, want) => {
    const r = newRaft({ id: 1, peers: ids(size) });
    settleAsLeader(r);
    const li = r.raftLog.lastIndex();
    r.step(prop(1, 'some data'));
    for (const m of takeMessages(r)) if (ackers.includes(m.to)) r.step(acceptAppend(m));
    expect(r.raftLog.committed > li).toBe(want);
  });

  test.each([[[]], [[2]], [[1, 2]], [[1]]] as Array<[number[]]>)(
    'committing an entry also commits all preceding entries, those of earlier terms included (log %p)',
    (terms) => {
      const r = newRaft({ id: 1, terms, term: 2 });
      r.becomeCandidate();
      r.becomeLeader();
      r.step(prop(1, 'some data'));
      for (const m of takeMessages(r)) r.step(acceptAppend(m));
      const li = terms.length;
      expect(r.raftLog.committed).toBe(li + 2);
      expect(r.raftLog.nextCommittedEnts().map((e) => [e.index, e.term, text(e.data)])).toEqual([
        ...terms.map((t, i) => [i + 1, t, '']),
        [li + 1, 3, ''],
        [li + 2, 3, 'some data'],
      ]);
    },
  );

  test('the leader retries until a follower that missed appends stores every entry', () => {
    const nt = Network.ofSize(3);
    nt.send(hup(1));
    nt.cut(1, 3);
    nt.send(prop(1, 'a'), prop(1, 'b'));
    expect(nt.peer(3).raftLog.lastIndex()).toBe(1);
    nt.recover();
    nt.tick(1); // a heartbeat: its answer tells the leader that 3 lags
    expect(logTerms(nt.peer(3))).toEqual(logTerms(nt.peer(1)));
    expect(nt.peer(3).raftLog.committed).toBe(nt.peer(1).raftLog.committed);
  });

  test('end to end, every node applies the same entries in the same order, whoever received the proposal', () => {
    const nt = Network.ofSize(3);
    nt.send(hup(1));
    nt.send(prop(1, 'a'));
    nt.send(prop(2, 'b')); // forwarded by the follower
    nt.send(hup(2));
    nt.send(prop(2, 'c'));
    nt.send(prop(3, 'd'));
    nt.tick(2); // a heartbeat carries the final commit index to everyone
    const leaderLog = nt.peer(2).raftLog.allEntries();
    expect(nt.peer(2).raftLog.committed).toBe(leaderLog.length);
    const want = leaderLog.map((e) => [e.index, e.term, text(e.data)]);
    expect(want.map((w) => w[2]).filter((d) => d !== '')).toEqual(['a', 'b', 'c', 'd']);
    for (const id of [1, 2, 3]) {
      const applied = [...(nt.applied.get(id) ?? new Map()).values()].map((e) => [e.index, e.term, text(e.data)]);
      expect(applied).toEqual(want);
    }
  });
});

describe('§5.3 followers', () => {
  // Entries sent, commit index sent, entries the follower then hands out as committed.
  test.each([
    [[entry(1, 1, 'a')], 1, 1],
    [[entry(1, 1, 'a'), entry(2, 1, 'b')], 2, 2],
    [[entry(1, 1, 'a'), entry(2, 1, 'b')], 1, 1],
    [[entry(1, 1, 'a'), entry(2, 1, 'b')], 0, 0],
  ])('a follower commits what the leader says is committed (%#)', (ents, commit, want) => {
    const r = newRaft({ id: 1 });
    r.becomeFollower(1, 2);
    r.step(newMessage(MessageType.App, { from: 2, to: 1, term: 1, logTerm: 0, index: 0, entries: ents, commit }));
    expect(r.raftLog.committed).toBe(want);
    expect(r.raftLog.nextCommittedEnts().map((e) => text(e.data))).toEqual(ents.slice(0, want).map((e) => text(e.data)));
  });

  test('a follower learns the commit index from heartbeats too', () => {
    const r = newRaft({ id: 1, terms: [1, 1, 1], term: 1 });
    r.becomeFollower(1, 2);
    r.step(newMessage(MessageType.Heartbeat, { from: 2, to: 1, term: 1, commit: 2 }));
    expect(r.raftLog.committed).toBe(2);
  });

  test('a follower never commits past the last entry it verified against the current leader', () => {
    // Entries 2 and 3 are left over from an old term and may not be the leader's.
    const r = newRaft({ id: 1, terms: [1, 1, 1], term: 2 });
    r.becomeFollower(2, 2);
    r.step(newMessage(MessageType.App, { from: 2, to: 1, term: 2, logTerm: 1, index: 1, entries: [], commit: 3 }));
    expect(r.raftLog.committed).toBe(1);
  });

  // The follower holds [1@1, 2@2] with entry 1 committed.
  // (prevLogIndex, prevLogTerm) of the append → the answer.
  test.each([
    ['below the commit index: answered with the commit index', 0, 0, { index: 1, reject: false, rejectHint: 0, logTerm: 0 }],
    ['matching entry 1', 1, 1, { index: 1, reject: false, rejectHint: 0, logTerm: 0 }],
    ['matching entry 2', 2, 2, { index: 2, reject: false, rejectHint: 0, logTerm: 0 }],
    ['term mismatch at 2', 2, 1, { index: 2, reject: true, rejectHint: 1, logTerm: 1 }],
    ['index 3 missing', 3, 3, { index: 3, reject: true, rejectHint: 2, logTerm: 2 }],
  ] as Array<[string, number, number, Record<string, unknown>]>)(
    'consistency check of prevLogIndex/prevLogTerm: %s',
    (_name, index, logTerm, want) => {
      const r = newRaft({ id: 1, terms: [1, 2], commit: 1 });
      r.becomeFollower(2, 2);
      r.step(newMessage(MessageType.App, { from: 2, to: 1, term: 2, logTerm, index, commit: 1 }));
      const msgs = takeMessages(r);
      expect(msgs).toHaveLength(1);
      expect(msgs[0]).toMatchObject({ type: MessageType.AppResp, to: 2, term: 2, ...want });
      // A rejected append changes nothing.
      expect(logTerms(r)).toEqual([1, 2]);
    },
  );

  // The follower holds [1@1, 2@2]; an append after (index, logTerm) with entries of these
  // terms leaves the log with these terms, and that many entries to persist.
  test.each([
    ['appends after a match', 2, 2, entriesOfTerms([3], 3), [1, 2, 3], [3]],
    ['replaces a conflicting suffix', 1, 1, entriesOfTerms([3, 4], 2), [1, 3, 4], [2, 3]],
    ['ignores entries it already has', 0, 0, entriesOfTerms([1], 1), [1, 2], []],
    ['replaces everything from the first conflict', 0, 0, entriesOfTerms([3], 1), [3], [1]],
  ] as const)('a follower %s', (_name, index, logTerm, ents, wantTerms, wantUnstable) => {
    const r = newRaft({ id: 1, terms: [1, 2] });
    r.becomeFollower(2, 2);
    r.step(newMessage(MessageType.App, { from: 2, to: 1, term: 2, logTerm, index, entries: [...ents] }));
    expect(logTerms(r)).toEqual(wantTerms);
    expect(r.raftLog.unstableEntries().map((e) => e.index)).toEqual(wantUnstable);
  });

  test('a delayed append repeating a prefix of the log does not truncate the entries after it', () => {
    const r = newRaft({ id: 1, terms: [1, 1, 1] });
    r.becomeFollower(1, 2);
    r.step(newMessage(MessageType.App, { from: 2, to: 1, term: 1, logTerm: 0, index: 0, entries: entriesOfTerms([1]) }));
    expect(logTerms(r)).toEqual([1, 1, 1]);
    expect(takeMessages(r)[0]).toMatchObject({ type: MessageType.AppResp, index: 1, reject: false });
  });
});

describe('§5.3 figure 7: the leader brings every kind of divergent follower to its log', () => {
  const leaderTerms = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
  test.each([
    ['(a) missing an entry', [1, 1, 1, 4, 4, 5, 5, 6, 6]],
    ['(b) missing many entries', [1, 1, 1, 4]],
    ['(c) one extra uncommitted entry', [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6]],
    ['(d) extra entries of a later term', [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7]],
    ['(e) missing and extra entries', [1, 1, 1, 4, 4, 4, 4]],
    ['(f) a long divergent tail of old terms', [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3]],
  ])('follower %s', (_name, followerTerms) => {
    // Term 8 is the leader's; it still needs node 3's vote when the follower's log is the more up to date.
    const leader = newRaft({ id: 1, terms: leaderTerms, term: 8, commit: leaderTerms.length });
    const follower = newRaft({ id: 2, terms: followerTerms, term: 7 });
    const nt = new Network([leader, follower, BLACKHOLE]);
    nt.send(hup(1));
    nt.send(newMessage(MessageType.VoteResp, { from: 3, to: 1, term: leader.term }));
    expect(leader.state).toBe(StateType.Leader);
    nt.send(prop(1, 'x'));
    expect(logTerms(follower)).toEqual(logTerms(leader));
    expect(logTerms(leader)).toEqual([...leaderTerms, 9, 9]);
    expect(follower.raftLog.committed).toBe(leader.raftLog.committed);
    expect(leader.raftLog.committed).toBe(leaderTerms.length + 2);
    expect(follower.raftLog.allEntries().at(-1)?.type).toBe(EntryType.Normal);
  });
});

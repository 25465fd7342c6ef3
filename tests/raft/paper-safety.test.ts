// Raft paper §5.4 (safety): the election restriction, the commit rule of
// figure 8, and the properties of figure 3 checked on lossy runs.

import { Mutation } from '../../lib/raft/core/config';
import { Raft } from '../../lib/raft/core/raft';
import { MessageType, newMessage, StateType } from '../../lib/raft/core/types';
import { hup, logTerms, newRaft, prop } from './helpers/factory';
import { Network } from './helpers/network';
import { seededRandom } from './helpers/random';
import { text } from './helpers/storage';

const ids = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('§5.4.1 election restriction', () => {
  test('a node missing a committed entry cannot be elected; the new leader holds every committed entry', () => {
    const nt = Network.ofSize(3);
    nt.send(hup(1));
    nt.cut(1, 3);
    nt.send(prop(1, 'committed'));
    const committed = nt.peer(1).raftLog.committed;
    expect(text(nt.peer(1).raftLog.allEntries()[committed - 1].data)).toBe('committed');

    nt.recover();
    nt.isolate(1); // the leader crashes
    nt.send(hup(3));
    expect(nt.peer(3).state).not.toBe(StateType.Leader);
    nt.send(hup(2));
    expect(nt.peer(2).state).toBe(StateType.Leader);
    expect(text(nt.peer(2).raftLog.allEntries()[committed - 1].data)).toBe('committed');
    nt.tick(2);
    expect(text(nt.peer(3).raftLog.allEntries()[committed - 1].data)).toBe('committed');
  });

  test('the last term decides before the length: a shorter log with a newer term wins and older uncommitted entries are overwritten', () => {
    const peers = ids(5);
    const nt = new Network([
      newRaft({ id: 1, peers, terms: [1, 1, 1] }),
      newRaft({ id: 2, peers, terms: [1, 1, 1] }),
      newRaft({ id: 3, peers, terms: [2] }),
      newRaft({ id: 4, peers, term: 2 }),
      newRaft({ id: 5, peers, term: 2 }),
    ]);
    nt.send(hup(3));
    expect(nt.peer(3).state).toBe(StateType.Leader);
    // The longer logs voted for it.
    expect(nt.peer(1).vote).toBe(3);
    expect(nt.peer(2).vote).toBe(3);
    const want = logTerms(nt.peer(3));
    expect(want).toEqual([2, nt.peer(3).term]);
    for (const r of nt.nodes.values()) expect(logTerms(r)).toEqual(want);
  });
});

describe('§5.4.2 committing entries from previous terms', () => {
  // Matches of the voters (leader first), the leader's log terms and its term → commit index.
  test.each([
    [[1], [1], 1, 1],
    [[1], [1], 2, 0],
    [[2], [1, 2], 2, 2],
    [[1], [2], 2, 1],
    [[2, 1, 1], [1, 2], 1, 1],
    [[2, 1, 1], [1, 1], 2, 0],
    [[2, 1, 2], [1, 2], 2, 2],
    [[2, 1, 2], [1, 1], 2, 0],
    [[2, 1, 1, 1], [1, 2], 1, 1],
    [[2, 1, 1, 1], [1, 1], 2, 0],
    [[2, 1, 1, 2], [1, 2], 1, 1],
    [[2, 1, 1, 2], [1, 2], 2, 0],
    [[2, 1, 2, 2], [1, 2], 2, 2],
    [[2, 1, 2, 2], [1, 1], 2, 0],
  ] as Array<[number[], number[], number, number]>)(
    'matches %p, log terms %p, leader term %p: commit index %p',
    (matches, terms, term, want) => {
      const r = newRaft({ id: 1, peers: ids(matches.length), terms, term });
      matches.forEach((m, i) => {
        const pr = r.trk.progress.get(i + 1);
        if (!pr) throw new Error('missing progress');
        pr.match = m;
        pr.next = m + 1;
      });
      r.maybeCommit();
      expect(r.raftLog.committed).toBe(want);
    },
  );

  test('a leader does not commit an old-term entry stored on a majority until an entry of its own term is', () => {
    // S1 holds [1@1, 2@2] and leads term 4 with its no-op at index 3.
    const r = newRaft({ id: 1, peers: ids(5), terms: [1, 2], term: 3, commit: 1 });
    r.becomeCandidate();
    r.becomeLeader();
    expect(logTerms(r)).toEqual([1, 2, 4]);
    const ack = (from: number, index: number) => newMessage(MessageType.AppResp, { from, to: 1, term: 4, index });
    r.step(ack(2, 2));
    r.step(ack(3, 2));
    expect(r.raftLog.committed).toBe(1);
    r.step(ack(2, 3));
    expect(r.raftLog.committed).toBe(1);
    r.step(ack(3, 3));
    expect(r.raftLog.committed).toBe(3);
  });
});

describe('§5.4.2 figure 8', () => {
  // Time (b) of figure 8: S1 led term 2 and stored 2@2 on S2; S5 led term 3
  // and stored 2@3 only on itself; everyone is now at term 3.
  function figure8(mutations: Mutation[] = []): Network {
    const peers = ids(5);
    const mk = (id: number, terms: number[]) =>
      newRaft({
        id,
        peers,
        terms,
        term: 3,
        commit: 1,
        // One entry per append, so old-term entries travel without the new leader's no-op.
        config: { maxSizePerMsg: 1, mutations: new Set(id === 1 ? mutations : []) },
      });
    return new Network([mk(1, [1, 2]), mk(2, [1, 2]), mk(3, [1]), mk(4, [1]), mk(5, [1, 3])]);
  }

  /** Time (c): S1 is elected for term 4 and spreads 2@2 to a majority, but its own 4@3 reaches nobody. */
  function timeC(nt: Network): void {
    nt.isolate(5);
    nt.filter((m) =>
      m.type === MessageType.App && m.from === 1 ? { ...m, entries: m.entries.filter((e) => e.term < 4) } : m,
    );
    nt.send(hup(1));
    expect(nt.peer(1).state).toBe(StateType.Leader);
    expect(nt.peer(1).term).toBe(4);
    nt.tick(1, 3);
  }

  /** Time (d): S1 crashes; S5 is elected (its last term 3 beats 2) and imposes its log. */
  function timeD(nt: Network): void {
    nt.recover();
    nt.isolate(1);
    nt.send(hup(5)); // term 4: everyone already voted in term 4
    nt.send(hup(5)); // term 5
  }

  test('(c) the term-4 leader stores the term-2 entry on four of five servers, yet does not commit it', () => {
    const nt = figure8();
    timeC(nt);
    for (const id of [1, 2, 3, 4]) expect(logTerms(nt.peer(id)).slice(0, 2)).toEqual([1, 2]);
    expect(nt.peer(1).raftLog.committed).toBe(1);
    for (const r of nt.nodes.values()) expect(r.raftLog.committed).toBe(1);
  });

  test('(d) which is what lets S5 overwrite it later without losing a committed entry', () => {
    const nt = figure8();
    timeC(nt);
    timeD(nt);
    expect(nt.peer(5).state).toBe(StateType.Leader);
    for (const id of [2, 3, 4, 5]) {
      expect(logTerms(nt.peer(id))).toEqual([1, 3, 5]);
      expect(nt.peer(id).raftLog.committed).toBe(3);
    }
    expect(nt.committedPrefixesAgree()).toBe(true);
    expect(nt.appliedAgree()).toBe(true);
    expect(nt.leaderCompletenessHolds()).toBe(true);
  });

  test('(e) once S1 stores an entry of its own term on a majority, both entries are committed and S5 can no longer win', () => {
    const nt = figure8();
    timeC(nt);
    nt.recover();
    nt.isolate(5);
    nt.tick(1, 2);
    expect(nt.peer(1).raftLog.committed).toBe(3);
    nt.recover();
    nt.isolate(1);
    for (let i = 0; i < 3; i++) nt.send(hup(5));
    // Only the cut-off S1 still believes it leads.
    expect(nt.leaders()).toEqual([1]);
    expect(nt.peer(2).term).toBeGreaterThan(4);
  });

  test('the scenario has teeth: a leader that counts old-term replicas (mutation) commits 2@2 and safety is lost', () => {
    const nt = figure8(['commit-old-term']);
    timeC(nt);
    expect(nt.peer(1).raftLog.committed).toBeGreaterThanOrEqual(2);
    // S5 is then elected without the entry S1 applied as committed.
    timeD(nt);
    expect(nt.peer(5).state).toBe(StateType.Leader);
    expect(nt.leaderCompletenessHolds()).toBe(false);
  });
});

describe('figure 3 properties on lossy runs', () => {
  function checkRun(seed: number, features: boolean): void {
    const rand = seededRandom(seed);
    const nt = Network.ofSize(5, { seed, node: { preVote: features, checkQuorum: features } });
    const leaderOfTerm = new Map<number, number>();
    const leaderLog = new Map<number, number[]>();
    const check = () => {
      for (const r of nt.nodes.values()) {
        if (r.state !== StateType.Leader) continue;
        // Election safety: one leader per term.
        expect(leaderOfTerm.get(r.term) ?? r.id).toBe(r.id);
        leaderOfTerm.set(r.term, r.id);
        // Leader append-only: within its term the leader's log only grows.
        const now = logTerms(r);
        const before = leaderLog.get(r.term) ?? [];
        expect(now.slice(0, before.length)).toEqual(before);
        leaderLog.set(r.term, now);
      }
      // Log matching, leader completeness, state machine safety.
      expect(nt.committedPrefixesAgree()).toBe(true);
      expect(nt.leaderCompletenessHolds()).toBe(true);
      expect(nt.appliedAgree()).toBe(true);
    };
    for (let round = 0; round < 400; round++) {
      if (round % 40 === 0) {
        nt.recover();
        for (const a of ids(5)) for (const b of ids(5)) if (a !== b) nt.drop(a, b, rand() * 0.4);
        if (rand() < 0.4) nt.isolate(1 + Math.floor(rand() * 5));
      }
      nt.tickAll();
      if (rand() < 0.5) nt.send(prop(1 + Math.floor(rand() * 5), `v${round}`));
      check();
    }
    nt.recover();
    nt.tickAll(60);
    check();
    const leader = nt.leaders();
    expect(leader).toHaveLength(1);
    nt.send(prop(leader[0], 'final'));
    nt.tickAll(3);
    const commits = [...nt.nodes.values()].map((r: Raft) => r.raftLog.committed);
    // Everyone converges, and the run made real progress (the checks were not vacuous).
    expect(new Set(commits).size).toBe(1);
    expect(commits[0]).toBeGreaterThan(20);
    check();
  }

  test.each([
    [1, false],
    [2, false],
    [3, true],
    [4, true],
  ])('seed %p (PreVote and CheckQuorum: %p): one leader per term, append-only leaders, agreeing logs', (seed, features) => {
    checkRun(seed, features);
  });
});

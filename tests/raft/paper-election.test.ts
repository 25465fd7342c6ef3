// Raft paper §5.1 (terms) and §5.2 (leader election), plus the voting half
// of §5.4.1 (a vote only goes to a log at least as up to date as the
// voter's). Plain Raft: PreVote and CheckQuorum are off in every test here.

import { Raft } from '../../lib/raft/core/raft';
import { MessageType, newMessage, NONE, StateType } from '../../lib/raft/core/types';
import { newRaft, storageOf, persist, hup, summary, sortByTo, takeMessages } from './helpers/factory';
import { BLACKHOLE, Network } from './helpers/network';
import { entriesOfTerms } from './helpers/storage';

const ids = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

function putInState(r: Raft, s: StateType): void {
  switch (s) {
    case StateType.Follower:
      r.becomeFollower(1, 2);
      break;
    case StateType.PreCandidate:
      r.becomeFollower(1, NONE);
      r.becomePreCandidate();
      break;
    case StateType.Candidate:
      r.becomeCandidate();
      break;
    case StateType.Leader:
      r.becomeCandidate();
      r.becomeLeader();
      break;
  }
}

describe('§5.1 terms', () => {
  test.each(['Follower', 'PreCandidate', 'Candidate', 'Leader'] as const)(
    'a %s that sees a higher term adopts it, forgets its vote and becomes follower',
    (name) => {
      const r = newRaft({ id: 1 });
      putInState(r, StateType[name]);
      r.step(newMessage(MessageType.App, { from: 2, to: 1, term: 5 }));
      expect(r.term).toBe(5);
      expect(r.state).toBe(StateType.Follower);
      expect(r.vote).toBe(NONE);
      // An append can only come from the leader of that term.
      expect(r.lead).toBe(2);
    },
  );

  test('a higher-term vote request also makes a leader step down, without a known leader', () => {
    const r = newRaft({ id: 1 });
    putInState(r, StateType.Leader);
    r.step(newMessage(MessageType.Vote, { from: 3, to: 1, term: 4, index: 0, logTerm: 0 }));
    expect(r.state).toBe(StateType.Follower);
    expect(r.term).toBe(4);
    expect(r.lead).toBe(NONE);
  });

  test('a request with a stale term is ignored: no state change and (without CheckQuorum/PreVote) no answer', () => {
    const r = newRaft({ id: 1, term: 2 });
    r.step(newMessage(MessageType.App, { from: 2, to: 1, term: 1, index: 0, logTerm: 0, entries: entriesOfTerms([1]), commit: 1 }));
    r.step(newMessage(MessageType.Vote, { from: 3, to: 1, term: 1, index: 5, logTerm: 1 }));
    r.step(newMessage(MessageType.Heartbeat, { from: 2, to: 1, term: 1, commit: 1 }));
    expect(r.term).toBe(2);
    expect(r.lead).toBe(NONE);
    expect(r.vote).toBe(NONE);
    expect(r.raftLog.lastIndex()).toBe(0);
    expect(r.raftLog.committed).toBe(0);
    expect(r.msgs).toEqual([]);
  });

  test('a candidate keeps campaigning when an append comes from an older term', () => {
    const r = newRaft({ id: 1, term: 1 });
    r.becomeCandidate();
    r.step(newMessage(MessageType.App, { from: 2, to: 1, term: 1 }));
    expect(r.state).toBe(StateType.Candidate);
    expect(r.term).toBe(2);
  });

  test('term and vote are persisted: after a restart the node still refuses a second candidate in that term', () => {
    const r = newRaft({ id: 1 });
    r.step(newMessage(MessageType.Vote, { from: 2, to: 1, term: 1 }));
    expect(r.vote).toBe(2);
    persist(r);

    const restarted = newRaft({ id: 1, storage: storageOf(r) });
    expect(restarted.term).toBe(1);
    expect(restarted.vote).toBe(2);
    restarted.step(newMessage(MessageType.Vote, { from: 3, to: 1, term: 1 }));
    expect(summary(restarted.msgs[0])).toMatchObject({ type: 'VoteResp', to: 3, reject: true });
  });
});

describe('§5.2 leader election', () => {
  test('servers start up as followers with no leader', () => {
    const r = newRaft({ id: 1 });
    expect(r.state).toBe(StateType.Follower);
    expect(r.lead).toBe(NONE);
    expect(r.term).toBe(0);
  });

  test.each(['Follower', 'Candidate'] as const)(
    'a %s that hears nothing for an election timeout starts an election: term+1, votes for itself, asks everyone',
    (name) => {
      const et = 10;
      const r = newRaft({ id: 1, terms: [1, 1], electionTick: et });
      putInState(r, StateType[name]);
      const before = r.term;
      // The randomized timeout is below 2*et, so this many ticks always fire exactly one election.
      for (let i = 1; i < 2 * et; i++) r.tick();
      expect(r.state).toBe(StateType.Candidate);
      expect(r.term).toBe(before + 1);
      expect(r.vote).toBe(1);
      expect(r.trk.votes.get(1)).toBe(true);
      expect(sortByTo(takeMessages(r)).map(summary)).toEqual(
        [2, 3].map((to) => ({
          type: 'Vote',
          from: 1,
          to,
          term: before + 1,
          index: 2,
          logTerm: 1,
          commit: 0,
          reject: false,
          entries: [],
        })),
      );
    },
  );

  test('a follower that keeps hearing from its leader never starts an election', () => {
    const r = newRaft({ id: 1, electionTick: 10 });
    r.becomeFollower(1, 2);
    for (let i = 0; i < 200; i++) {
      r.tick();
      if (i % 5 === 0) r.step(newMessage(MessageType.Heartbeat, { from: 2, to: 1, term: 1 }));
    }
    expect(r.state).toBe(StateType.Follower);
    expect(r.term).toBe(1);
    expect(takeMessages(r).every((m) => m.type === MessageType.HeartbeatResp)).toBe(true);
  });

  test('granting a vote restarts the election timer (figure 2, rules for followers)', () => {
    const fresh = () => {
      const r = newRaft({ id: 1 });
      r.becomeFollower(1, NONE);
      for (let i = 1; i < r.randomizedElectionTimeout; i++) r.tick();
      return r;
    };
    // Control: one more tick would start an election.
    const control = fresh();
    control.tick();
    expect(control.state).toBe(StateType.Candidate);

    const r = fresh();
    r.step(newMessage(MessageType.Vote, { from: 2, to: 1, term: 1 }));
    r.tick();
    expect(r.state).toBe(StateType.Follower);
    expect(r.vote).toBe(2);
  });

  // One round of RequestVote: win with a majority, lose to a majority of
  // refusals, or wait when neither is reached.
  test.each([
    [1, {}, 'Leader'],
    [3, { 2: true, 3: true }, 'Leader'],
    [3, { 2: true }, 'Leader'],
    [5, { 2: true, 3: true, 4: true, 5: true }, 'Leader'],
    [5, { 2: true, 3: true }, 'Leader'],
    [3, { 2: false, 3: false }, 'Follower'],
    [5, { 2: false, 3: false, 4: false, 5: false }, 'Follower'],
    [5, { 2: true, 3: false, 4: false, 5: false }, 'Follower'],
    [3, {}, 'Candidate'],
    [5, { 2: true }, 'Candidate'],
    [5, { 2: false, 3: false }, 'Candidate'],
    [5, { 2: true, 3: false, 4: false }, 'Candidate'],
  ] as Array<[number, Record<number, boolean>, keyof typeof StateType]>)(
    'cluster of %p with votes %p: the candidate ends as %s',
    (size, votes, wantName) => {
      const want = StateType[wantName];
      const r = newRaft({ id: 1, peers: ids(size) });
      r.step(hup(1));
      for (const [from, granted] of Object.entries(votes)) {
        r.step(newMessage(MessageType.VoteResp, { from: Number(from), to: 1, term: r.term, reject: !granted }));
      }
      expect(r.state).toBe(want);
      expect(r.term).toBe(1);
    },
  );

  test('a duplicated vote from the same peer counts once', () => {
    const r = newRaft({ id: 1, peers: ids(5) });
    r.step(hup(1));
    for (let i = 0; i < 3; i++) r.step(newMessage(MessageType.VoteResp, { from: 2, to: 1, term: 1 }));
    expect(r.state).toBe(StateType.Candidate);
  });

  // At most one vote per term, first come first served.
  test.each([
    [NONE, 2, false],
    [NONE, 3, false],
    [2, 2, false],
    [3, 3, false],
    [2, 3, true],
    [3, 2, true],
  ])('a follower that voted for %p (0: nobody) in this term answers candidate %p with reject=%p', (vote, cand, reject) => {
    const r = newRaft({ id: 1, term: 1, vote });
    r.step(newMessage(MessageType.Vote, { from: cand, to: 1, term: 1 }));
    expect(takeMessages(r).map(summary)).toEqual([
      expect.objectContaining({ type: 'VoteResp', from: 1, to: cand, term: 1, reject }),
    ]);
    expect(r.vote).toBe(reject ? vote : cand);
  });

  test('a candidate has voted for itself and refuses a rival of the same term', () => {
    const r = newRaft({ id: 1 });
    r.step(hup(1));
    r.step(newMessage(MessageType.Vote, { from: 2, to: 1, term: 1 }));
    expect(takeMessages(r).filter((m) => m.type === MessageType.VoteResp).map(summary)).toEqual([
      expect.objectContaining({ to: 2, reject: true }),
    ]);
    expect(r.state).toBe(StateType.Candidate);
  });

  test.each(['App', 'Heartbeat'] as const)(
    'a candidate that gets %s from a leader of an equal or higher term becomes its follower',
    (typeName) => {
      const type = MessageType[typeName];
      for (const term of [1, 2]) {
        const r = newRaft({ id: 1 });
        r.step(hup(1));
        expect(r.state).toBe(StateType.Candidate);
        r.step(newMessage(type, { from: 2, to: 1, term }));
        expect(r.state).toBe(StateType.Follower);
        expect(r.term).toBe(term);
        expect(r.lead).toBe(2);
      }
    },
  );

  test.each(['Follower', 'Candidate'] as const)('the election timeout of a %s is randomized over [et, 2et)', (name) => {
    const s = StateType[name];
    const et = 10;
    const r = newRaft({ id: 1, electionTick: et });
    const seen = new Set<number>();
    for (let round = 0; round < 50 * et; round++) {
      if (s === StateType.Follower) r.becomeFollower(r.term + 1, 2);
      else r.becomeCandidate();
      let ticks = 0;
      while (takeMessages(r).length === 0) {
        r.tick();
        ticks++;
      }
      seen.add(ticks);
    }
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: et }, (_, i) => et + i));
  });

  test.each(['Follower', 'Candidate'] as const)(
    'randomization means that usually a single %s times out first, avoiding split votes',
    (name) => {
      const s = StateType[name];
      const rs = ids(5).map((id) => newRaft({ id, peers: ids(5), electionTick: 10 }));
      let conflicts = 0;
      const rounds = 1000;
      for (let round = 0; round < rounds; round++) {
        for (const r of rs) {
          if (s === StateType.Follower) r.becomeFollower(r.term + 1, NONE);
          else r.becomeCandidate();
        }
        let timedOut = 0;
        while (timedOut === 0) {
          for (const r of rs) {
            r.tick();
            if (takeMessages(r).length > 0) timedOut++;
          }
        }
        if (timedOut > 1) conflicts++;
      }
      expect(conflicts / rounds).toBeLessThanOrEqual(0.3);
    },
  );

  test('a split vote leaves no leader; the candidate that times out first wins the next term', () => {
    const nt = Network.ofSize(4);
    // Node 2 only hears node 1 and node 4 only hears node 3: two votes each, quorum is three.
    nt.filter((m) => (m.type === MessageType.Vote && ((m.from === 1 && m.to === 4) || (m.from === 3 && m.to === 2)) ? undefined : m));
    nt.send(hup(1), hup(3));
    expect(nt.peer(1).state).toBe(StateType.Candidate);
    expect(nt.peer(3).state).toBe(StateType.Candidate);
    expect(nt.leaders()).toEqual([]);

    nt.recover();
    const r1 = nt.peer(1);
    nt.tick(1, r1.randomizedElectionTimeout - r1.electionElapsed);
    expect(nt.leaders()).toEqual([1]);
    for (const r of nt.nodes.values()) expect(r.term).toBe(2);
  });

  test('the winner becomes leader and at once sends an append to every follower to establish its authority', () => {
    const r = newRaft({ id: 1 });
    r.step(hup(1));
    takeMessages(r);
    r.step(newMessage(MessageType.VoteResp, { from: 2, to: 1, term: 1 }));
    expect(r.state).toBe(StateType.Leader);
    expect(r.lead).toBe(1);
    const apps = takeMessages(r).filter((m) => m.type === MessageType.App);
    expect(apps.map((m) => m.to).sort()).toEqual([2, 3]);
  });

  test('after an election every node follows the winner in the same term', () => {
    const nt = Network.ofSize(5);
    nt.send(hup(3));
    for (const r of nt.nodes.values()) {
      expect(r.term).toBe(1);
      expect(r.lead).toBe(3);
      expect(r.state).toBe(r.id === 3 ? StateType.Leader : StateType.Follower);
    }
  });

  test('a single-voter cluster elects itself as soon as it campaigns', () => {
    const r = newRaft({ id: 1, peers: [1] });
    r.step(hup(1));
    expect(r.state).toBe(StateType.Leader);
    expect(r.term).toBe(1);
  });

  test.each([
    ['all up', [undefined, undefined, undefined], 'Leader'],
    ['one of three down', [undefined, undefined, BLACKHOLE], 'Leader'],
    ['two of three down', [undefined, BLACKHOLE, BLACKHOLE], 'Candidate'],
    ['two of four down', [undefined, BLACKHOLE, BLACKHOLE, undefined], 'Candidate'],
    ['two of five down', [undefined, BLACKHOLE, BLACKHOLE, undefined, undefined], 'Leader'],
  ] as Array<[string, Array<undefined | typeof BLACKHOLE>, keyof typeof StateType]>)(
    'election with %s: node 1 ends as %s',
    (_name, peers, want) => {
    const nt = new Network(peers);
    nt.send(hup(1));
    expect(nt.peer(1).state).toBe(StateType[want]);
    expect(nt.peer(1).term).toBe(1);
  },
  );

  test('every node can be elected in turn, and the others follow it', () => {
    const nt = Network.ofSize(3);
    for (const id of [1, 2, 3, 1]) {
      nt.send(hup(id));
      for (const r of nt.nodes.values()) {
        expect(r.lead).toBe(id);
        expect(r.state).toBe(r.id === id ? StateType.Leader : StateType.Follower);
      }
    }
  });
});

describe('§5.4.1 a vote goes only to a log at least as up to date as the voter’s', () => {
  // Voter's log terms, candidate's last index and last term, expected refusal.
  test.each([
    [[1], 1, 1, false],
    [[1], 2, 1, false],
    [[1, 1], 1, 1, true],
    [[2], 1, 1, true],
    [[2], 3, 1, true],
    [[2], 1, 2, false],
    [[2], 1, 3, false],
    [[1, 2], 2, 2, false],
    [[1, 2], 1, 2, true],
    [[1, 2], 3, 1, true],
    [[1, 2], 1, 3, false],
  ] as Array<[number[], number, number, boolean]>)(
    'voter log %p, candidate last (index %p, term %p): reject=%p',
    (terms, index, logTerm, reject) => {
      const r = newRaft({ id: 1, terms });
      r.step(newMessage(MessageType.Vote, { from: 2, to: 1, term: 3, index, logTerm }));
      expect(takeMessages(r).map(summary)).toEqual([expect.objectContaining({ type: 'VoteResp', to: 2, reject })]);
      expect(r.vote).toBe(reject ? NONE : 2);
    },
  );

  test('a candidate whose log is behind a majority loses the election and returns to follower', () => {
    const peers = ids(5);
    const nodes = peers.map((id) => (id >= 2 && id <= 4 ? newRaft({ id, peers, terms: [1] }) : newRaft({ id, peers })));
    const nt = new Network(nodes);
    nt.send(hup(1));
    expect(nt.peer(1).state).toBe(StateType.Follower);
    expect(nt.leaders()).toEqual([]);
  });
});

// Regressions for core bugs found by the deterministic simulator
// (lib/raft/sim). Each case is a hand-written reduction of the failing seed,
// driven through RawNode with a tiny in-test driver, so it does not depend on
// the simulator's random choices staying the same.

import { decodeConfChange } from '../../lib/raft/codec';
import { RaftConfig } from '../../lib/raft/core/config';
import { MemoryStorage } from '../../lib/raft/core/memory-storage';
import { RawNode } from '../../lib/raft/core/rawnode';
import { EntryType, Message, MessageType, NodeId, StateType } from '../../lib/raft/core/types';

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

/** A node plus the minimal driver of the Ready contract: persist, collect messages, apply, advance. */
class Driven {
  readonly storage = new MemoryStorage();
  readonly raw: RawNode;
  readonly applied: string[] = [];
  readonly outbox: Message[] = [];

  constructor(
    readonly id: NodeId,
    peers: NodeId[],
    extra: Partial<RaftConfig> = {},
  ) {
    this.raw = new RawNode({
      id,
      storage: this.storage,
      electionTick: 10,
      heartbeatTick: 1,
      random: seeded(id),
      preVote: false,
      checkQuorum: false,
      ...extra,
    });
    this.raw.bootstrap(peers);
    this.drain();
  }

  drain(): void {
    while (this.raw.hasReady()) {
      const rd = this.raw.ready();
      if (rd.snapshot) this.storage.applySnapshot(rd.snapshot);
      this.storage.append(rd.entries);
      if (rd.hardState) this.storage.setHardState(rd.hardState);
      this.outbox.push(...rd.messages);
      for (const e of rd.committedEntries) {
        if (e.type === EntryType.ConfChange) this.raw.applyConfChange(decodeConfChange(e.data));
        else if (e.data.length > 0) this.applied.push(new TextDecoder().decode(e.data));
      }
      this.raw.advance(rd);
    }
  }

  take(): Message[] {
    return this.outbox.splice(0, this.outbox.length);
  }
}

class Cluster {
  readonly nodes = new Map<NodeId, Driven>();

  constructor(ids: NodeId[], extra: Partial<RaftConfig> = {}) {
    for (const id of ids) this.nodes.set(id, new Driven(id, ids, extra));
  }

  node(id: NodeId): Driven {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  /** Delivers messages until none is left; `drop` may swallow some. */
  run(drop: (m: Message) => boolean = () => false): void {
    for (let round = 0; round < 1000; round++) {
      const inFlight: Message[] = [];
      for (const n of this.nodes.values()) inFlight.push(...n.take());
      if (inFlight.length === 0) return;
      for (const m of inFlight) {
        if (drop(m)) continue;
        const to = this.nodes.get(m.to);
        if (!to) continue;
        to.raw.step({ ...m, entries: m.entries.slice() });
        to.drain();
      }
    }
    throw new Error('messages never stopped flowing');
  }

  elect(id: NodeId): void {
    this.node(id).raw.campaign();
    this.node(id).drain();
    this.run();
    expect(this.node(id).raw.raft.state).toBe(StateType.Leader);
  }
}

const enc = new TextEncoder();

describe('raft core regressions found by the simulator', () => {
  // sim seed 12 (and 10, 11): a follower in Replicate state whose whole
  // inflight window was lost was never sent anything again but heartbeats.
  test('a full inflight window of lost appends does not stall replication forever', () => {
    const c = new Cluster([1, 2, 3], { maxInflightMsgs: 1 });
    c.elect(1);
    const leader = c.node(1);
    // Node 3 goes quiet so that commits need node 2.
    const toNode2Dropped = (m: Message) => m.to === 3 || m.from === 3;

    leader.raw.propose(enc.encode('a'));
    leader.drain();
    // The one append the window allows is lost on its way to node 2.
    c.run((m) => toNode2Dropped(m) || (m.type === MessageType.App && m.to === 2));
    leader.raw.propose(enc.encode('b'));
    leader.drain();
    c.run(toNode2Dropped);
    expect(leader.raw.status().progress?.get(2)?.state).toBe('replicate');

    // Heartbeats keep flowing; their responses must revive replication.
    for (let i = 0; i < 3; i++) {
      leader.raw.tick();
      leader.drain();
      c.run(toNode2Dropped);
    }
    expect(c.node(2).raw.raft.raftLog.lastIndex()).toBe(leader.raw.raft.raftLog.lastIndex());
    expect(leader.applied).toEqual(['a', 'b']);
    expect(c.node(2).applied).toEqual(['a', 'b']);
  });
});

import { decodeConfChange, encodeConfChange } from '../../../lib/raft/codec';
import { RaftConfig } from '../../../lib/raft/core/config';
import { MemoryStorage } from '../../../lib/raft/core/memory-storage';
import { Raft } from '../../../lib/raft/core/raft';
import { RawNode } from '../../../lib/raft/core/rawnode';
import {
  ConfChangeType,
  Entry,
  EntryType,
  Message,
  MessageType,
  newMessage,
  NodeId,
  StateType,
} from '../../../lib/raft/core/types';
import { seededRandom } from './random';
import { bytes, entriesOfTerms, newStorage } from './storage';

export interface TestNodeOptions {
  id: NodeId;
  /** Voters of the initial configuration; defaults to [1, 2, 3]. */
  peers?: NodeId[];
  learners?: NodeId[];
  /** The log, one term per entry starting at index 1 (ignored when `entries` is given). */
  terms?: number[];
  entries?: Entry[];
  /** Current term; defaults to the last log term. */
  term?: number;
  vote?: NodeId;
  commit?: number;
  electionTick?: number;
  heartbeatTick?: number;
  /**
   * The core turns PreVote and CheckQuorum on by default; tests of the
   * paper's plain Raft must not get them by accident, so here they are off
   * unless a test asks.
   */
  preVote?: boolean;
  checkQuorum?: boolean;
  seed?: number;
  storage?: MemoryStorage;
  /** Any other RaftConfig field (flow control limits, applied, ...). */
  config?: Partial<RaftConfig>;
}

export function buildConfig(o: TestNodeOptions): RaftConfig {
  const storage = o.storage ?? newStorage(o.peers ?? [1, 2, 3], o.learners ?? []);
  const ents = o.entries ?? entriesOfTerms(o.terms ?? []);
  if (ents.length > 0) storage.append(ents);
  const lastTerm = ents.length > 0 ? ents[ents.length - 1].term : 0;
  const term = o.term ?? lastTerm;
  if (term !== 0 || o.vote !== undefined || o.commit !== undefined) {
    storage.setHardState({ term, vote: o.vote ?? 0, commit: o.commit ?? 0 });
  }
  return {
    id: o.id,
    storage,
    electionTick: o.electionTick ?? 10,
    heartbeatTick: o.heartbeatTick ?? 1,
    random: seededRandom(o.seed ?? o.id * 7919),
    preVote: o.preVote ?? false,
    checkQuorum: o.checkQuorum ?? false,
    ...o.config,
  };
}

export function newRaft(o: TestNodeOptions): Raft {
  return new Raft(buildConfig(o));
}

export function newRawNode(o: TestNodeOptions): RawNode {
  return new RawNode(buildConfig(o));
}

export function storageOf(r: Raft): MemoryStorage {
  const s = r.raftLog.storage;
  if (!(s instanceof MemoryStorage)) throw new Error('test nodes must use MemoryStorage');
  return s;
}

/** Takes the node's outgoing messages, like a driver draining a Ready. */
export function takeMessages(r: Raft): Message[] {
  const out = r.msgs;
  r.msgs = [];
  return out;
}

/**
 * Plays the driver's persistence step: makes the unstable snapshot, entries
 * and hard state durable in storage (and counts an installed snapshot as
 * applied, as RawNode.advance does).
 */
export function persist(r: Raft): void {
  const log = r.raftLog;
  const st = storageOf(r);
  const snap = log.unstable.snapshot;
  if (snap) {
    st.applySnapshot(snap);
    log.stableSnapTo(snap.metadata.index);
    // Installing the snapshot is applying it.
    if (log.applied < snap.metadata.index) log.appliedTo(snap.metadata.index);
  }
  const ents = log.unstableEntries();
  if (ents.length > 0) {
    st.append(ents);
    const last = ents[ents.length - 1];
    log.stableTo(last.index, last.term);
  }
  st.setHardState(r.hardState());
}

/** Plays the driver's apply step; conf changes take effect as they are applied. Returns what was applied. */
export function applyCommitted(r: Raft): Entry[] {
  const ents = r.raftLog.nextCommittedEnts();
  if (ents.length === 0) return ents;
  for (const e of ents) {
    if (e.type === EntryType.ConfChange) r.applyConfChange(decodeConfChange(e.data));
  }
  r.appliedTo(ents[ents.length - 1].index, ents);
  return ents;
}

// ------------------------------------------------------------------ messages

export function hup(id: NodeId): Message {
  return newMessage(MessageType.Hup, { from: id, to: id });
}

export function beat(id: NodeId): Message {
  return newMessage(MessageType.Beat, { from: id, to: id });
}

/** A client proposal handed to node `id`. */
export function prop(id: NodeId, ...datas: string[]): Message {
  const entries = (datas.length > 0 ? datas : ['']).map((d) => ({ term: 0, index: 0, type: EntryType.Normal, data: bytes(d) }));
  return newMessage(MessageType.Prop, { from: id, to: id, entries });
}

/** A conf change entry (index and term are assigned by the leader, or given for a prepared log). */
export function confChangeEntry(type: ConfChangeType, nodeId: NodeId, index = 0, term = 0): Entry {
  return { index, term, type: EntryType.ConfChange, data: encodeConfChange({ type, nodeId, context: new Uint8Array(0) }) };
}

/** A membership change proposed on node `id` (as the application would, through the leader). */
export function confChangeProp(id: NodeId, type: ConfChangeType, nodeId: NodeId): Message {
  return newMessage(MessageType.Prop, { from: id, to: id, entries: [confChangeEntry(type, nodeId)] });
}

export function readIndexReq(id: NodeId, ctx: string): Message {
  return newMessage(MessageType.ReadIndex, {
    from: id,
    to: id,
    entries: [{ term: 0, index: 0, type: EntryType.Normal, data: bytes(ctx) }],
  });
}

/** The follower's positive answer to an append: it now holds everything the message carried. */
export function acceptAppend(m: Message): Message {
  return newMessage(MessageType.AppResp, { from: m.to, to: m.from, term: m.term, index: m.index + m.entries.length });
}

export function ofType(msgs: Message[], t: MessageType): Message[] {
  return msgs.filter((m) => m.type === t);
}

/** Message fields that matter to the peer, without the bulky payloads, for readable assertions. */
export function summary(m: Message): Record<string, unknown> {
  return {
    type: MessageType[m.type],
    from: m.from,
    to: m.to,
    term: m.term,
    logTerm: m.logTerm,
    index: m.index,
    commit: m.commit,
    reject: m.reject,
    entries: m.entries.map((e) => `${e.index}@${e.term}`),
  };
}

export function sortByTo(msgs: Message[]): Message[] {
  return [...msgs].sort((a, b) => a.to - b.to || a.type - b.type);
}

// ------------------------------------------------------------------ roles

/**
 * Makes `r` leader of its configuration without a network and gets its
 * no-op committed by every follower, so it may serve proposals, reads and
 * conf changes as a settled leader. Leaves no messages behind.
 */
export function settleAsLeader(r: Raft): void {
  if (r.state !== StateType.Leader) {
    r.becomeCandidate();
    r.becomeLeader();
  }
  r.bcastAppend();
  persist(r);
  for (const m of takeMessages(r)) {
    if (m.type === MessageType.App) r.step(acceptAppend(m));
  }
  takeMessages(r);
  persist(r);
  applyCommitted(r);
}

/** The terms of r's whole log (from its first index), the notation of the paper's figures. */
export function logTerms(r: Raft): number[] {
  return r.raftLog.allEntries().map((e) => e.term);
}

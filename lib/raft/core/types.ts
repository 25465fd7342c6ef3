// The data model shared by every part of lib/raft: the pure core, the WAL, the
// transport and the simulator. Modelled on etcd's raftpb, in our own words.
// Raft ids are positive safe integers; 0 means "nobody".

export type NodeId = number;
export const NONE: NodeId = 0;

export enum EntryType {
  Normal = 0,
  ConfChange = 1,
}

export interface Entry {
  term: number;
  index: number;
  type: EntryType;
  /** Application payload. Empty for the no-op a new leader appends. */
  data: Uint8Array;
}

/** What must be durable before a node may answer for its term and vote. */
export interface HardState {
  term: number;
  vote: NodeId;
  commit: number;
}

export interface ConfState {
  voters: NodeId[];
  learners: NodeId[];
}

export interface SnapshotMetadata {
  index: number;
  term: number;
  confState: ConfState;
}

export interface Snapshot {
  metadata: SnapshotMetadata;
  data: Uint8Array;
}

export enum ConfChangeType {
  /** Adds a voter, or promotes an existing learner to voter. */
  AddVoter = 0,
  AddLearner = 1,
  RemoveNode = 2,
}

export interface ConfChange {
  type: ConfChangeType;
  nodeId: NodeId;
  /** Opaque to raft; the manager layer puts the new member's address here. */
  context: Uint8Array;
}

export enum MessageType {
  // Local only: never sent over the wire.
  Hup = 0,
  Beat = 1,
  Unreachable = 2,
  SnapStatus = 3,
  CheckQuorum = 4,
  // Between peers (Prop and ReadIndex also locally, from the application).
  Prop = 5,
  App = 6,
  AppResp = 7,
  Vote = 8,
  VoteResp = 9,
  PreVote = 10,
  PreVoteResp = 11,
  Snap = 12,
  Heartbeat = 13,
  HeartbeatResp = 14,
  TransferLeader = 15,
  TimeoutNow = 16,
  ReadIndex = 17,
  ReadIndexResp = 18,
}

export interface Message {
  type: MessageType;
  to: NodeId;
  from: NodeId;
  term: number;
  /** Term of the entry at `index` (App: the entry before `entries`; Vote: candidate's last term). */
  logTerm: number;
  /** Log position; on a TransferLeader forwarded by a follower, the transferee. */
  index: number;
  entries: Entry[];
  commit: number;
  snapshot?: Snapshot;
  reject: boolean;
  rejectHint: number;
  /** Campaign kind on Vote/PreVote (transfer), request id on ReadIndex/Heartbeat. */
  context?: Uint8Array;
}

export enum StateType {
  Follower = 0,
  Candidate = 1,
  Leader = 2,
  PreCandidate = 3,
}

export interface SoftState {
  lead: NodeId;
  state: StateType;
}

/** A linearizable read is safe once the applied index reaches `index`. */
export interface ReadState {
  index: number;
  requestCtx: Uint8Array;
}

/**
 * One batch of work for the driver. Contract (as etcd's): persist `snapshot`,
 * `entries` and `hardState` (fsync when `mustSync`), only then send
 * `messages`, apply `committedEntries` in order, and call `advance()`.
 */
export interface Ready {
  softState?: SoftState;
  hardState?: HardState;
  readStates: ReadState[];
  entries: Entry[];
  snapshot?: Snapshot;
  committedEntries: Entry[];
  messages: Message[];
  mustSync: boolean;
}

export function emptyHardState(): HardState {
  return { term: 0, vote: NONE, commit: 0 };
}

export function isEmptyHardState(h: HardState): boolean {
  return h.term === 0 && h.vote === NONE && h.commit === 0;
}

export function emptySnapshot(): Snapshot {
  return { metadata: { index: 0, term: 0, confState: { voters: [], learners: [] } }, data: new Uint8Array(0) };
}

export function isEmptySnapshot(s: Snapshot | undefined): boolean {
  return s === undefined || s.metadata.index === 0;
}

export function newMessage(type: MessageType, fields: Partial<Message> = {}): Message {
  return {
    type,
    to: NONE,
    from: NONE,
    term: 0,
    logTerm: 0,
    index: 0,
    entries: [],
    commit: 0,
    reject: false,
    rejectHint: 0,
    ...fields,
  };
}

/** Messages that a node handles by itself and must never put on the wire. */
export function isLocalMessage(t: MessageType): boolean {
  return t <= MessageType.CheckQuorum;
}

export function isResponseMessage(t: MessageType): boolean {
  return (
    t === MessageType.AppResp ||
    t === MessageType.VoteResp ||
    t === MessageType.PreVoteResp ||
    t === MessageType.HeartbeatResp ||
    t === MessageType.Unreachable
  );
}

/** The size that flow control charges for an entry: its payload plus a fixed header. */
export function entrySize(e: Entry): number {
  return e.data.length + 24;
}

// Requests a parent process sends to a raft member process over Node's IPC
// channel, and the replies. Used by the demo, the multi-process test and the
// benchmark; not a public API.

import { NodeId } from '../core/types';

export interface MemberConfig {
  id: NodeId;
  dataDir: string;
  port: number;
  /** Every initial member, this one included; used only when the data dir is empty. */
  peers: { id: NodeId; url: string }[];
  tickMs?: number;
  electionTick?: number;
  snapshotEvery?: number;
  leaseReads?: boolean;
}

export type MemberRequest =
  | { op: 'status' }
  | { op: 'put'; key: string; value: string }
  | { op: 'get'; key: string }
  | { op: 'load'; count: number; concurrency: number; size: number }
  /** read() started `perSecond` times a second for `durationMs`, whether earlier ones returned or not. */
  | { op: 'reads'; durationMs: number; perSecond: number }
  /**
   * Holds the event loop (a busy wait) for stretches of minMs..maxMs with
   * gaps of as long, for `durationMs`: a follower busy applying or in GC.
   */
  | { op: 'stall'; durationMs: number; minMs: number; maxMs: number }
  | { op: 'stop' };

export interface MemberStatus {
  id: NodeId;
  pid: number;
  leader: NodeId;
  isLeader: boolean;
  term: number;
  applied: number;
  commit: number;
  keys: number;
}

export interface LoadResult {
  count: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

export type MemberReply =
  | { ok: true; status?: MemberStatus; index?: number; value?: string | null; load?: LoadResult; leaseReads?: number }
  | { ok: false; error: string; code?: string };

export interface Envelope<T> {
  seq: number;
  body: T;
}

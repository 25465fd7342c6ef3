// The wire shapes of POST /join, shared by the node server and the join client,
// and the checks each side applies to what the other sent.

import type { NodeRole } from '../ca';
import { parseHostPort } from './address';

export const ROUTES = { ca: '/ca', join: '/join', raft: '/raft', dispatcher: '/dispatcher', logs: '/logs' } as const;

export interface JoinRequest {
  /** SWMTKN-1-…; the secret in it must never be echoed back or logged. */
  token: string;
  /** PKCS#10 PEM; only its public key is used. */
  csrPem: string;
  hostname: string;
  /** host:port other nodes reach this node at. */
  advertiseAddr: string;
  /** --availability given to swarm join; active when absent. */
  availability?: 'active' | 'pause' | 'drain';
}

export interface ManagerInfo {
  nodeId: string;
  /** host:port of the manager's node server. */
  addr: string;
  raftId?: number;
}

export interface JoinResponse {
  nodeId: string;
  role: NodeRole;
  certPem: string;
  caCertPem: string;
  clusterId: string;
  /** The managers the joined node may talk to (for a new manager: the raft members to dial). */
  managers: ManagerInfo[];
  /** The raft id the cluster gave a joining manager. */
  raftId?: number;
  /** The cluster's Raft timing, which a joining manager must use too. */
  raft?: { tickMs: number; electionTick: number; heartbeatTick: number; snapshotEvery: number };
  /**
   * A manager joining an autolocked cluster: the current unlock key, so its TLS key
   * and data key are sealed before its Raft writes anything. The manager token
   * already admits it to the Raft log, which holds this key in the cluster object.
   */
  unlockKey?: string;
}

/**
 * A join handler's refusal: the HTTP status and the one line the joining node
 * prints. 401 for a token that is not current (wrong cluster or rotated).
 */
export class JoinRefused extends Error {
  override name = 'JoinRefused';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

const MAX_FIELD = 16 * 1024;

/** Validates a decoded /join body; unknown fields are ignored so newer joiners can send more. */
export function checkJoinRequest(body: unknown): Checked<JoinRequest> {
  if (!isRecord(body)) return { ok: false, reason: 'join request must be a JSON object' };
  const out: Record<string, string> = {};
  for (const key of ['token', 'csrPem', 'hostname', 'advertiseAddr'] as const) {
    const v = body[key];
    if (typeof v !== 'string' || v === '') return { ok: false, reason: `join request: ${key} must be a non-empty string` };
    if (v.length > MAX_FIELD) return { ok: false, reason: `join request: ${key} is longer than ${MAX_FIELD} characters` };
    out[key] = v;
  }
  try {
    parseHostPort(out.advertiseAddr);
  } catch (err) {
    return { ok: false, reason: `join request: advertiseAddr: ${(err as Error).message}` };
  }
  const value: JoinRequest = { token: out.token, csrPem: out.csrPem, hostname: out.hostname, advertiseAddr: out.advertiseAddr };
  if (body.availability !== undefined) {
    if (body.availability !== 'active' && body.availability !== 'pause' && body.availability !== 'drain') {
      return { ok: false, reason: 'join request: availability must be active, pause or drain' };
    }
    value.availability = body.availability;
  }
  return { ok: true, value };
}

export function checkJoinResponse(body: unknown): Checked<JoinResponse> {
  if (!isRecord(body)) return { ok: false, reason: 'not a JSON object' };
  for (const key of ['nodeId', 'certPem', 'caCertPem', 'clusterId'] as const) {
    if (typeof body[key] !== 'string' || body[key] === '') return { ok: false, reason: `${key} missing` };
  }
  if (body.role !== 'manager' && body.role !== 'worker') return { ok: false, reason: 'role must be manager or worker' };
  if (body.raftId !== undefined && !isRaftId(body.raftId)) return { ok: false, reason: 'raftId must be a positive integer' };
  if (!Array.isArray(body.managers)) return { ok: false, reason: 'managers must be a list' };
  const managers: ManagerInfo[] = [];
  for (const m of body.managers as unknown[]) {
    if (!isRecord(m) || typeof m.nodeId !== 'string' || typeof m.addr !== 'string' || (m.raftId !== undefined && !isRaftId(m.raftId))) {
      return { ok: false, reason: 'managers: each needs a nodeId and an addr' };
    }
    managers.push(m.raftId === undefined ? { nodeId: m.nodeId, addr: m.addr } : { nodeId: m.nodeId, addr: m.addr, raftId: m.raftId });
  }
  const value: JoinResponse = {
    nodeId: body.nodeId as string,
    role: body.role,
    certPem: body.certPem as string,
    caCertPem: body.caCertPem as string,
    clusterId: body.clusterId as string,
    managers,
  };
  if (body.raftId !== undefined) value.raftId = body.raftId as number;
  if (body.raft !== undefined) {
    const r = body.raft;
    const fields = ['tickMs', 'electionTick', 'heartbeatTick', 'snapshotEvery'] as const;
    if (!isRecord(r) || !fields.every((f) => typeof r[f] === 'number' && Number.isInteger(r[f]) && (r[f] as number) > 0)) {
      return { ok: false, reason: 'raft must hold positive integers tickMs, electionTick, heartbeatTick, snapshotEvery' };
    }
    value.raft = { tickMs: r.tickMs as number, electionTick: r.electionTick as number, heartbeatTick: r.heartbeatTick as number, snapshotEvery: r.snapshotEvery as number };
  }
  if (body.unlockKey !== undefined) {
    if (typeof body.unlockKey !== 'string' || !/^SWMKEY-1-[A-Za-z0-9_-]{43}$/.test(body.unlockKey)) return { ok: false, reason: 'unlockKey is not an unlock key' };
    if (body.role !== 'manager') return { ok: false, reason: 'unlockKey is only for managers' };
    value.unlockKey = body.unlockKey;
  }
  return { ok: true, value };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isRaftId(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
}

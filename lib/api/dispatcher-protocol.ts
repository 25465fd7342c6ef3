// The agent <-> dispatcher protocol: JSON text messages over the WebSocket at
// /dispatcher, each carrying the protocol version. The session is the socket,
// and the node is the one named by the client certificate: no message names a
// node, so an agent can only ever speak for its own.
//
// agent -> manager   register {description}        first message of a session
//                    heartbeat                     every heartbeatPeriodMs (jittered)
// manager -> agent   registered {sessionId, heartbeatPeriodMs, managers}
//                    heartbeatAck {heartbeatPeriodMs, managers}
//                    redirect {leaderAddr, managers}   from a follower, which then closes
//                    error {message}                  then the manager closes
//
// Role changes (`swarm node promote/demote`) reissue the node's certificate
// over the session, the private key never leaving the node:
// manager -> agent   roleChange {role}                 the store wants this node to have `role`
// agent -> manager   certRequest {csrPem, advertiseAddr}  a CSR for its own key, and where it listens
// manager -> agent   certificate {role, certPem, raftId?, raft?}  signed once the store says so
//
// Tasks:
// manager -> agent   assignmentsUpdate {reset, done, set, del}   the tasks the store places on this
//                                               node: all of them after registration (reset), then only
//                                               those whose assignment changed (never a status the node
//                                               reported itself); chunked, acted on at `done` (assignments.ts);
//                                               with them {secrets, configs, delSecrets, delConfigs}: the data
//                                               its unfinished tasks need, and what it may forget
// agent -> manager   taskStatus {updates}       observed state changes, batched; a state only moves forward
//
// Logs (`service logs`), one request id per stream:
// manager -> agent   logsRequest {requestId, taskIds?, serviceId?, follow, tail?}
// agent -> manager   logs {requestId, lines}   then   logsEnd {requestId, error?}
// manager -> agent   logsCancel {requestId}     the reader went away
//
// manager -> agent   removeVolumes {labels}     a removed stack's named volumes may go
//
// Task metrics (`service stats`, the autoscaler), lib/api/metrics-types.ts:
// agent -> manager   taskMetrics {samples}      every METRICS_INTERVAL_MS, its running tasks' latest use
//
// Networking (lib/api/net-table.ts):
// manager -> agent   netUpdate {reset, done, set, del}   the node's network table, whole after
//                                               registration (reset), then as changes

import { AssignedBlob, AssignmentsUpdate, ASSIGNMENT_CHUNK_ENTRIES } from './assignments';
import { MAX_SECRET_BYTES } from './secret-types';
import { parseNetUpdate } from './net-table-parse';
import type { NetUpdate } from './net-table';
import type { TaskMetricsSample } from './metrics-types';
import { PortConfig, Task, TASK_STATES, TaskState, TaskStatus } from './service-types';
import { NodeDescription, NodeRole } from './types';

export const DISPATCHER_PROTOCOL_VERSION = 1;

export { DISPATCHER_CHUNK_BYTES, DISPATCHER_MAX_FRAME_BYTES } from './frame-bounds';

export type AgentMessage =
  | { v: typeof DISPATCHER_PROTOCOL_VERSION; type: 'register'; description: NodeDescription }
  | { v: typeof DISPATCHER_PROTOCOL_VERSION; type: 'heartbeat' }
  | { v: typeof DISPATCHER_PROTOCOL_VERSION; type: 'certRequest'; csrPem: string; advertiseAddr: string }
  | { v: typeof DISPATCHER_PROTOCOL_VERSION; type: 'taskStatus'; updates: TaskStatusUpdate[] }
  | { v: typeof DISPATCHER_PROTOCOL_VERSION; type: 'logs'; requestId: string; lines: WireLogLine[] }
  | { v: typeof DISPATCHER_PROTOCOL_VERSION; type: 'logsEnd'; requestId: string; error?: string }
  | { v: typeof DISPATCHER_PROTOCOL_VERSION; type: 'taskMetrics'; samples: TaskMetricsSample[] };

export interface WireLogLine {
  taskId: string;
  stream: 'stdout' | 'stderr';
  line: string;
  timestamp: string;
}

export interface LogsRequest {
  requestId: string;
  taskIds?: string[];
  serviceId?: string;
  follow: boolean;
  tail?: number;
}

export interface TaskStatusUpdate {
  taskId: string;
  status: TaskStatus;
}

export interface RaftTiming {
  tickMs: number;
  electionTick: number;
  heartbeatTick: number;
  snapshotEvery: number;
}

export type ManagerMessage =
  | { v: typeof DISPATCHER_PROTOCOL_VERSION; type: 'registered'; sessionId: string; heartbeatPeriodMs: number; managers: string[] }
  | { v: typeof DISPATCHER_PROTOCOL_VERSION; type: 'heartbeatAck'; heartbeatPeriodMs: number; managers: string[] }
  | { v: typeof DISPATCHER_PROTOCOL_VERSION; type: 'redirect'; leaderAddr: string; managers: string[] }
  | { v: typeof DISPATCHER_PROTOCOL_VERSION; type: 'error'; message: string }
  | { v: typeof DISPATCHER_PROTOCOL_VERSION; type: 'roleChange'; role: NodeRole }
  | {
      v: typeof DISPATCHER_PROTOCOL_VERSION;
      type: 'certificate';
      role: NodeRole;
      certPem: string;
      /** Managers: the Raft member id the leader recorded for this node, and the cluster's Raft timing. */
      raftId?: number;
      raft?: RaftTiming;
      /**
       * Managers of an autolocked cluster: the current unlock key, so the node seals
       * its TLS key and makes its data key sealed before its Raft writes anything.
       * Sent over the node's mutually authenticated session; the new manager would
       * read it from the replicated cluster object moments later anyway.
       */
      unlockKey?: string;
    }
  | ({ v: typeof DISPATCHER_PROTOCOL_VERSION; type: 'assignmentsUpdate' } & AssignmentsUpdate)
  | ({ v: typeof DISPATCHER_PROTOCOL_VERSION; type: 'logsRequest' } & LogsRequest)
  | { v: typeof DISPATCHER_PROTOCOL_VERSION; type: 'logsCancel'; requestId: string }
  | { v: typeof DISPATCHER_PROTOCOL_VERSION; type: 'removeVolumes'; labels: Record<string, string> }
  | ({ v: typeof DISPATCHER_PROTOCOL_VERSION; type: 'netUpdate' } & NetUpdate);

/** WebSocket close codes with a meaning in this protocol (4000-4999 are the application's). */
export const CLOSE = {
  /** The agent is stopping. */
  normal: 1000,
  /** The dispatcher stopped (leadership lost, manager shutting down): dial another manager. */
  goingAway: 1001,
  /** A message was not valid protocol. */
  protocolError: 1002,
  /** No leader is known right now: retry later. */
  tryAgain: 1013,
  /** This manager is a follower; the redirect message named the leader. */
  redirect: 4001,
  /** A newer session for the same node replaced this one. */
  replaced: 4002,
  /** The node missed its heartbeats, or it was removed from the cluster. */
  expired: 4003,
} as const;

/** Upper bounds that keep one agent from bloating the replicated store. */
const MAX_TEXT = 1024;
const MAX_LABELS = 256;
const MAX_ADDRS = 64;

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

export function encodeMessage(m: AgentMessage | ManagerMessage): string {
  return JSON.stringify(m);
}

export function parseAgentMessage(text: string): Parsed<AgentMessage> {
  return parseWith(text, (o) => {
    switch (o.type) {
      case 'register': {
        onlyKeys(o, ['v', 'type', 'description'], 'register');
        return { v: DISPATCHER_PROTOCOL_VERSION, type: 'register', description: checkDescription(o.description) };
      }
      case 'heartbeat':
        onlyKeys(o, ['v', 'type'], 'heartbeat');
        return { v: DISPATCHER_PROTOCOL_VERSION, type: 'heartbeat' };
      case 'taskStatus': {
        onlyKeys(o, ['v', 'type', 'updates'], 'taskStatus');
        if (!Array.isArray(o.updates) || o.updates.length > MAX_UPDATES) throw new Malformed(`updates must be an array of at most ${MAX_UPDATES}`);
        return { v: DISPATCHER_PROTOCOL_VERSION, type: 'taskStatus', updates: o.updates.map((u, i) => statusUpdate(u, `updates[${i}]`)) };
      }
      case 'logs': {
        onlyKeys(o, ['v', 'type', 'requestId', 'lines'], 'logs');
        if (!Array.isArray(o.lines) || o.lines.length > MAX_UPDATES) throw new Malformed(`lines must be an array of at most ${MAX_UPDATES}`);
        return { v: DISPATCHER_PROTOCOL_VERSION, type: 'logs', requestId: text1(o.requestId, 'requestId'), lines: o.lines.map((l, i) => logLine(l, `lines[${i}]`)) };
      }
      case 'logsEnd': {
        onlyKeys(o, ['v', 'type', 'requestId', 'error'], 'logsEnd');
        const m: AgentMessage = { v: DISPATCHER_PROTOCOL_VERSION, type: 'logsEnd', requestId: text1(o.requestId, 'requestId') };
        if (o.error !== undefined) {
          if (typeof o.error !== 'string') throw new Malformed('error must be a string');
          m.error = o.error.slice(0, MAX_TEXT);
        }
        return m;
      }
      case 'taskMetrics': {
        onlyKeys(o, ['v', 'type', 'samples'], 'taskMetrics');
        if (!Array.isArray(o.samples) || o.samples.length > MAX_METRICS_SAMPLES) throw new Malformed(`samples must be an array of at most ${MAX_METRICS_SAMPLES}`);
        return { v: DISPATCHER_PROTOCOL_VERSION, type: 'taskMetrics', samples: o.samples.map((x, i) => metricsSample(x, `samples[${i}]`)) };
      }
      case 'certRequest':
        onlyKeys(o, ['v', 'type', 'csrPem', 'advertiseAddr'], 'certRequest');
        return {
          v: DISPATCHER_PROTOCOL_VERSION,
          type: 'certRequest',
          csrPem: pem(o.csrPem, 'csrPem'),
          advertiseAddr: text1(o.advertiseAddr, 'advertiseAddr'),
        };
      default:
        throw new Malformed(`unknown message type ${JSON.stringify(o.type)}`);
    }
  });
}

export function parseManagerMessage(text: string): Parsed<ManagerMessage> {
  return parseWith(text, (o) => {
    const v = DISPATCHER_PROTOCOL_VERSION;
    switch (o.type) {
      case 'registered':
        onlyKeys(o, ['v', 'type', 'sessionId', 'heartbeatPeriodMs', 'managers'], 'registered');
        return {
          v,
          type: 'registered',
          sessionId: text1(o.sessionId, 'sessionId'),
          heartbeatPeriodMs: period(o.heartbeatPeriodMs),
          managers: addrs(o.managers),
        };
      case 'heartbeatAck':
        onlyKeys(o, ['v', 'type', 'heartbeatPeriodMs', 'managers'], 'heartbeatAck');
        return { v, type: 'heartbeatAck', heartbeatPeriodMs: period(o.heartbeatPeriodMs), managers: addrs(o.managers) };
      case 'redirect':
        onlyKeys(o, ['v', 'type', 'leaderAddr', 'managers'], 'redirect');
        return { v, type: 'redirect', leaderAddr: text1(o.leaderAddr, 'leaderAddr'), managers: addrs(o.managers) };
      case 'error':
        onlyKeys(o, ['v', 'type', 'message'], 'error');
        if (typeof o.message !== 'string') throw new Malformed('error.message must be a string');
        return { v, type: 'error', message: o.message.slice(0, MAX_TEXT) };
      case 'roleChange':
        onlyKeys(o, ['v', 'type', 'role'], 'roleChange');
        return { v, type: 'roleChange', role: role(o.role) };
      case 'assignmentsUpdate': {
        onlyKeys(o, ['v', 'type', 'reset', 'done', 'set', 'del', 'secrets', 'configs', 'delSecrets', 'delConfigs'], 'assignmentsUpdate');
        if (typeof o.reset !== 'boolean' || typeof o.done !== 'boolean') throw new Malformed('assignmentsUpdate: reset and done must be true or false');
        if (!Array.isArray(o.set) || o.set.length > ASSIGNMENT_CHUNK_ENTRIES) throw new Malformed(`assignmentsUpdate: set must be an array of at most ${ASSIGNMENT_CHUNK_ENTRIES}`);
        if (!Array.isArray(o.del) || o.del.length > ASSIGNMENT_CHUNK_ENTRIES) throw new Malformed(`assignmentsUpdate: del must be an array of at most ${ASSIGNMENT_CHUNK_ENTRIES}`);
        if (o.reset && o.del.length > 0) throw new Malformed('assignmentsUpdate: a reset deletes nothing');
        if (o.reset && (o.delSecrets !== undefined || o.delConfigs !== undefined)) throw new Malformed('assignmentsUpdate: a reset deletes nothing');
        // The manager is authenticated and its store checked every task against the schema.
        const m: ManagerMessage = {
          v,
          type: 'assignmentsUpdate',
          reset: o.reset,
          done: o.done,
          set: o.set.map((t, i) => assignedTask(t, `set[${i}]`)),
          del: o.del.map((d, i) => text1(d, `del[${i}]`)),
        };
        if (o.secrets !== undefined) m.secrets = list(o.secrets, 'secrets').map((b, i) => assignedBlob(b, `secrets[${i}]`));
        if (o.configs !== undefined) m.configs = list(o.configs, 'configs').map((b, i) => assignedBlob(b, `configs[${i}]`));
        if (o.delSecrets !== undefined) m.delSecrets = list(o.delSecrets, 'delSecrets').map((d, i) => text1(d, `delSecrets[${i}]`));
        if (o.delConfigs !== undefined) m.delConfigs = list(o.delConfigs, 'delConfigs').map((d, i) => text1(d, `delConfigs[${i}]`));
        return m;
      }
      case 'logsRequest': {
        onlyKeys(o, ['v', 'type', 'requestId', 'taskIds', 'serviceId', 'follow', 'tail'], 'logsRequest');
        if (typeof o.follow !== 'boolean') throw new Malformed('follow must be true or false');
        const m: ManagerMessage = { v, type: 'logsRequest', requestId: text1(o.requestId, 'requestId'), follow: o.follow };
        if (o.taskIds !== undefined) {
          if (!Array.isArray(o.taskIds)) throw new Malformed('taskIds must be an array');
          m.taskIds = o.taskIds.map((t, i) => text1(t, `taskIds[${i}]`));
        }
        if (o.serviceId !== undefined) m.serviceId = text1(o.serviceId, 'serviceId');
        if (o.tail !== undefined) m.tail = count(o.tail, 'tail');
        return m;
      }
      case 'removeVolumes': {
        onlyKeys(o, ['v', 'type', 'labels'], 'removeVolumes');
        const l = labels(o.labels, 'labels');
        if (Object.keys(l).length === 0) throw new Malformed('removeVolumes needs at least one label');
        return { v, type: 'removeVolumes', labels: l };
      }
      case 'netUpdate': {
        onlyKeys(o, ['v', 'type', 'reset', 'done', 'set', 'del'], 'netUpdate');
        const u = parseNetUpdate(o);
        if (typeof u === 'string') throw new Malformed(`netUpdate: ${u}`);
        return { v, type: 'netUpdate', ...u };
      }
      case 'logsCancel':
        onlyKeys(o, ['v', 'type', 'requestId'], 'logsCancel');
        return { v, type: 'logsCancel', requestId: text1(o.requestId, 'requestId') };
      case 'certificate': {
        onlyKeys(o, ['v', 'type', 'role', 'certPem', 'raftId', 'raft', 'unlockKey'], 'certificate');
        const out: ManagerMessage = { v, type: 'certificate', role: role(o.role), certPem: pem(o.certPem, 'certPem') };
        if (o.raftId !== undefined) out.raftId = count(o.raftId, 'raftId');
        if (o.raft !== undefined) out.raft = raftTiming(o.raft);
        if (o.unlockKey !== undefined) {
          if (typeof o.unlockKey !== 'string' || !/^SWMKEY-1-[A-Za-z0-9_-]{43}$/.test(o.unlockKey)) throw new Malformed('certificate: unlockKey is not an unlock key');
          out.unlockKey = o.unlockKey;
        }
        return out;
      }
      default:
        throw new Malformed(`unknown message type ${JSON.stringify(o.type)}`);
    }
  });
}

class Malformed extends Error {}

function parseWith<T>(text: string, check: (o: Record<string, unknown>) => T): Parsed<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (!isObject(raw)) return { ok: false, reason: 'a message must be a JSON object' };
  if (raw.v !== DISPATCHER_PROTOCOL_VERSION) {
    return { ok: false, reason: `unsupported protocol version ${JSON.stringify(raw.v)} (this node speaks ${DISPATCHER_PROTOCOL_VERSION})` };
  }
  try {
    return { ok: true, value: check(raw) };
  } catch (e) {
    if (e instanceof Malformed) return { ok: false, reason: e.message };
    throw e;
  }
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

// Unknown fields are refused rather than ignored: a field this version does
// not know (a node id, say) must never look as if it had been honoured.
function onlyKeys(o: Record<string, unknown>, allowed: readonly string[], what: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw new Malformed(`${what}: unexpected field ${JSON.stringify(k)}`);
  }
}

function obj(x: unknown, what: string): Record<string, unknown> {
  if (!isObject(x)) throw new Malformed(`${what} must be an object`);
  return x;
}

function text(x: unknown, what: string): string {
  if (typeof x !== 'string') throw new Malformed(`${what} must be a string`);
  if (x.length > MAX_TEXT) throw new Malformed(`${what} is longer than ${MAX_TEXT} characters`);
  return x;
}

function text1(x: unknown, what: string): string {
  const s = text(x, what);
  if (s === '') throw new Malformed(`${what} must not be empty`);
  return s;
}

function count(x: unknown, what: string): number {
  if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0) throw new Malformed(`${what} must be a non-negative integer`);
  return x;
}

const MAX_UPDATES = 10_000;

function taskState(x: unknown, what: string): TaskState {
  if (typeof x !== 'string' || !(TASK_STATES as readonly string[]).includes(x)) throw new Malformed(`${what} is not a task state`);
  return x as TaskState;
}

function portList(x: unknown, what: string): PortConfig[] {
  if (!Array.isArray(x) || x.length > MAX_LABELS) throw new Malformed(`${what} must be an array of ports`);
  return x.map((p, i) => {
    const o = obj(p, `${what}[${i}]`);
    onlyKeys(o, ['protocol', 'targetPort', 'publishedPort', 'publishMode'], `${what}[${i}]`);
    if (o.protocol !== 'tcp' && o.protocol !== 'udp') throw new Malformed(`${what}[${i}].protocol must be tcp or udp`);
    if (o.publishMode !== 'host' && o.publishMode !== 'ingress') throw new Malformed(`${what}[${i}].publishMode must be host or ingress`);
    return {
      protocol: o.protocol,
      targetPort: count(o.targetPort, 'targetPort'),
      publishedPort: count(o.publishedPort, 'publishedPort'),
      publishMode: o.publishMode,
    };
  });
}

function statusUpdate(x: unknown, what: string): TaskStatusUpdate {
  const u = obj(x, what);
  onlyKeys(u, ['taskId', 'status'], what);
  const st = obj(u.status, `${what}.status`);
  onlyKeys(st, ['state', 'timestamp', 'message', 'startedAt', 'err', 'containerId', 'pid', 'exitCode', 'ports', 'addr', 'served'], `${what}.status`);
  const status: TaskStatus = {
    state: taskState(st.state, `${what}.status.state`),
    timestamp: text1(st.timestamp, `${what}.status.timestamp`),
    message: text(st.message, `${what}.status.message`),
  };
  if (st.startedAt !== undefined) status.startedAt = text1(st.startedAt, `${what}.status.startedAt`);
  if (st.err !== undefined) status.err = text(st.err, `${what}.status.err`);
  if (st.containerId !== undefined) status.containerId = text(st.containerId, `${what}.status.containerId`);
  if (st.pid !== undefined) status.pid = count(st.pid, `${what}.status.pid`);
  if (st.exitCode !== undefined) {
    if (!Number.isSafeInteger(st.exitCode)) throw new Malformed(`${what}.status.exitCode must be an integer`);
    status.exitCode = st.exitCode as number;
  }
  if (st.ports !== undefined) status.ports = portList(st.ports, `${what}.status.ports`);
  if (st.addr !== undefined) status.addr = ipv4(st.addr, `${what}.status.addr`);
  if (st.served !== undefined) status.served = servedList(st.served, `${what}.status.served`);
  return { taskId: text1(u.taskId, `${what}.taskId`), status };
}

function ipv4(x: unknown, what: string): string {
  if (typeof x !== 'string' || !/^(\d{1,3})(\.\d{1,3}){3}$/.test(x) || x.split('.').some((o) => Number(o) > 255)) {
    throw new Malformed(`${what} must be an IPv4 address`);
  }
  return x;
}

/** A task serves at most this many ports (what a VIP forwards); more are not reported. */
export const MAX_SERVED_PORTS = 64;

function servedList(x: unknown, what: string): { protocol: 'tcp' | 'udp'; port: number }[] {
  if (!Array.isArray(x) || x.length > MAX_SERVED_PORTS) throw new Malformed(`${what} must be an array of at most ${MAX_SERVED_PORTS} ports`);
  return x.map((p, i) => {
    const o = obj(p, `${what}[${i}]`);
    onlyKeys(o, ['protocol', 'port'], `${what}[${i}]`);
    if (o.protocol !== 'tcp' && o.protocol !== 'udp') throw new Malformed(`${what}[${i}].protocol must be tcp or udp`);
    const port = count(o.port, `${what}[${i}].port`);
    if (port < 1 || port > 65535) throw new Malformed(`${what}[${i}].port must be 1-65535`);
    return { protocol: o.protocol, port };
  });
}

/** Samples in one taskMetrics message; a node with more tasks sends several. */
export const MAX_METRICS_SAMPLES = 1_000;
/** 100 per core: no machine has more cores than this allows. */
const MAX_CPU_PERCENT = 100 * 65_536;

const OPTIONAL_COUNTERS = ['netRxBytes', 'netTxBytes', 'blockReadBytes', 'blockWriteBytes', 'pids'] as const;

function metricsSample(x: unknown, what: string): TaskMetricsSample {
  const o = obj(x, what);
  onlyKeys(o, ['taskId', 'timestamp', 'cpuPercent', 'memoryBytes', 'memoryLimitBytes', ...OPTIONAL_COUNTERS], what);
  const cpu = o.cpuPercent;
  if (typeof cpu !== 'number' || !Number.isFinite(cpu) || cpu < 0 || cpu > MAX_CPU_PERCENT) {
    throw new Malformed(`${what}.cpuPercent must be a number from 0 to ${MAX_CPU_PERCENT}`);
  }
  const s: TaskMetricsSample = {
    taskId: text1(o.taskId, `${what}.taskId`),
    timestamp: count(o.timestamp, `${what}.timestamp`),
    cpuPercent: cpu,
    memoryBytes: count(o.memoryBytes, `${what}.memoryBytes`),
    memoryLimitBytes: count(o.memoryLimitBytes, `${what}.memoryLimitBytes`),
  };
  for (const k of OPTIONAL_COUNTERS) if (o[k] !== undefined) s[k] = count(o[k], `${what}.${k}`);
  return s;
}

/** Log lines may be long (a JSON blob on one line); bounded all the same. */
const MAX_LINE = 64 * 1024;

function logLine(x: unknown, what: string): WireLogLine {
  const l = obj(x, what);
  onlyKeys(l, ['taskId', 'stream', 'line', 'timestamp'], what);
  if (l.stream !== 'stdout' && l.stream !== 'stderr') throw new Malformed(`${what}.stream must be stdout or stderr`);
  if (typeof l.line !== 'string' || l.line.length > MAX_LINE) throw new Malformed(`${what}.line must be a string of at most ${MAX_LINE} characters`);
  return { taskId: text1(l.taskId, `${what}.taskId`), stream: l.stream, line: l.line, timestamp: text1(l.timestamp, `${what}.timestamp`) };
}

function list(x: unknown, what: string): unknown[] {
  if (!Array.isArray(x) || x.length > ASSIGNMENT_CHUNK_ENTRIES) throw new Malformed(`assignmentsUpdate: ${what} must be an array of at most ${ASSIGNMENT_CHUNK_ENTRIES}`);
  return x;
}

/** base64 of at most MAX_SECRET_BYTES: the store's own bound, so one blob always fits a frame (frame-bounds.ts). */
const MAX_BLOB_BASE64 = Math.ceil(MAX_SECRET_BYTES / 3) * 4;

function assignedBlob(x: unknown, what: string): AssignedBlob {
  const b = obj(x, what);
  onlyKeys(b, ['id', 'name', 'data', 'templating'], what);
  // The error names the field, never the content.
  if (typeof b.data !== 'string' || b.data.length === 0 || b.data.length > MAX_BLOB_BASE64 || !/^[A-Za-z0-9+/]*={0,2}$/.test(b.data)) {
    throw new Malformed(`${what}.data must be base64 of 1 byte to ${MAX_SECRET_BYTES} bytes`);
  }
  const out: AssignedBlob = { id: text1(b.id, `${what}.id`), name: text1(b.name, `${what}.name`), data: b.data };
  if (b.templating !== undefined) {
    const t = obj(b.templating, `${what}.templating`);
    onlyKeys(t, ['name'], `${what}.templating`);
    if (t.name !== 'golang') throw new Malformed(`${what}.templating.name must be golang`);
    out.templating = { name: 'golang' };
  }
  return out;
}

function assignedTask(x: unknown, what: string): Task {
  const t = obj(x, what);
  text1(t.id, `${what}.id`);
  taskState(t.desiredState, `${what}.desiredState`);
  obj(t.spec, `${what}.spec`);
  obj(t.status, `${what}.status`);
  return t as unknown as Task;
}

/** PEM blocks are longer than other text fields but still bounded. */
function pem(x: unknown, what: string): string {
  if (typeof x !== 'string' || x.length === 0 || x.length > 16 * 1024) throw new Malformed(`${what} must be a PEM text of at most 16 KiB`);
  return x;
}

function role(x: unknown): NodeRole {
  if (x !== 'manager' && x !== 'worker') throw new Malformed('role must be manager or worker');
  return x;
}

function raftTiming(x: unknown): RaftTiming {
  const o = obj(x, 'raft');
  onlyKeys(o, ['tickMs', 'electionTick', 'heartbeatTick', 'snapshotEvery'], 'raft');
  return {
    tickMs: count(o.tickMs, 'raft.tickMs'),
    electionTick: count(o.electionTick, 'raft.electionTick'),
    heartbeatTick: count(o.heartbeatTick, 'raft.heartbeatTick'),
    snapshotEvery: count(o.snapshotEvery, 'raft.snapshotEvery'),
  };
}

function period(x: unknown): number {
  if (count(x, 'heartbeatPeriodMs') === 0) throw new Malformed('heartbeatPeriodMs must be positive');
  return x as number;
}

function addrs(x: unknown): string[] {
  if (!Array.isArray(x) || x.length > MAX_ADDRS) throw new Malformed(`managers must be an array of at most ${MAX_ADDRS} addresses`);
  return x.map((a, i) => text1(a, `managers[${i}]`));
}

function labels(x: unknown, what: string): Record<string, string> {
  const o = obj(x, what);
  const keys = Object.keys(o);
  if (keys.length > MAX_LABELS) throw new Malformed(`${what} has more than ${MAX_LABELS} entries`);
  const out: Record<string, string> = {};
  for (const k of keys) {
    if (k.length > MAX_TEXT) throw new Malformed(`${what}: a key is longer than ${MAX_TEXT} characters`);
    out[k] = text(o[k], `${what}[${JSON.stringify(k)}]`);
  }
  return out;
}

/** A fresh object with the fields in a fixed order, so it compares and stores the same way every time. */
function checkDescription(x: unknown): NodeDescription {
  const d = obj(x, 'description');
  onlyKeys(d, ['hostname', 'platform', 'resources', 'engine', 'dataPath'], 'description');
  const platform = obj(d.platform, 'description.platform');
  onlyKeys(platform, ['os', 'arch'], 'description.platform');
  const resources = obj(d.resources, 'description.resources');
  onlyKeys(resources, ['nanoCPUs', 'memoryBytes'], 'description.resources');
  const out: NodeDescription = {
    hostname: text1(d.hostname, 'description.hostname'),
    platform: { os: text(platform.os, 'description.platform.os'), arch: text(platform.arch, 'description.platform.arch') },
    resources: {
      nanoCPUs: count(resources.nanoCPUs, 'description.resources.nanoCPUs'),
      memoryBytes: count(resources.memoryBytes, 'description.resources.memoryBytes'),
    },
  };
  if (d.engine !== undefined) {
    const engine = obj(d.engine, 'description.engine');
    onlyKeys(engine, ['version', 'labels'], 'description.engine');
    out.engine = { version: text(engine.version, 'description.engine.version'), labels: labels(engine.labels, 'description.engine.labels') };
  }
  if (d.dataPath !== undefined) {
    const dp = obj(d.dataPath, 'description.dataPath');
    onlyKeys(dp, ['addr', 'hostKey'], 'description.dataPath');
    out.dataPath = { addr: text1(dp.addr, 'description.dataPath.addr'), hostKey: text1(dp.hostKey, 'description.dataPath.hostKey') };
  }
  return out;
}

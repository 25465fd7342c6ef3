// A node's agent: one session at a time with the leader's dispatcher.
//
// It dials a manager's /dispatcher with the node certificate (so the session
// can only ever speak for this node), registers the node's description, then
// heartbeats at the period the dispatcher names, jittered so that agents that
// reconnected together drift apart. A follower redirects it to the leader.
// When the session ends for any other reason the agent moves on to the next
// manager it knows, with a bounded, jittered backoff, and keeps doing so until
// stopped: a manager that dies is replaced without anyone's help.

import WebSocket from 'ws';
import { AgentMessage, CLOSE, DISPATCHER_MAX_FRAME_BYTES, encodeMessage, ManagerMessage, parseManagerMessage } from '../api/dispatcher-protocol';
import type { Task } from '../api/service-types';
import { NodeDescription } from '../api/types';
import { expectServer, nodeTlsOptions } from '../ca';
import { BackoffOptions, backoffDelay } from '../util/backoff';
import { AssignmentView } from './assignment-view';
import type { AssignedBlobs } from './executor/types';

export interface AgentCredentials {
  keyPem: string;
  certPem: string;
  caCertPem: string;
}

export interface AgentLogger {
  warn(msg: string, fields?: Record<string, unknown>): void;
  info?(msg: string, fields?: Record<string, unknown>): void;
}

export interface AgentOptions {
  nodeId: string;
  clusterId: string;
  credentials: AgentCredentials;
  /** host:port of the managers' node servers, as last known (identity.json keeps them). */
  managers: string[];
  /** Called at every registration, so a restarted engine is reported. */
  describe(): Promise<NodeDescription>;
  logger?: AgentLogger;
  /** Between failed sessions. Default 100 ms doubling to 5 s, half of each delay random. */
  backoff?: Partial<BackoffOptions>;
  /** Each heartbeat goes out after period × (1 ± jitter). Default 0.25. */
  heartbeatJitter?: number;
  /** Connect, TLS, upgrade and registration together. Default 10 s. */
  dialTimeoutMs?: number;
  random?: () => number;
}

export type AgentState = 'idle' | 'connecting' | 'registered' | 'stopped';

export interface Registration {
  manager: string;
  sessionId: string;
  heartbeatPeriodMs: number;
}

interface AgentEvents {
  registered: (r: Registration) => void;
  /** The session ended; the agent is reconnecting. */
  disconnected: (reason: string) => void;
  /** The managers' addresses changed (persist them to find the cluster after a restart). */
  managers: (addrs: readonly string[]) => void;
  /**
   * Every task the manager places on this node, whole, each time the
   * dispatcher's updates complete one (the wire carries only changes).
   */
  assignments: (tasks: readonly Task[], blobs: AssignedBlobs) => void;
  /** Any other message of the registered session (role changes, network tables, logs), for the daemon to act on. */
  message: (m: ManagerMessage) => void;
}

const AGENT_BACKOFF: BackoffOptions = { initialMs: 100, maxMs: 5000, factor: 2, jitter: 0.5 };
/** Heartbeat periods without an answer before the manager is taken for dead. */
const ACK_PERIODS = 3;
const STOP_TIMEOUT_MS = 1000;

export class Agent {
  private _state: AgentState = 'idle';
  private knownManagers: string[];
  private ws: WebSocket | undefined;
  private registration: Registration | undefined;
  private failures = 0;
  private redirects = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly backoff: BackoffOptions;
  private readonly random: () => number;
  private readonly logger: AgentLogger;
  private readonly listeners: { [E in keyof AgentEvents]: Set<AgentEvents[E]> } = {
    registered: new Set(),
    disconnected: new Set(),
    managers: new Set(),
    assignments: new Set(),
    message: new Set(),
  };
  private readonly view = new AssignmentView();

  constructor(private readonly o: AgentOptions) {
    if (o.managers.length === 0) throw new Error('agent: no manager address to dial');
    this.knownManagers = unique(o.managers);
    this.backoff = { ...AGENT_BACKOFF, ...o.backoff };
    this.random = o.random ?? Math.random;
    this.logger = o.logger ?? { warn: (msg, fields) => console.warn(`[agent] ${msg}`, fields ?? '') };
  }

  get state(): AgentState {
    return this._state;
  }

  /** The manager this agent is registered with, if it is. */
  get manager(): string | undefined {
    return this.registration?.manager;
  }

  get sessionId(): string | undefined {
    return this.registration?.sessionId;
  }

  get managers(): readonly string[] {
    return this.knownManagers;
  }

  on<E extends keyof AgentEvents>(event: E, fn: AgentEvents[E]): () => void {
    this.listeners[event].add(fn);
    return () => this.listeners[event].delete(fn);
  }

  /**
   * Sends on the registered session; false when there is none (the caller
   * retries on the next one). A message larger than a frame may carry is
   * not sent, and said so: the manager would close the session on it.
   */
  send(m: AgentMessage): boolean {
    const ws = this.ws;
    if (this._state !== 'registered' || !ws || ws.readyState !== WebSocket.OPEN) return false;
    const text = encodeMessage(m);
    const bytes = Buffer.byteLength(text);
    if (bytes > DISPATCHER_MAX_FRAME_BYTES) {
      this.logger.warn(`a ${m.type} message of ${bytes} bytes is more than a frame may carry (${DISPATCHER_MAX_FRAME_BYTES}): not sent`);
      return false;
    }
    ws.send(text);
    return true;
  }

  /** Resolves once registered (at once if it is), rejects on timeout or stop. */
  waitRegistered(timeoutMs = 30_000): Promise<Registration> {
    const current = this.registration;
    if (current) return Promise.resolve(current);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`agent: not registered with a manager within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.on('registered', (r) => {
        clearTimeout(timer);
        off();
        resolve(r);
      });
    });
  }

  start(): void {
    if (this._state !== 'idle') return;
    this._state = 'connecting';
    this.dial(this.knownManagers[0]);
  }

  /**
   * Ends the session cleanly (the node shows down one heartbeat period
   * later). `hard` drops the connection without a close frame, as a crashed
   * process would leave it; `silent` leaves it open but says nothing more, as
   * a hung process or a lost network would (a later stop closes it).
   */
  async stop(opts: { hard?: boolean; silent?: boolean } = {}): Promise<void> {
    // A silenced agent still holds its connection: a later stop closes it.
    if (this._state === 'stopped' && this.ws === undefined) return;
    this._state = 'stopped';
    this.registration = undefined;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    // A hung node (simulated nodes, tests): heartbeats stop, the connection
    // stays open until the manager gives up on it; nothing more is sent or heard.
    if (opts.silent) return;
    const ws = this.ws;
    this.ws = undefined;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    if (opts.hard || ws.readyState !== WebSocket.OPEN) {
      ws.terminate();
    } else {
      ws.close(CLOSE.normal, 'agent stopping');
      const cut = setTimeout(() => ws.terminate(), STOP_TIMEOUT_MS);
      void closed.then(() => clearTimeout(cut));
    }
    await closed;
  }

  // ---- one session ------------------------------------------------------------

  private dial(addr: string): void {
    const dialTimeoutMs = this.o.dialTimeoutMs ?? 10_000;
    const options: WebSocket.ClientOptions = {
      ...nodeTlsOptions(this.o.credentials),
      perMessageDeflate: false,
      handshakeTimeout: dialTimeoutMs,
      // The manager splits what could be larger (task sets, network tables) into smaller messages.
      maxPayload: DISPATCHER_MAX_FRAME_BYTES,
    };
    // Node certificates name nodes, not addresses: check the subject is a
    // manager of this cluster. (@types/ws types this hook's result as boolean;
    // ws hands it to tls.connect, which wants Error | undefined.)
    Object.assign(options, { checkServerIdentity: expectServer({ clusterId: this.o.clusterId, roles: ['manager'] }) });
    const ws = new WebSocket(`wss://${addr}/dispatcher`, options);
    this.ws = ws;

    let why: string | undefined;
    let redirectTo: string | undefined;
    let heartbeatTimer: NodeJS.Timeout | undefined;
    let ackTimer: NodeJS.Timeout | undefined;
    const dialTimer = setTimeout(() => {
      why = `no registration within ${dialTimeoutMs} ms`;
      ws.terminate();
    }, dialTimeoutMs);

    const heartbeatSoon = (periodMs: number): void => {
      const jitter = this.o.heartbeatJitter ?? 0.25;
      const delay = Math.max(1, Math.round(periodMs * (1 + jitter * (2 * this.random() - 1))));
      heartbeatTimer = setTimeout(() => {
        if (ws.readyState !== WebSocket.OPEN || this._state === 'stopped') return;
        ws.send(encodeMessage({ v: 1, type: 'heartbeat' }));
        ackTimer = setTimeout(() => {
          if (this._state === 'stopped') return;
          why = `no heartbeat answer from ${addr} within ${ACK_PERIODS} periods`;
          ws.terminate();
        }, ACK_PERIODS * periodMs);
      }, delay);
    };

    const onMessage = (m: ManagerMessage): void => {
      switch (m.type) {
        case 'registered': {
          clearTimeout(dialTimer);
          this.learnManagers(m.managers);
          this.failures = 0;
          this.redirects = 0;
          this._state = 'registered';
          this.registration = { manager: addr, sessionId: m.sessionId, heartbeatPeriodMs: m.heartbeatPeriodMs };
          this.logger.info?.('registered with the dispatcher', { manager: addr, session: m.sessionId });
          for (const fn of [...this.listeners.registered]) fn(this.registration);
          heartbeatSoon(m.heartbeatPeriodMs);
          return;
        }
        case 'heartbeatAck':
          clearTimeout(ackTimer);
          this.learnManagers(m.managers);
          if (this.registration) this.registration.heartbeatPeriodMs = m.heartbeatPeriodMs;
          heartbeatSoon(m.heartbeatPeriodMs);
          return;
        case 'redirect':
          this.learnManagers(m.managers);
          redirectTo = m.leaderAddr;
          why = `redirected to the leader at ${m.leaderAddr}`;
          return;
        case 'error':
          why = m.message;
          return;
        case 'assignmentsUpdate': {
          if (this.ws !== ws || this._state !== 'registered') return;
          const a = this.view.apply(m);
          if (a) for (const fn of [...this.listeners.assignments]) fn(a.tasks, a.blobs);
          return;
        }
        default:
          if (this.ws === ws && this._state === 'registered') for (const fn of [...this.listeners.message]) fn(m);
      }
    };

    ws.on('open', () => {
      this.o.describe().then(
        (description) => {
          if (ws.readyState === WebSocket.OPEN) ws.send(encodeMessage({ v: 1, type: 'register', description }));
        },
        (e: unknown) => {
          why = `cannot describe this node: ${e instanceof Error ? e.message : String(e)}`;
          ws.close(CLOSE.normal, 'agent cannot describe its node');
        },
      );
    });
    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      const parsed = isBinary ? { ok: false as const, reason: 'binary frame' } : parseManagerMessage(rawText(data));
      if (!parsed.ok) {
        why = `malformed message from ${addr}: ${parsed.reason}`;
        ws.close(CLOSE.protocolError, 'malformed message');
        return;
      }
      onMessage(parsed.value);
    });
    ws.on('unexpected-response', (req, res) => {
      // Refused before the upgrade (403 removed node, 404 not a manager, 503 stopping).
      let body = '';
      res.on('data', (c: Buffer) => (body = (body + c.toString('utf8')).slice(0, 500)));
      res.on('end', () => {
        why = `HTTP ${res.statusCode ?? 0}: ${body.trim() || 'no reason given'}`;
        req.destroy();
        ws.terminate();
      });
    });
    ws.on('error', (e: Error & { code?: string }) => {
      why ??= e.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? `a message from ${addr} was larger than a frame may carry (${DISPATCHER_MAX_FRAME_BYTES} bytes)` : e.message;
    });
    ws.once('close', (code: number) => {
      clearTimeout(dialTimer);
      clearTimeout(heartbeatTimer);
      clearTimeout(ackTimer);
      if (this.ws === ws) this.ws = undefined;
      if (this._state === 'stopped') return;
      this.sessionEnded(addr, code, why ?? `connection closed (code ${code})`, redirectTo);
    });
  }

  private sessionEnded(addr: string, code: number, why: string, redirectTo: string | undefined): void {
    const wasRegistered = this._state === 'registered';
    this._state = 'connecting';
    this.registration = undefined;
    for (const fn of [...this.listeners.disconnected]) fn(why);
    let next: string;
    let delay: number;
    // Follow a redirect at once, but a loop of them (managers disagreeing on the leader) backs off.
    if (redirectTo !== undefined && code === CLOSE.redirect && ++this.redirects <= this.knownManagers.length + 1) {
      next = redirectTo;
      delay = 0;
    } else {
      next = this.nextManager(addr);
      delay = backoffDelay(++this.failures, this.backoff, this.random);
    }
    const log = wasRegistered ? this.logger.warn.bind(this.logger) : (this.logger.info ?? (() => undefined));
    log('dispatcher session ended', { manager: addr, reason: why, next, delayMs: delay });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this._state !== 'stopped') this.dial(next);
    }, delay);
  }

  /** The manager after `addr` in the known list, round robin. */
  private nextManager(addr: string): string {
    const list = this.knownManagers;
    return list[(list.indexOf(addr) + 1) % list.length];
  }

  private learnManagers(addrs: readonly string[]): void {
    const next = unique(addrs);
    if (next.length === 0 || sameList(next, this.knownManagers)) return;
    this.knownManagers = next;
    for (const fn of [...this.listeners.managers]) fn(next);
  }
}

function unique(addrs: readonly string[]): string[] {
  return [...new Set(addrs)];
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function rawText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

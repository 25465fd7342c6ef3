// Shared set-up for the transport tests: nodes that record what they get,
// raw protocol clients for misbehaving peers, and cleanup of every socket.

import WebSocket from 'ws';
import { Message, MessageType, newMessage, NodeId } from '../../../lib/raft/core/types';
import { encodeMessage } from '../../../lib/raft/codec';
import { encodeBatch, FrameKind, PROTOCOL, PROTOCOL_VERSION } from '../../../lib/raft/transport/frames';
import { WsTransport } from '../../../lib/raft/transport/ws-transport';
import { WsTransportOptions } from '../../../lib/raft/transport/ws-options';

/** Polls `cond` until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Lets pending I/O callbacks and microtasks run (not a delay: one turn of the event loop). */
export function nextTurn(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

export function msg(type: MessageType, from: NodeId, to: NodeId, fields: Partial<Message> = {}): Message {
  return newMessage(type, { from, to, term: 1, ...fields });
}

/** Reconnects fast enough for a test, and deterministically. */
export const FAST: Partial<WsTransportOptions> = {
  backoff: { initialMs: 20, maxMs: 200 },
  fallbackDialDelayMs: 100,
  random: () => 0.5,
};

export interface TestNode {
  id: NodeId;
  t: WsTransport;
  inbox: Message[];
  unreachable: NodeId[];
  snapshots: Array<[NodeId, boolean]>;
  warnings: string[];
  url: string;
}

export class Harness {
  private readonly transports: WsTransport[] = [];
  private readonly sockets: WebSocket[] = [];
  private readonly cleanups: Array<() => Promise<void>> = [];

  /** Creates and starts a transport that records everything it reports. */
  async node(id: NodeId, options: Partial<WsTransportOptions> = {}): Promise<TestNode> {
    const n: Omit<TestNode, 't' | 'url'> = { id, inbox: [], unreachable: [], snapshots: [], warnings: [] };
    const t = new WsTransport({
      ...FAST,
      ...options,
      id,
      onMessage: (m) => n.inbox.push(m),
      onUnreachable: (p) => n.unreachable.push(p),
      onSnapshotStatus: (p, ok) => n.snapshots.push([p, ok]),
      logger: { warn: (m, f) => n.warnings.push(f ? `${m} ${JSON.stringify(f)}` : m) },
    });
    this.transports.push(t);
    await t.start();
    return { ...n, t, url: t.address().url };
  }

  /** Every node learns every other node's address. */
  meshUp(nodes: TestNode[]): void {
    for (const a of nodes) for (const b of nodes) if (a !== b) a.t.addPeer(b.id, b.url);
  }

  track(ws: WebSocket): WebSocket {
    this.sockets.push(ws);
    return ws;
  }

  onCleanup(fn: () => Promise<void>): void {
    this.cleanups.push(fn);
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    await Promise.all(this.transports.map((t) => t.stop()));
    for (const fn of this.cleanups) await fn();
  }
}

export function connected(a: TestNode, b: TestNode): boolean {
  return a.t.stats().peers[b.id]?.connected === true && b.t.stats().peers[a.id]?.connected === true;
}

export interface Closed {
  code: number;
  reason: string;
}

/** A hand-driven peer speaking the wire protocol directly, for the cases a well-behaved transport never produces. */
export class RawPeer {
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<Closed>;
  readonly frames: Buffer[] = [];

  constructor(h: Harness, url: string, options: WebSocket.ClientOptions = {}) {
    this.ws = h.track(new WebSocket(`${url}/raft`, { perMessageDeflate: false, ...options }));
    this.ws.on('error', () => undefined);
    this.ws.on('message', (data: Buffer) => this.frames.push(data));
    this.opened = new Promise((resolve) => this.ws.once('open', () => resolve()));
    this.closed = new Promise((resolve) =>
      this.ws.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })),
    );
  }

  hello(from: NodeId, to: NodeId, overrides: Record<string, unknown> = {}): void {
    const hs = { proto: PROTOCOL, version: PROTOCOL_VERSION, id: from, to, cluster: '', ...overrides };
    // Built by hand: some tests need fields the typed encoder would not allow.
    this.ws.send(Buffer.concat([Buffer.from([FrameKind.Hello]), Buffer.from(JSON.stringify(hs))]));
  }

  sendMessages(messages: Message[]): void {
    this.ws.send(encodeBatch(messages.map(encodeMessage)));
  }

  async welcomed(): Promise<void> {
    await waitFor(() => this.frames.some((f) => f[0] === FrameKind.Welcome), 'welcome frame');
  }
}

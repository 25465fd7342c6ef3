// One agent's WebSocket on the dispatcher: parses and validates what arrives,
// and closes the socket with a reason the agent can log. The node is the one
// the certificate names; the dispatcher decides what the messages mean.

import { randomBytes } from 'crypto';
import WebSocket from 'ws';
import { AgentMessage, CLOSE, DISPATCHER_MAX_FRAME_BYTES, encodeMessage, ManagerMessage, parseAgentMessage } from '../../api/dispatcher-protocol';
import type { NodeRole } from '../../api/types';
import { Timers } from './timers';

export interface SessionHandlers {
  onMessage(session: AgentSession, message: AgentMessage): void;
  onClose(session: AgentSession): void;
  /** A frame over DISPATCHER_MAX_FRAME_BYTES: one of ours not sent (its sender should have split it), or the agent's refused. */
  onFrameTooLarge(session: AgentSession, detail: string): void;
}

/** How long a closing socket gets to answer the close frame before it is cut. */
const CLOSE_TIMEOUT_MS = 1000;

export class AgentSession {
  readonly id = randomBytes(12).toString('hex');
  /** Set by the dispatcher once it accepted `register`. */
  registered = false;
  /** Set once the `registered` answer went out: before it, the agent drops other messages. */
  answered = false;
  /** The role this session was last told to take (roleChange), and when, so it is not asked at every check. */
  roleAsked: NodeRole | undefined;
  roleAskedAt = 0;
  /** A certificate request is being signed and recorded. */
  certBusy = false;
  private closing = false;
  private closed = false;

  constructor(
    private readonly ws: WebSocket,
    readonly nodeId: string,
    /** The role in the node's certificate: what it may do now, whatever the store wishes. */
    readonly certRole: NodeRole,
    readonly remoteAddr: string | undefined,
    private readonly timers: Timers,
    private readonly handlers: SessionHandlers,
  ) {
    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => this.receive(data, isBinary));
    // 'close' follows and says all there is to say, but for a frame over the bound (ws closes with 1009).
    ws.on('error', (e: Error & { code?: string }) => {
      if (e.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        this.handlers.onFrameTooLarge(this, `it sent a frame larger than ${DISPATCHER_MAX_FRAME_BYTES} bytes: session closed`);
      }
    });
    ws.once('close', () => {
      this.closed = true;
      this.handlers.onClose(this);
    });
  }

  get isOpen(): boolean {
    return !this.closing && !this.closed;
  }

  send(message: ManagerMessage): void {
    if (!this.isOpen) return;
    const text = encodeMessage(message);
    // The agent would close the session on it: better one message missing, and said so, than a session lost for good.
    const bytes = Buffer.byteLength(text);
    if (bytes > DISPATCHER_MAX_FRAME_BYTES) {
      return this.handlers.onFrameTooLarge(this, `a ${message.type} message of ${bytes} bytes is more than a frame may carry (${DISPATCHER_MAX_FRAME_BYTES}): not sent`);
    }
    this.ws.send(text);
  }

  /** Sends `error {message}` first when there is a reason the agent should log. */
  close(code: number, reason: string, sendError = true): void {
    if (!this.isOpen) return;
    if (sendError) this.send({ v: 1, type: 'error', message: reason });
    this.closing = true;
    this.ws.close(code, closeReason(reason));
    const cut = this.timers.setTimeout(() => this.ws.terminate(), CLOSE_TIMEOUT_MS);
    this.ws.once('close', () => this.timers.clearTimeout(cut));
  }

  private receive(data: WebSocket.RawData, isBinary: boolean): void {
    if (!this.isOpen) return;
    if (isBinary) return this.close(CLOSE.protocolError, 'malformed message: binary frames are not part of the protocol');
    const parsed = parseAgentMessage(rawText(data));
    if (!parsed.ok) return this.close(CLOSE.protocolError, `malformed message: ${parsed.reason}`);
    this.handlers.onMessage(this, parsed.value);
  }
}

/** The remote IP as the node's status shows it (docker shows IPv4 without the mapped-IPv6 prefix). */
export function remoteAddressOf(ws: WebSocket): string | undefined {
  // ws keeps its socket private and NodeServer hands over only the WebSocket,
  // so read the field ws itself uses; absent, the node just shows no address.
  const socket = (ws as unknown as { _socket?: { remoteAddress?: string } })._socket;
  const addr = socket?.remoteAddress;
  return addr?.startsWith('::ffff:') ? addr.slice('::ffff:'.length) : addr;
}

function rawText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

/** A close frame's reason is at most 123 bytes of UTF-8. */
function closeReason(reason: string): string {
  let r = reason;
  while (Buffer.byteLength(r) > 123) r = r.slice(0, -1);
  return r;
}

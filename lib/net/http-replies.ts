// Small HTTP plumbing for the node server: bounded JSON bodies, JSON and text
// answers, and refusing an upgrade on the raw socket before it becomes a WebSocket.

import type { IncomingMessage, ServerResponse } from 'http';
import { STATUS_CODES } from 'http';
import type { Duplex } from 'stream';

/** A request the route cannot serve: status and a one-line message for the client. */
export class HttpRefusal extends Error {
  override name = 'HttpRefusal';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    const b = c as Buffer;
    size += b.length;
    // Stop reading at once: an endless body must not grow the heap.
    if (size > maxBytes) throw new HttpRefusal(413, `request body over ${maxBytes} bytes`);
    chunks.push(b);
  }
  // No body at all is undefined, not a syntax error: bodiless requests (GET, a plain POST) are normal.
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new HttpRefusal(400, 'request body is not valid JSON');
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(data)) });
  res.end(data);
}

export function sendError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  // A body not read to the end would otherwise keep the socket busy after we answered.
  if (!res.req.complete) res.setHeader('connection', 'close');
  sendJson(res, status, { error: message }, headers);
}

export function sendText(res: ServerResponse, status: number, text: string, contentType = 'text/plain'): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

/** Answers an upgrade request with a plain HTTP error and closes the socket. */
export function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  const body = `${reason}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
      'Connection: close\r\nContent-Type: text/plain\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

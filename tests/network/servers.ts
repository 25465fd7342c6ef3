// Stand-ins for tasks in the network tests: small TCP and UDP servers on
// loopback addresses, and helpers to drive a byte stream and read its answer.

import * as dgram from 'dgram';
import * as net from 'net';
import type { Duplex } from 'stream';
import type { Cleanup } from '../net/fixtures';

export interface TcpTask {
  port: number;
  /** Connections accepted so far. */
  accepted: number;
  /** Client addresses as this server saw them. */
  peers: string[];
  /** The server's side of each connection, to reset one as a crashing task would. */
  sockets: net.Socket[];
  /** Socket errors seen (ECONNRESET when a client was reset). */
  errors: string[];
}

/**
 * A TCP server that reads the whole request (up to the client's FIN), then
 * answers `reply(request)` and ends: a client that half-closes still gets it.
 */
export async function replyServer(
  cleanup: Cleanup,
  host: string,
  reply: (request: Buffer) => Buffer | string,
  port = 0,
): Promise<TcpTask> {
  const task: TcpTask = { port: 0, accepted: 0, peers: [], sockets: [], errors: [] };
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    task.accepted++;
    task.peers.push(s.remoteAddress ?? '?');
    task.sockets.push(s);
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    s.on('error', (err: NodeJS.ErrnoException) => task.errors.push(err.code ?? err.message));
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('end', () => s.end(reply(Buffer.concat(chunks))));
  });
  await listen(server, host, port);
  task.port = (server.address() as net.AddressInfo).port;
  cleanup.add(() => closeServer(server, sockets));
  return task;
}

/** A TCP server that echoes bytes as they come (pipe: backpressure both ways) and ends when the client does. */
export async function echoServer(cleanup: Cleanup, host: string, port = 0): Promise<TcpTask> {
  const task: TcpTask = { port: 0, accepted: 0, peers: [], sockets: [], errors: [] };
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    task.accepted++;
    task.peers.push(s.remoteAddress ?? '?');
    task.sockets.push(s);
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    s.on('error', (err: NodeJS.ErrnoException) => task.errors.push(err.code ?? err.message));
    s.pipe(s);
  });
  await listen(server, host, port);
  task.port = (server.address() as net.AddressInfo).port;
  cleanup.add(() => closeServer(server, sockets));
  return task;
}

/** A UDP server answering each datagram with `${name}:${payload}`; records who sent what. */
export async function udpEchoServer(cleanup: Cleanup, host: string, name: string, port = 0): Promise<{ port: number; seen: string[] }> {
  const socket = dgram.createSocket('udp4');
  const seen: string[] = [];
  socket.on('message', (msg, rinfo) => {
    seen.push(`${rinfo.address}:${rinfo.port} ${msg.toString()}`);
    socket.send(`${name}:${msg.toString()}`, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(port, host, resolve));
  cleanup.add(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  return { port: socket.address().port, seen };
}

/** A port on `host` that nothing listens on (bound, then freed). */
export async function closedPort(host: string): Promise<number> {
  const server = net.createServer();
  await listen(server, host, 0);
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Everything a stream sends until it ends; rejects if it is reset or destroyed first. */
export function readAll(stream: Duplex): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.once('end', () => resolve(Buffer.concat(chunks)));
    stream.once('error', reject);
    stream.once('close', () => reject(new Error(`closed before its end (${Buffer.concat(chunks).length} bytes read)`)));
  });
}

/** How a client connection ended: with the server's answer, or reset. */
export function outcome(socket: net.Socket): Promise<{ data: string } | { error: string }> {
  return readAll(socket).then(
    (b) => ({ data: b.toString() }),
    (err: NodeJS.ErrnoException) => ({ error: err.code ?? err.message }),
  );
}

export function connectTcp(cleanup: Cleanup, host: string, port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port, allowHalfOpen: true });
    cleanup.add(() => void s.destroy());
    s.once('connect', () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
}

/**
 * Sends `payload` on a fresh connection, half-closes, and returns the answer or
 * the error code: a reset can come before the connect completes, when the
 * proxy refuses at once.
 */
export function request(cleanup: Cleanup, host: string, port: number, payload: string): Promise<{ data: string } | { error: string }> {
  const s = net.connect({ host, port, allowHalfOpen: true });
  cleanup.add(() => void s.destroy());
  const result = outcome(s);
  s.end(payload);
  return result;
}

function listen(server: net.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: net.Server, sockets: Set<net.Socket>): Promise<void> {
  for (const s of sockets) s.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

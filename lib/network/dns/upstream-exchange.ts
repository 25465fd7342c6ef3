// One query to one upstream and its answer, over UDP or TCP. Resolves with the
// answer, or undefined when the upstream fails, is silent past the timeout, or the
// exchange is aborted; it never rejects, so a bad upstream is simply skipped.
import dgram from 'node:dgram';
import net from 'node:net';
import type { Transport } from './messages';
import { FrameReader, frame } from './tcp-frames';
import type { Upstream } from './upstreams';

const HEADER_SIZE = 12;
const QR_BIT = 0x80;

/** Whether `message` is an answer to the query with this id. */
function answersId(message: Buffer, id: number): boolean {
  return message.length >= HEADER_SIZE && message.readUInt16BE(0) === id && (message[2] & QR_BIT) !== 0;
}

interface Exchange {
  finish(answer: Buffer | undefined): void;
  finished(): boolean;
  promise: Promise<Buffer | undefined>;
}

function exchange(timeoutMs: number, signal: AbortSignal, release: () => void): Exchange {
  let resolve!: (answer: Buffer | undefined) => void;
  const promise = new Promise<Buffer | undefined>((r) => (resolve = r));
  let done = false;
  const finish = (answer: Buffer | undefined): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
    release();
    resolve(answer);
  };
  const onAbort = (): void => finish(undefined);
  const timer = setTimeout(() => finish(undefined), timeoutMs);
  signal.addEventListener('abort', onAbort);
  return { finish, finished: () => done, promise };
}

export function udpExchange(
  upstream: Upstream,
  query: Buffer,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<Buffer | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  // A socket per query: its random source port, with the random id, is what makes
  // a forged answer hard to slip in (RFC 5452).
  const socket = dgram.createSocket(upstream.family === 6 ? 'udp6' : 'udp4');
  const id = query.readUInt16BE(0);
  const { finish, finished, promise } = exchange(timeoutMs, signal, () => socket.close());
  // A refused port (ICMP) or a send failure ends this upstream's turn early.
  socket.on('error', () => finish(undefined));
  socket.on('message', (message) => {
    if (answersId(message, id)) finish(message);
  });
  // Connected, so the kernel drops datagrams from anyone but the upstream.
  socket.connect(upstream.port, upstream.address, () => {
    // Sending on a socket closed meanwhile (timeout, abort) would throw.
    if (finished()) return;
    socket.send(query, (err) => {
      if (err) finish(undefined);
    });
  });
  return promise;
}

export function tcpExchange(
  upstream: Upstream,
  query: Buffer,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<Buffer | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  const socket = net.connect({ host: upstream.address, port: upstream.port });
  const id = query.readUInt16BE(0);
  const reader = new FrameReader();
  const { finish, promise } = exchange(timeoutMs, signal, () => socket.destroy());
  socket.on('error', () => finish(undefined));
  socket.on('close', () => finish(undefined));
  socket.on('data', (chunk) => {
    let messages: Buffer[];
    try {
      messages = reader.push(chunk);
    } catch {
      finish(undefined);
      return;
    }
    const answer = messages.find((m) => answersId(m, id));
    if (answer !== undefined) finish(Buffer.from(answer));
  });
  socket.write(frame(query));
  return promise;
}

export type ExchangeFn = typeof udpExchange;

export function exchangeWith(transport: Transport): ExchangeFn {
  return transport === 'udp' ? udpExchange : tcpExchange;
}

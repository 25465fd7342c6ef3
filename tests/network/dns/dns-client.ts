// A small DNS client for the tests, on dns2's codec: queries with a chosen id,
// source address or EDNS size, and raw bytes for malformed input.
import dgram from 'node:dgram';
import net from 'node:net';
import dns2 from 'dns2';

export const { Packet } = dns2;
export type Packet = dns2.Packet;

export interface Target {
  address: string;
  port: number;
}

export type QueryType = 'A' | 'AAAA' | 'ANY' | 'MX' | 'TXT';

export interface QueryOptions {
  id?: number;
  /** Advertise this EDNS UDP payload size. */
  ednsSize?: number;
  /** Bind the client to this source address. */
  from?: string;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 3000;

export function encodeQuery(name: string, type: QueryType = 'A', o: QueryOptions = {}): Buffer {
  const query = new Packet();
  query.header.id = o.id ?? Packet.uuid();
  query.header.rd = 1;
  query.questions.push(new Packet.Question(name, Packet.TYPE[type], Packet.CLASS.IN));
  if (o.ednsSize !== undefined) query.additionals.push(Packet.Resource.EDNS([], { udpPayloadSize: o.ednsSize }));
  return query.toBuffer();
}

export function timeout(ms: number, what: string): { promise: Promise<never>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

/** Sends each message from one UDP socket and resolves with the first `expect` datagrams received. */
export async function udpRaw(target: Target, messages: Buffer[], o: QueryOptions & { expect?: number } = {}): Promise<Buffer[]> {
  const socket = dgram.createSocket('udp4');
  const expect = o.expect ?? 1;
  const received: Buffer[] = [];
  const limit = timeout(o.timeoutMs ?? DEFAULT_TIMEOUT_MS, `${expect} UDP answer(s) from ${target.address}:${target.port}`);
  try {
    const done = new Promise<Buffer[]>((resolve, reject) => {
      socket.on('error', reject);
      socket.on('message', (message) => {
        received.push(message);
        if (received.length === expect) resolve(received);
      });
    });
    await new Promise<void>((resolve) => socket.bind({ address: o.from ?? '127.0.0.1', port: 0 }, resolve));
    for (const message of messages) socket.send(message, target.port, target.address);
    return await Promise.race([done, limit.promise]);
  } finally {
    limit.cancel();
    socket.close();
  }
}

export async function udpQuery(target: Target, name: string, type: QueryType = 'A', o: QueryOptions = {}): Promise<Packet> {
  const [answer] = await udpRaw(target, [encodeQuery(name, type, o)], o);
  return Packet.parse(answer);
}

/** One TCP connection: messages out with their length prefix, answers in one at a time. */
export class TcpClient {
  private readonly closedPromise: Promise<void>;

  private constructor(readonly socket: net.Socket) {
    socket.on('error', () => undefined);
    this.closedPromise = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static async connect(target: Target, from?: string): Promise<TcpClient> {
    const socket = net.connect({ host: target.address, port: target.port, localAddress: from });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new TcpClient(socket);
  }

  /** Writes the messages in one chunk, so the server must split them itself. */
  send(...messages: Buffer[]): void {
    const framed = messages.map((message) => {
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(message.length);
      return Buffer.concat([prefix, message]);
    });
    this.socket.write(Buffer.concat(framed));
  }

  async next(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Packet> {
    const limit = timeout(timeoutMs, 'a TCP answer');
    try {
      return Packet.parse(await Promise.race([Packet.readStream(this.socket), limit.promise]));
    } finally {
      limit.cancel();
    }
  }

  /** Resolves when the server has closed the connection. */
  async closed(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    const limit = timeout(timeoutMs, 'the server to close the connection');
    try {
      await Promise.race([this.closedPromise, limit.promise]);
    } finally {
      limit.cancel();
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export async function tcpQuery(target: Target, name: string, type: QueryType = 'A', o: QueryOptions = {}): Promise<Packet> {
  const client = await TcpClient.connect(target, o.from);
  try {
    client.send(encodeQuery(name, type, o));
    return await client.next(o.timeoutMs);
  } finally {
    client.destroy();
  }
}

export type Via = 'udp' | 'tcp';

export function query(via: Via, target: Target, name: string, type: QueryType = 'A', o: QueryOptions = {}): Promise<Packet> {
  return via === 'udp' ? udpQuery(target, name, type, o) : tcpQuery(target, name, type, o);
}

export const { TYPE, RCODE } = Packet;

/** Polls `condition` until it holds, failing after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

// The direct path's reading side (lib/network/fast-read.ts) under splice():
// a read buffer reused only once the client's socket has taken what was
// written from it, so the bytes must come out exact however slowly the client
// reads; and a socket not joined yet is a plain socket to whoever reads it.

import { createHash, randomBytes } from 'crypto';
import * as net from 'net';
import { connectFastRead } from '../../lib/network/fast-read';
import { splice } from '../../lib/network/splice';
import { Cleanup } from '../net/fixtures';
import { readAll } from './servers';

let cleanup: Cleanup;
beforeEach(() => {
  cleanup = new Cleanup();
});
afterEach(() => cleanup.run());

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Listens on `host` with `onConnection`; the cleanup destroys every socket it registered and closes the server. */
async function serve(host: string, onConnection: (s: net.Socket, track: (s: net.Socket) => void) => void): Promise<number> {
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket): void => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    track(s);
    onConnection(s, track);
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  cleanup.add(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  );
  return (server.address() as net.AddressInfo).port;
}

/** A server that writes `payload` to each connection as soon as it is accepted, then ends. */
function sender(payload: Buffer): Promise<number> {
  return serve('127.0.0.2', (s) => {
    s.on('error', () => undefined);
    s.end(payload);
  });
}

/** A proxy on 127.0.0.3 that joins each client to a fresh fast-read connection to the sender; `delayMs` before it joins. */
function proxy(target: number, delayMs = 0): Promise<number> {
  return serve('127.0.0.3', (client, track) => {
    const up = connectFastRead({ host: '127.0.0.2', port: target, allowHalfOpen: true });
    track(up);
    up.once('connect', () => setTimeout(() => splice(client, up), delayMs));
  });
}

/** Reads everything, stopping for a few ms every 256 KiB or so, so the proxy's writes back up and complete in parts. */
function readSlowly(s: net.Socket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let sinceStop = 0;
    s.on('data', (c: Buffer) => {
      chunks.push(c);
      sinceStop += c.length;
      if (sinceStop > 256 * 1024) {
        sinceStop = 0;
        s.pause();
        setTimeout(() => s.resume(), 3);
      }
    });
    s.once('end', () => resolve(Buffer.concat(chunks)));
    s.once('error', reject);
  });
}

function connectTo(port: number): net.Socket {
  const s = net.connect({ host: '127.0.0.3', port, allowHalfOpen: true });
  cleanup.add(() => void s.destroy());
  s.end();
  return s;
}

describe('fast-read under splice', () => {
  it('moves many megabytes byte for byte to a client that keeps stopping', async () => {
    const payload = randomBytes(24 * 1024 * 1024 + 7);
    const port = await proxy(await sender(payload));
    const got = await readSlowly(connectTo(port));
    expect(got.length).toBe(payload.length);
    expect(sha(got)).toBe(sha(payload));
  });

  it('keeps the bytes of two connections apart when both back up at once', async () => {
    const a = randomBytes(8 * 1024 * 1024 + 1);
    const b = randomBytes(8 * 1024 * 1024 + 5);
    const [pa, pb] = [await proxy(await sender(a)), await proxy(await sender(b))];
    const [ga, gb] = await Promise.all([readSlowly(connectTo(pa)), readSlowly(connectTo(pb))]);
    expect(sha(ga)).toBe(sha(a));
    expect(sha(gb)).toBe(sha(b));
  });

  it('passes on what a server sent before the connection was joined, and its end', async () => {
    const payload = randomBytes(300 * 1024);
    const port = await proxy(await sender(payload), 50);
    const got = await readAll(connectTo(port));
    expect(sha(got)).toBe(sha(payload));
  });

  it('is a plain socket to a reader when nothing joins it', async () => {
    const payload = randomBytes(1024 * 1024 + 3);
    const port = await sender(payload);
    const s = connectFastRead({ host: '127.0.0.2', port });
    cleanup.add(() => void s.destroy());
    const got = await readAll(s);
    expect(sha(got)).toBe(sha(payload));
  });
});

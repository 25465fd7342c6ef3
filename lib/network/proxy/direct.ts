// The way to a task on this node's own engine: straight to its container
// address, no mesh.

import * as dgram from 'dgram';
import { isIPv6, Socket } from 'net';
import { dialError } from '../dial-error';
import { connectFastRead } from '../fast-read';
import type { DatagramChannel } from './types';

/** A connected TCP socket, or an error with the socket's code (ECONNREFUSED, ...) or ETIMEDOUT. */
export function connectDirect(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    // allowHalfOpen: the task's FIN must not end our side before the client's reply is through.
    // Read into a buffer of its own and written straight on to the client: splice() knows it.
    const socket = connectFastRead({ host, port, noDelay: true, allowHalfOpen: true });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(dialError('ETIMEDOUT', `connect to ${host}:${port}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const fail = (err: Error): void => {
      clearTimeout(timer);
      reject(err);
    };
    socket.once('error', fail);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', fail);
      resolve(socket);
    });
  });
}

/** A UDP socket connected to the task's port: what it sends back comes to onMessage. */
export function datagramsDirect(host: string, port: number): Promise<DatagramChannel> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    const fail = (err: Error): void => {
      closeQuietly(socket);
      reject(err);
    };
    socket.once('error', fail);
    socket.connect(port, host, () => {
      socket.off('error', fail);
      resolve(new SocketChannel(socket));
    });
  });
}

class SocketChannel implements DatagramChannel {
  private ended = false;

  constructor(private readonly socket: dgram.Socket) {
    // ICMP port unreachable on a connected socket comes back as an error; UDP just stays quiet.
    socket.on('error', () => undefined);
    socket.once('close', () => (this.ended = true));
  }

  get closed(): boolean {
    return this.ended;
  }

  send(payload: Buffer): void {
    if (!this.ended) this.socket.send(payload);
  }

  onMessage(fn: (payload: Buffer) => void): void {
    this.socket.on('message', (msg) => fn(msg));
  }

  close(): void {
    if (this.ended) return;
    this.ended = true;
    closeQuietly(this.socket);
  }
}

function closeQuietly(socket: dgram.Socket): void {
  try {
    socket.close();
  } catch {
    // Already closed.
  }
}

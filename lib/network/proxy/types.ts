// What the node's listeners need to know, and what they need done. The node
// (lib/network/node-network.ts) derives listener specs from its network table
// and hands them over; the proxy owns the sockets, the balancing and the
// retries, the dialer owns the way to a task (direct, or through the mesh).

import type { Duplex } from 'stream';

/** A task that can take a connection. */
export interface Backend {
  taskId: string;
  nodeId: string;
}

export interface ListenerSpec {
  /** Identity: a spec with the same key is the same listener (kept open across reconciles). */
  key: string;
  /** IPv4 address to listen on (a VIP, a task address, or the node's publish address). */
  address: string;
  port: number;
  protocol: 'tcp' | 'udp';
  /** The port on the backend task. */
  targetPort: number;
  /** The tasks that may serve now; read at each new connection or UDP flow. */
  backends(): readonly Backend[];
  /** Whether a peer (source address) may use this listener; absent: anyone may (published ports). */
  allow?(peerAddress: string): boolean | Promise<boolean>;
}

/** A datagram path to one task port: send() out, onMessage() back. */
export interface DatagramChannel {
  send(payload: Buffer): void;
  onMessage(fn: (payload: Buffer) => void): void;
  close(): void;
}

export interface Dialer {
  /** A TCP stream to the task's port; rejects with an error whose `code` is 'ECONNREFUSED' when the task refused. */
  connect(b: Backend, port: number): Promise<Duplex>;
  /** A datagram channel to the task's UDP port. */
  datagrams(b: Backend, port: number): Promise<DatagramChannel>;
}

export interface ProxyLogger {
  warn(msg: string): void;
  info?(msg: string): void;
}

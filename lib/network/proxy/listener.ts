// What the proxy set holds for each listener spec, whatever its protocol.

import type { Dialer, ListenerSpec, ProxyLogger } from './types';

export interface ListenerStats {
  key: string;
  protocol: 'tcp' | 'udp';
  address: string;
  port: number;
  /** Bound and serving; false while a bind is retried. */
  listening: boolean;
  /** Bind attempts that failed (address in use by another node, no local route yet, ...). */
  bindFailures: number;
  /** TCP connections accepted, or UDP flows started. */
  accepted: number;
  /** TCP connections, or UDP flows, open now. */
  active: number;
  /** Refused by the spec's allow(): the peer may not use this address. */
  denied: number;
  /** No backend took them: none listed, or every one tried failed. */
  unserved: number;
  /** Failed attempts to reach a backend (each one tried counts). */
  dialFailures: number;
  /** UDP datagrams dropped: too many flows, or too much queued while a flow opened. */
  droppedDatagrams: number;
}

export interface ListenerDeps {
  dialer: Dialer;
  logger?: ProxyLogger;
  retryBindMs: number;
}

export interface Listener {
  /** Starts binding (retried until it works or the listener stops). */
  start(): void;
  /** A new spec for the same address, port and protocol: used from the next connection or flow on. */
  update(spec: ListenerSpec): void;
  /** Stops taking new connections; TCP connections already open go on. Resolves once the socket and its connections are closed. */
  stop(): Promise<void>;
  /** Ends every connection and flow now. */
  destroy(): void;
  /** Connections or flows open now. */
  active(): number;
  stats(): ListenerStats;
}

/** Most backends one connection or flow tries before it is given up. */
export const MAX_ATTEMPTS = 8;

export function describe(spec: ListenerSpec): string {
  return `${spec.protocol} ${spec.address}:${spec.port} (${spec.key})`;
}

export function emptyStats(spec: ListenerSpec): ListenerStats {
  return {
    key: spec.key,
    protocol: spec.protocol,
    address: spec.address,
    port: spec.port,
    listening: false,
    bindFailures: 0,
    accepted: 0,
    active: 0,
    denied: 0,
    unserved: 0,
    dialFailures: 0,
    droppedDatagrams: 0,
  };
}

// Configuration of the WebSocket transport and the defaults it falls back to.

import type { PeerCertificate } from 'tls';
import { NodeId } from '../core/types';
import { BackoffOptions, DEFAULT_BACKOFF } from '../../util/backoff';
import { Direction } from './connection';
import { TransportTlsOptions } from './tls-options';
import { TransportHandlers } from './transport';

/** What authorizePeer gets to look at once a handshake names the peer. */
export interface PeerIdentity {
  id: NodeId;
  direction: Direction;
  remoteAddress?: string;
  /** The verified TLS certificate of the peer, when TLS is on. */
  certificate?: PeerCertificate;
}

export interface TransportLogger {
  warn(msg: string, fields?: Record<string, unknown>): void;
  debug?(msg: string, fields?: Record<string, unknown>): void;
}

export interface WsTransportOptions extends TransportHandlers {
  /** This node's raft id. */
  id: NodeId;
  /**
   * Default true. false: open no server; the owner, which serves the node's one
   * port, passes WebSocket upgrades for raft in through handleUpgrade once it
   * has decided the client may use raft. host and port are then unused.
   */
  listen?: boolean;
  /** Listen address. Default 127.0.0.1: exposing raft is a deliberate choice. */
  host?: string;
  /** Default 0 (ephemeral); after the first start the bound port is kept for restarts. */
  port?: number;
  /** HTTP path of the endpoint, default '/raft'; peers' URLs without a path get it appended. */
  path?: string;
  /** Nodes refuse peers whose cluster id differs. Default ''. */
  clusterId?: string;
  tls?: TransportTlsOptions;
  /** Last word on a peer after the handshake (both directions): true, or a reason to refuse. */
  authorizePeer?: (peer: PeerIdentity) => true | string;
  /** Send queue bound per peer. Defaults 4096 messages, 64 MiB. */
  maxQueueMessages?: number;
  maxQueueBytes?: number;
  /** Largest encoded message sent or accepted in one frame. Default 128 MiB. */
  maxMessageBytes?: number;
  /**
   * Largest snapshot sent or accepted; one bigger than maxFrameBytes travels
   * in chunks of maxFrameBytes. Default 2 GiB.
   */
  maxSnapshotBytes?: number;
  /** Batching target per frame. Default 1 MiB. */
  maxFrameBytes?: number;
  /** Socket buffer level above which frames wait in the queue. Default 4 MiB. */
  highWaterMarkBytes?: number;
  backoff?: Partial<BackoffOptions>;
  /**
   * The higher id of a pair waits this much longer before dialing, so that
   * normally only the lower id dials and no duplicate socket is made. Default 500 ms.
   */
  fallbackDialDelayMs?: number;
  /** Default 5 s. */
  handshakeTimeoutMs?: number;
  /** Liveness pings; a socket silent for a whole interval is dropped. 0 disables. Default 10 s. */
  pingIntervalMs?: number;
  /** At most one onUnreachable per peer per interval. Default 1 s. */
  unreachableIntervalMs?: number;
  /** For tests: jitter source and clock. */
  random?: () => number;
  now?: () => number;
  logger?: TransportLogger;
}

export type ResolvedOptions = Required<
  Omit<WsTransportOptions, 'tls' | 'authorizePeer' | 'onSnapshotStatus' | 'backoff' | keyof TransportHandlers>
> & { backoff: BackoffOptions };

export function resolveOptions(o: WsTransportOptions): ResolvedOptions {
  const id = o.id;
  return {
    id,
    listen: o.listen ?? true,
    host: o.host ?? '127.0.0.1',
    port: o.port ?? 0,
    path: o.path ?? '/raft',
    clusterId: o.clusterId ?? '',
    maxQueueMessages: o.maxQueueMessages ?? 4096,
    maxQueueBytes: o.maxQueueBytes ?? 64 * 1024 * 1024,
    maxMessageBytes: o.maxMessageBytes ?? 128 * 1024 * 1024,
    maxSnapshotBytes: o.maxSnapshotBytes ?? 2 * 1024 * 1024 * 1024,
    maxFrameBytes: o.maxFrameBytes ?? 1024 * 1024,
    highWaterMarkBytes: o.highWaterMarkBytes ?? 4 * 1024 * 1024,
    backoff: { ...DEFAULT_BACKOFF, ...o.backoff },
    fallbackDialDelayMs: o.fallbackDialDelayMs ?? 500,
    handshakeTimeoutMs: o.handshakeTimeoutMs ?? 5000,
    pingIntervalMs: o.pingIntervalMs ?? 10_000,
    unreachableIntervalMs: o.unreachableIntervalMs ?? 1000,
    random: o.random ?? Math.random,
    now: o.now ?? Date.now,
    logger: o.logger ?? {
      warn: (msg, fields) => console.warn(`[raft transport ${id}] ${msg}`, fields ?? ''),
    },
  };
}

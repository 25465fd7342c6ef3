// The contract between a raft node's driver and whatever carries its messages
// to other nodes: WebSocket between processes, or memory inside one process.

import { Message, NodeId } from '../core/types';

/** Callbacks a transport makes into the raft node that owns it. */
export interface TransportHandlers {
  /** A message for this node arrived. Its `from` was checked against the link it came on. */
  onMessage(m: Message): void;
  /**
   * Messages to `id` are being dropped (no connection). Rate-limited per peer;
   * the node passes it to the core so the leader stops pipelining to that peer.
   */
  onUnreachable(id: NodeId): void;
  /** Whether a Snap message to `id` was handed to the network (true) or dropped (false). */
  onSnapshotStatus?(id: NodeId, ok: boolean): void;
}

export interface PeerStats {
  id: NodeId;
  /** Address from addPeer; undefined for a peer we only know because it connected to us. */
  url?: string;
  /** A handshaken connection is up and carries messages. */
  connected: boolean;
  /** Which side dialed the connection in use. */
  direction?: 'inbound' | 'outbound';
  /** Sockets to this peer right now, handshaking ones included (1 when settled). */
  sockets: number;
  /** Messages written to the network / delivered to onMessage. */
  sent: number;
  received: number;
  /** Outgoing messages dropped: not connected, queue full, too large, or unencodable. */
  dropped: number;
  /** Incoming messages refused: `from`/`to` not matching the connection, or a local-only type. */
  rejected: number;
  /** Frames that failed to decode; each one also closed its connection. */
  decodeErrors: number;
  /** Messages waiting in the send queue, and their encoded size. */
  queued: number;
  queuedBytes: number;
  /** Bytes handed to the socket but not yet flushed to the kernel. */
  bufferedBytes: number;
  /** Connections established over this transport's lifetime. */
  connects: number;
}

export interface TransportStats {
  id: NodeId;
  /** Outgoing messages dropped because the destination is not a known peer (or is this node). */
  droppedUnknown: number;
  /** Inbound connections refused before or during the handshake (TLS, version, cluster, identity). */
  refused: number;
  peers: Record<NodeId, PeerStats>;
}

export interface Transport {
  readonly id: NodeId;
  /** Starts listening (a no-op for in-memory transports apart from joining the network). */
  start(): Promise<void>;
  /** Closes the listener and every connection and clears timers. Idempotent; start() may follow. */
  stop(): Promise<void>;
  /** Adds or re-addresses a peer. Throws on a malformed id or url: that is a configuration bug. */
  addPeer(id: NodeId, url: string): void;
  removePeer(id: NodeId): void;
  /** Routes each message by `m.to`. Never throws and never waits: what cannot go out now is dropped. */
  send(messages: Message[]): void;
  stats(): TransportStats;
}

export function emptyPeerStats(id: NodeId, url?: string): PeerStats {
  return {
    id,
    url,
    connected: false,
    sockets: 0,
    sent: 0,
    received: 0,
    dropped: 0,
    rejected: 0,
    decodeErrors: 0,
    queued: 0,
    queuedBytes: 0,
    bufferedBytes: 0,
    connects: 0,
  };
}

export function isValidNodeId(id: unknown): id is NodeId {
  return typeof id === 'number' && Number.isSafeInteger(id) && id > 0;
}

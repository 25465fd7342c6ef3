// The mesh's wire protocol on a node's TLS port (HTTP/2, one session per node
// pair):
//   POST /mesh/tcp   swarm-task: ID, swarm-port: N   one stream per proxied TCP connection
//   POST /mesh/udp   (same headers)                  one stream per UDP flow, datagrams framed
// The far node answers 200 once it has reached its task's container; after that
// the request body carries client-to-task bytes and the response body the
// reply, each ended (END_STREAM) when its side sends FIN. Failures are answered
// with a status that the dialing side turns back into a socket error code.

import type { DialErrorCode } from '../dial-error';

export const MESH_TCP_PATH = '/mesh/tcp';
export const MESH_UDP_PATH = '/mesh/udp';
export const HEADER_TASK = 'swarm-task';
export const HEADER_PORT = 'swarm-port';

export const STATUS = {
  connected: 200,
  badRequest: 400,
  /** The peer certificate is not a node of this cluster (answered by the node server). */
  forbidden: 403,
  /** No such task running on the far node. */
  noTask: 404,
  /** The container refused the connection. */
  refused: 502,
  /** The container's address could not be reached (no route, host down). */
  unreachable: 503,
  /** The container did not answer in time. */
  timeout: 504,
} as const;

/** The status the far node answers when connecting to its container failed with `code`. */
export function statusForConnectError(code: string | undefined): number {
  switch (code) {
    case 'ECONNREFUSED':
      return STATUS.refused;
    case 'ETIMEDOUT':
      return STATUS.timeout;
    default:
      return STATUS.unreachable;
  }
}

/** The error code the dialing side reports for a refusal status. */
export function codeForStatus(status: number): DialErrorCode {
  switch (status) {
    case STATUS.refused:
      return 'ECONNREFUSED';
    case STATUS.timeout:
      return 'ETIMEDOUT';
    case STATUS.noTask:
    case STATUS.unreachable:
      return 'EHOSTUNREACH';
    case STATUS.forbidden:
      return 'EACCES';
    case STATUS.badRequest:
      return 'EINVAL';
    default:
      return 'EPROTO';
  }
}

/** Largest datagram a frame can carry: the length prefix is two bytes. */
export const MAX_DATAGRAM = 0xffff;

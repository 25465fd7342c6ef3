// How the node reaches a task: directly at its container address when it runs
// here, else through the mesh to the node it runs on.

import type { Duplex } from 'stream';
import { dialError } from '../dial-error';
import { connectDirect, datagramsDirect } from './direct';
import type { Backend, DatagramChannel, Dialer } from './types';

/** The part of the mesh client the dialer uses (lib/network/mesh's MeshClient). */
export interface MeshDialer {
  connect(nodeAddr: string, taskId: string, port: number): Promise<Duplex>;
  datagrams(nodeAddr: string, taskId: string, port: number): Promise<DatagramChannel>;
}

export interface DialerOptions {
  selfNodeId: string;
  /** A local task's container address on this node's engine; undefined when unknown. */
  localAddr(taskId: string): string | undefined;
  /** Another node's TLS port ("host:port"); undefined when unknown. */
  nodeAddr(nodeId: string): string | undefined;
  mesh: MeshDialer;
  /** Bound on a direct TCP connect. Default 3 s (the mesh has its own). */
  connectTimeoutMs?: number;
}

export function createDialer(o: DialerOptions): Dialer {
  const timeoutMs = o.connectTimeoutMs ?? 3000;
  /** Where a backend is: a container address here, or another node's address. */
  const locate = (b: Backend): { local: string } | { node: string } => {
    if (b.nodeId === o.selfNodeId) {
      const local = o.localAddr(b.taskId);
      if (local === undefined) throw dialError('EHOSTUNREACH', `task ${b.taskId}: no container address on this node`);
      return { local };
    }
    const node = o.nodeAddr(b.nodeId);
    if (node === undefined) throw dialError('EHOSTUNREACH', `task ${b.taskId}: address of node ${b.nodeId} unknown`);
    return { node };
  };
  return {
    async connect(b, port) {
      const where = locate(b);
      return 'local' in where ? connectDirect(where.local, port, timeoutMs) : o.mesh.connect(where.node, b.taskId, port);
    },
    async datagrams(b, port) {
      const where = locate(b);
      return 'local' in where ? datagramsDirect(where.local, port) : o.mesh.datagrams(where.node, b.taskId, port);
    },
  };
}

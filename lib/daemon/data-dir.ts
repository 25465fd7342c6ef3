// Where a node keeps everything it owns. One daemon per data dir; every CLI
// command is addressed to the daemon of one data dir.

import { homedir } from 'os';
import { join, resolve } from 'path';

export interface DataDirLayout {
  root: string;
  /** Node id, role, cluster id, addresses: who this node is across restarts. */
  identity: string;
  /** Node key, node certificate, root CA certificate. */
  certs: string;
  /** Managers only: WAL and snapshots. */
  raft: string;
  /** The process runtime's task records and output. */
  tasks: string;
  log: string;
  /** The running daemon's pid, for people and tools; the lock itself is kernel-lock.ts's socket where there is one. */
  pid: string;
  /** The random part of the lock's socket name (kernel-lock.ts). */
  lockKey: string;
  socket: string;
}

/** --data-dir, then SWARM_DATA_DIR, then /var/lib/swarm for root or ~/.local/share/swarm. */
export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return resolve(flag);
  if (env.SWARM_DATA_DIR) return resolve(env.SWARM_DATA_DIR);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  return isRoot ? '/var/lib/swarm' : join(homedir(), '.local', 'share', 'swarm');
}

export function layout(root: string): DataDirLayout {
  return {
    root,
    identity: join(root, 'identity.json'),
    certs: join(root, 'certificates'),
    raft: join(root, 'raft'),
    tasks: join(root, 'tasks'),
    log: join(root, 'swarm.log'),
    pid: join(root, 'swarm.pid'),
    lockKey: join(root, 'swarm.lock-key'),
    socket: join(root, 'swarm.sock'),
  };
}

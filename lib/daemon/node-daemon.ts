// `swarm start` and `swarm join` for any role: take the data dir's lock,
// load or obtain the node's identity, and run the manager or worker daemon.

import { joinCluster } from '../net';
import { RaftLogger } from '../raft/core/config';
import { readCredentials, writeCredentials } from './credentials';
import { layout } from './data-dir';
import { describeHost } from './describe-host';
import { NodeIdentity, readIdentity, writeIdentity } from './identity';
import { claimNewDataDir, JoinOptions, ManagerDaemon } from './manager-daemon';
import { acquirePidLock } from './pid-lock';
import { WorkerDaemon } from './worker-daemon';

export type NodeDaemon = ManagerDaemon | WorkerDaemon;

export async function startNode(dataDir: string, log: RaftLogger): Promise<NodeDaemon> {
  const dir = layout(dataDir);
  const lock = await acquirePidLock(dir.pid, dataDir);
  try {
    const identity = await readIdentity(dir.identity);
    if (!identity) throw new Error(`data dir ${dataDir} holds no swarm node: use 'swarm init' or 'swarm join'`);
    const creds = await readCredentials(dir.certs);
    if (identity.role === 'manager') return await ManagerDaemon.open(dir, identity, creds, lock, log, false);
    return await WorkerDaemon.open(dir, identity, creds, lock, log, false);
  } catch (e) {
    await lock.release();
    throw e;
  }
}

/** Joins with the token's role; returns once the node is part of the swarm and Ready. */
export async function joinNode(dataDir: string, o: JoinOptions, log: RaftLogger): Promise<NodeDaemon> {
  const { dir, lock } = await claimNewDataDir(dataDir);
  try {
    const description = await describeHost({ hostname: o.hostname, dockerHost: o.dockerHost });
    const joined = await joinCluster({
      token: o.token,
      managerAddr: o.managerAddr,
      hostname: description.hostname,
      advertiseAddr: o.advertiseAddr,
      availability: o.availability,
    });
    const creds = { keyPem: joined.keyPem, certPem: joined.certPem, caCertPem: joined.caCertPem };
    await writeCredentials(dir.certs, creds);
    const identity: NodeIdentity = {
      version: 1,
      nodeId: joined.nodeId,
      clusterId: joined.clusterId,
      role: joined.role,
      raftId: joined.raftId,
      hostname: description.hostname,
      listenAddr: o.listenAddr,
      advertiseAddr: o.advertiseAddr,
      dockerHost: o.dockerHost,
      managers: joined.managers.map((m) => m.addr),
      raft: joined.raft,
    };
    await writeIdentity(dir.identity, identity);
    if (identity.role === 'manager') return await ManagerDaemon.open(dir, identity, creds, lock, log, true);
    return await WorkerDaemon.open(dir, identity, creds, lock, log, true);
  } catch (e) {
    await lock.release();
    throw e;
  }
}

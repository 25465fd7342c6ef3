// `swarm start` and `swarm join` for any role: take the data dir's lock,
// load or obtain the node's identity, and run the manager or worker daemon;
// when the node is promoted or demoted, the runner replaces one daemon by the
// other in the same process, keeping the lock.

import { promises as fsp } from 'fs';
import { joinCluster } from '../net';
import { RaftLogger } from '../raft/core/config';
import { openCredentials, readStoredCredentials, writeCredentials } from './credentials';
import { layout } from './data-dir';
import { describeHost } from './describe-host';
import { NodeIdentity, readIdentity, writeIdentity } from './identity';
import { claimNewDataDir, InitOptions, JoinOptions, ManagerDaemon } from './manager-daemon';
import { MetricsServer } from './metrics-server';
import { acquirePidLock } from './pid-lock';
import { NodeMetrics } from './prometheus-metrics';
import { WorkerDaemon } from './worker-daemon';
import { dataKeyPath, readDataKey } from './data-key';
import { isLocked, LockedManager } from './locked-manager';

export type NodeDaemon = ManagerDaemon | WorkerDaemon | LockedManager;

export class NodeRunner {
  private current: NodeDaemon;
  private stopping = false;
  /** Resolves once the node's daemon stopped for good (not to change role). */
  readonly done: Promise<void>;

  constructor(
    first: NodeDaemon,
    private readonly log: RaftLogger,
    /** Served for the process's life, across role switches (the daemons attach to it; the last one closes it). */
    private readonly metrics?: MetricsServer,
    /** Applied when a locked manager is unlocked: what `swarm start` was asked to do. */
    private readonly startOpts: { forceNewCluster?: boolean } = {},
  ) {
    this.current = first;
    this.done = this.follow();
  }

  get node(): NodeIdentity {
    return this.current.node;
  }

  stop(): Promise<void> {
    this.stopping = true;
    return this.current.stop();
  }

  private async follow(): Promise<void> {
    for (;;) {
      const next = await this.current.done;
      if (!next) return;
      const dir = this.current.dir;
      try {
        if ('dataKey' in next) {
          // Unlocked: the manager resumes from its data dir, as `swarm start` would have.
          this.current = await ManagerDaemon.open(dir, next.identity, next.creds, next.lock, this.log, false, {
            ...this.startOpts,
            metrics: this.metrics,
            dataKey: next.dataKey,
            unlockKey: next.unlockKey,
          });
        } else if (next.identity.role === 'worker') {
          // Out of Raft for good: a later promotion starts a new member from nothing.
          await fsp.rm(dir.raft, { recursive: true, force: true });
          // Its key goes with the log it sealed; a later promotion makes a new one.
          await fsp.rm(dataKeyPath(dir), { force: true });
          this.current = await WorkerDaemon.open(dir, next.identity, next.creds, next.lock, this.log, false, this.metrics);
        } else {
          // Promoted: in an autolocked cluster its data key is made sealed (its TLS key already is: role-switch.ts).
          this.current = await ManagerDaemon.open(dir, next.identity, next.creds, next.lock, this.log, true, { metrics: this.metrics, unlockKey: next.unlockKey });
        }
      } catch (e) {
        await this.metrics?.close();
        // The new identity is saved: `swarm start` tries again in the new role.
        this.log.warn(`could not start as a ${next.identity.role}: ${e instanceof Error ? e.message : String(e)}`);
        await next.lock.release().catch(() => undefined);
        return;
      }
      if (this.stopping) await this.current.stop();
    }
  }
}

/** Starts the --metrics-addr listener, if asked for, before the daemon: a busy port fails the command before anything runs. */
async function serveMetrics(addr: string | undefined, log: RaftLogger): Promise<MetricsServer | undefined> {
  if (!addr) return undefined;
  const server = await MetricsServer.listen(addr, new NodeMetrics(), log);
  log.info(`serving Prometheus metrics on http://${addr}/metrics`);
  return server;
}

function noNodeError(dataDir: string): Error {
  return new Error(`data dir ${dataDir} holds no swarm node: use 'swarm init' or 'swarm join'`);
}

export async function startNode(dataDir: string, log: RaftLogger, opts: { forceNewCluster?: boolean } = {}): Promise<NodeRunner> {
  const dir = layout(dataDir);
  // Said here, since the lock would fail first, on a file in the missing dir.
  if (!(await fsp.stat(dataDir).catch(() => undefined))) throw noNodeError(dataDir);
  const lock = await acquirePidLock(dataDir);
  let metrics: MetricsServer | undefined;
  try {
    const identity = await readIdentity(dir.identity);
    if (!identity) throw noNodeError(dataDir);
    const stored = await readStoredCredentials(dir.certs);
    if (identity.role !== 'manager' && opts.forceNewCluster) throw new Error("--force-new-cluster recovers a manager's data, and this node is a worker");
    metrics = await serveMetrics(identity.metricsAddr, log);
    if (identity.role === 'manager') {
      const dataKey = await readDataKey(dataKeyPath(dir));
      if (isLocked(stored, dataKey)) return new NodeRunner(await LockedManager.start(dir, identity, stored, lock, dataKey, log), log, metrics, opts);
    }
    const creds = openCredentials(stored);
    if (identity.role === 'manager') return new NodeRunner(await ManagerDaemon.open(dir, identity, creds, lock, log, false, { ...opts, metrics }), log, metrics);
    return new NodeRunner(await WorkerDaemon.open(dir, identity, creds, lock, log, false, metrics), log, metrics);
  } catch (e) {
    await metrics?.close();
    await lock.release();
    throw e;
  }
}

/** Joins with the token's role; returns once the node is part of the swarm and Ready. */
export async function joinNode(dataDir: string, o: JoinOptions, log: RaftLogger): Promise<NodeRunner> {
  const { dir, lock } = await claimNewDataDir(dataDir);
  let metrics: MetricsServer | undefined;
  try {
    metrics = await serveMetrics(o.metricsAddr, log);
    const description = await describeHost({ hostname: o.hostname, dockerHost: o.dockerHost });
    const joined = await joinCluster({
      token: o.token,
      managerAddr: o.managerAddr,
      hostname: description.hostname,
      advertiseAddr: o.advertiseAddr,
      availability: o.availability,
    });
    const creds = { keyPem: joined.keyPem, certPem: joined.certPem, caCertPem: joined.caCertPem };
    // A manager joining an autolocked cluster: its key is never on disk in clear.
    await writeCredentials(dir.certs, creds, joined.unlockKey);
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
      runtime: o.runtime,
      publishAddr: o.publishAddr,
      metricsAddr: o.metricsAddr,
      managers: joined.managers.map((m) => m.addr),
      raft: joined.raft,
    };
    await writeIdentity(dir.identity, identity);
    if (identity.role === 'manager') {
      return new NodeRunner(await ManagerDaemon.open(dir, identity, creds, lock, log, true, { metrics, unlockKey: joined.unlockKey }), log, metrics);
    }
    return new NodeRunner(await WorkerDaemon.open(dir, identity, creds, lock, log, true, metrics), log, metrics);
  } catch (e) {
    await metrics?.close();
    await lock.release();
    throw e;
  }
}

/** `swarm init`: a new cluster with this node as its only manager. */
export async function initNode(dataDir: string, o: InitOptions, log: RaftLogger): Promise<NodeRunner> {
  const metrics = await serveMetrics(o.metricsAddr, log);
  try {
    return new NodeRunner(await ManagerDaemon.init(dataDir, o, log, metrics), log, metrics);
  } catch (e) {
    await metrics?.close();
    throw e;
  }
}

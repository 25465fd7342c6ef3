// The daemon of a worker node: no Raft, no store; its agent holds a session
// with the leader's dispatcher. Its TLS port serves /ca and the mesh (other
// nodes' tunnels to its tasks). Its control socket answers `info` and `stop`;
// cluster commands must go to a manager.

import { rm } from 'fs/promises';
import { NodeServer } from '../net';
import { NodeNetwork } from '../network/node-network';
import { RaftLogger } from '../raft/core/config';
import { Agent } from '../worker';
import { ControlError, ControlServer } from './control-server';
import { Credentials } from './credentials';
import { DASHBOARD_CERT_PATH } from './dashboard-cert-route';
import { DataDirLayout } from './data-dir';
import { NodeIdentity } from './identity';
import { runNodeAgent } from './node-agent';
import { TaskWorker } from '../worker/task-worker';
import type { MetricsServer } from './metrics-server';
import { PidLock } from './pid-lock';
import { followRoleChanges, Handover, RoleSwitch } from './role-switch';
import { ok, Router } from './router';

const NOT_A_MANAGER =
  "this node is not a swarm manager: worker nodes can't be used to view or modify cluster state; run this command on a manager node";

export class WorkerDaemon {
  private agent?: Agent;
  private tasks?: TaskWorker;
  private network?: NodeNetwork;
  private server?: NodeServer;
  private control?: ControlServer;
  private stopped?: Promise<void>;
  private resolveDone!: (next: Handover | undefined) => void;
  /** Resolves when the daemon is down: with the node's new role when it stopped to change role. */
  readonly done = new Promise<Handover | undefined>((r) => (this.resolveDone = r));

  private constructor(
    readonly dir: DataDirLayout,
    private identity: NodeIdentity,
    private readonly lock: PidLock,
    private readonly metrics?: MetricsServer,
  ) {}

  /** Runs the worker; with `waitRegistered` (a fresh join) it returns once the node is Ready. */
  static async open(
    dir: DataDirLayout,
    identity: NodeIdentity,
    creds: Credentials,
    lock: PidLock,
    log: RaftLogger,
    waitRegistered: boolean,
    metrics?: MetricsServer,
  ): Promise<WorkerDaemon> {
    const d = new WorkerDaemon(dir, identity, lock, metrics);
    try {
      ({ agent: d.agent, tasks: d.tasks, network: d.network } = runNodeAgent(dir, () => d.identity, (next) => (d.identity = next), creds, log));
      metrics?.metrics.setTasks(d.tasks);
      d.server = await NodeServer.listen({
        listenAddr: identity.listenAddr,
        clusterId: identity.clusterId,
        credentials: creds,
        mesh: d.network.meshRoute,
        logger: { warn: (m, f) => log.warn(`${m}${f ? ` ${JSON.stringify(f)}` : ''}`) },
      });
      followRoleChanges(d.agent, { dir, identity: () => d.identity, creds, log, onSwitch: (next) => void d.shutdown(next) });
      if (waitRegistered) await d.agent.waitRegistered(60_000);
      d.control = new ControlServer(dir.socket, d.routes());
      await d.control.start();
    } catch (e) {
      await d.stop();
      throw e;
    }
    log.info(`node ${identity.nodeId} (${identity.hostname}) is a worker of cluster ${identity.clusterId}`);
    return d;
  }

  get node(): NodeIdentity {
    return this.identity;
  }

  private routes() {
    const r = new Router();
    r.on('GET', '/v1/info', async () => {
      const id = this.identity;
      return ok({
        clusterId: id.clusterId,
        nodeId: id.nodeId,
        hostname: id.hostname,
        role: 'worker',
        state: this.agent?.state === 'registered' ? 'active' : 'pending',
        isManager: false,
        nodeAddr: id.advertiseAddr.replace(/:\d+$/, ''),
        managers: id.managers.map((addr) => ({ nodeId: '', addr })),
        nodes: 0,
        managersCount: id.managers.length,
        raft: { snapshotInterval: 0, heartbeatTick: 0, electionTick: 0 },
        dispatcherHeartbeatMs: 0,
      });
    });
    r.on('POST', '/v1/leave', async () => {
      // The node stays listed on the managers (Down) until someone runs swarm node rm, as in docker.
      setImmediate(() => void this.leave());
      return ok({ leaving: true });
    });
    r.on('POST', DASHBOARD_CERT_PATH, async () => {
      // Only managers hold the CA key.
      throw new ControlError(503, 'this node is a worker and cannot sign a dashboard certificate: run swarm dashboard on a manager, or give --cert/--key');
    });
    r.on('POST', '/v1/stop', async () => {
      setImmediate(() => void this.stop());
      return ok({ stopping: true });
    });
    const handler = r.handler();
    return async (req: Parameters<typeof handler>[0]) => {
      try {
        return await handler(req);
      } catch (e) {
        // Everything else a CLI may ask is cluster state, which only managers hold.
        if (e instanceof ControlError && e.status === 404) throw new ControlError(503, NOT_A_MANAGER);
        throw e;
      }
    };
  }

  /** Forgets the swarm: stops, then removes the identity and certificates from the data dir. */
  private async leave(): Promise<void> {
    // Forget before the socket goes: once the CLI sees the daemon gone, a new join must find a clean dir.
    await this.agent?.stop().catch(() => undefined);
    await this.tasks?.removeAll().catch(() => undefined);
    await this.network?.stop({ leaving: true }).catch(() => undefined);
    await rm(this.dir.identity, { force: true });
    await rm(this.dir.certs, { recursive: true, force: true });
    await this.stop();
  }

  stop(): Promise<void> {
    return this.shutdown(undefined);
  }

  /** With `next`, the data dir stays locked for the daemon of the node's new role. */
  private shutdown(next: RoleSwitch | undefined): Promise<void> {
    if (this.stopped) return this.stopped;
    this.stopped = (async () => {
      await this.control?.stop().catch(() => undefined);
      await this.agent?.stop().catch(() => undefined);
      await this.tasks?.stop().catch(() => undefined);
      await this.network?.stop().catch(() => undefined);
      await this.server?.close().catch(() => undefined);
      this.metrics?.metrics.setTasks(undefined);
      if (!next) await this.metrics?.close();
      if (!next) await this.lock.release().catch(() => undefined);
      this.resolveDone(next && { ...next, lock: this.lock });
    })();
    return this.stopped;
  }
}

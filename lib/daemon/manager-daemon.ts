// The daemon of a manager node: its data dir lock, TLS port, Raft member,
// store, and the control socket the CLI talks to. `init` creates a cluster;
// `start` resumes one from the data dir with the same identity.

import { promises as fsp } from 'fs';
import { IncomingMessage } from 'http';
import { Duplex } from 'stream';
import { expectServer, nodeTlsOptions } from '../ca';
import { authorizeRaftPeer } from '../manager/raft-peer-auth';
import { Cluster, ClusterSpec, NodeAvailability, NodeDescription } from '../api/types';
import { Action, Draft } from '../manager/store/transaction';
import { ingressDraft } from '../manager/network/network-ops';
import { checkAddressPool } from '../manager/network/subnets';
import { DEFAULT_ADDRESS_POOL, INGRESS_NETWORK } from '../api/network-types';
import { createCluster, managerNodeDraft } from '../manager/cluster-init';
import { Manager } from '../manager/manager';
import { NodeServer } from '../net';
import { refuseUpgrade } from '../net/http-replies';
import { makeJoinHandler } from '../manager/join-handler';
import { RaftMembershipLoop } from '../manager/raft-membership';
import { demoteOtherManagers } from '../manager/force-new-cluster';
import { Orchestrator } from '../manager/orchestrator';
import { SchedulingLoop } from '../manager/scheduling-loop';
import { StackVolumeReaper } from '../manager/stack-volume-reaper';
import { Autoscaler } from '../manager/autoscale/autoscaler';
import { autoscalePeriodFromEnv } from './autoscale-period';
import { leaseReadsFromEnv } from './lease-reads-env';
import { forceNewCluster } from '../raft/node/force-new-cluster';
import { Dispatcher } from '../manager/dispatcher';
import { Agent } from '../worker';
import { runNodeAgent } from './node-agent';
import { TaskWorker } from '../worker/task-worker';
import { NodeNetwork } from '../network/node-network';
import type { NodeRoutes } from '../net/node-server';
import { RaftLogger } from '../raft/core/config';
import { WsTransport } from '../raft/transport';
import { ControlServer } from './control-server';
import { ControlApi } from './control-api';
import { logsRoute, readLogs } from './log-relay';
import { Credentials, NodeKeySealer, readStoredCredentials, writeCredentials } from './credentials';
import { layout, DataDirLayout } from './data-dir';
import { describeHost } from './describe-host';
import { NodeIdentity, readIdentity, writeIdentity } from './identity';
import { acquirePidLock, PidLock } from './pid-lock';
import { AlreadyInSwarmError } from './errors';
import type { MetricsServer } from './metrics-server';
import { managerMetricsSource } from './prometheus-metrics';

export { AlreadyInSwarmError };
import { followRoleChanges, Handover, RoleSwitch } from './role-switch';
import { createDataKey, DataKeySealer, dataKeyPath, readDataKey, StoredDataKey, unsealDataKey } from './data-key';
import { AesGcmRecordCipher } from '../raft/storage';
import { followStore, StoreFollower } from '../manager/dispatcher/follow-store';

export interface InitOptions {
  listenAddr: string;
  advertiseAddr: string;
  hostname?: string;
  availability: NodeAvailability;
  dockerHost?: string;
  runtime?: 'docker' | 'process';
  /** --publish-addr: where this node opens ports published through the routing mesh. */
  publishAddr?: string;
  /** --metrics-addr: where this node serves Prometheus metrics (none: not served). */
  metricsAddr?: string;
  /** Carries the address pool (--default-addr-pool) in spec.addressPool. */
  spec: ClusterSpec;
}

/** Locks a data dir that must not belong to a swarm yet (init, join); the caller releases the lock on failure. */
export async function claimNewDataDir(dataDir: string): Promise<{ dir: DataDirLayout; lock: PidLock }> {
  const dir = layout(dataDir);
  await fsp.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const lock = await acquirePidLock(dataDir);
  if (await readIdentity(dir.identity)) {
    await lock.release();
    throw new AlreadyInSwarmError(dataDir);
  }
  return { dir, lock };
}

/** What `swarm init` still has to commit once its one-member Raft has a leader. */
interface PendingInit {
  cluster: Draft<Cluster>;
  availability: NodeAvailability;
  description: NodeDescription;
}

export interface JoinOptions {
  token: string;
  availability?: NodeAvailability;
  managerAddr: string;
  listenAddr: string;
  advertiseAddr: string;
  hostname?: string;
  dockerHost?: string;
  runtime?: 'docker' | 'process';
  /** --publish-addr: where this node opens ports published through the routing mesh. */
  publishAddr?: string;
  /** --metrics-addr: where this node serves Prometheus metrics (none: not served). */
  metricsAddr?: string;
}

export class ManagerDaemon {
  private server?: NodeServer;
  private transport?: WsTransport;
  private manager?: Manager;
  private control?: ControlServer;
  private dispatcher?: Dispatcher;
  private agent?: Agent;
  private tasks?: TaskWorker;
  private network?: NodeNetwork;
  private stopped?: Promise<void>;
  private keyFollower?: StoreFollower;
  private leaving = false;
  private resolveStopped!: (next: Handover | undefined) => void;
  /** Resolves when the daemon is down: with the node's new role when it stopped to change role. */
  readonly done: Promise<Handover | undefined>;

  private constructor(
    readonly dir: DataDirLayout,
    private identity: NodeIdentity,
    private readonly creds: Credentials,
    private readonly lock: PidLock,
    private readonly log: RaftLogger,
    private readonly metrics?: MetricsServer,
    /** The data key and how it is stored; loaded by open(), made by init(). */
    private dataKey?: { dek: Buffer; stored: StoredDataKey },
  ) {
    this.done = new Promise((r) => (this.resolveStopped = r));
  }

  /** `swarm init`: a new cluster with this node as its only manager. */
  static async init(dataDir: string, o: InitOptions, log: RaftLogger, metrics?: MetricsServer): Promise<ManagerDaemon> {
    if (o.spec.addressPool) checkAddressPool(o.spec.addressPool);
    const { dir, lock } = await claimNewDataDir(dataDir);
    try {
      const description = await describeHost({ hostname: o.hostname, dockerHost: o.dockerHost });
      const c = await createCluster(o.spec);
      const creds = { keyPem: c.keyPem, certPem: c.certPem, caCertPem: c.caCertPem };
      // Sealed from the start with --autolock: neither key is ever on disk in clear.
      await writeCredentials(dir.certs, creds, c.cluster.unlockKeys?.[0]);
      const dataKey = await createDataKey(dataKeyPath(dir), c.cluster.unlockKeys?.[0]);
      const identity: NodeIdentity = {
        version: 1,
        nodeId: c.nodeId,
        clusterId: c.clusterId,
        role: 'manager',
        raftId: c.raftId,
        hostname: description.hostname,
        listenAddr: o.listenAddr,
        advertiseAddr: o.advertiseAddr,
        dockerHost: o.dockerHost,
        runtime: o.runtime,
        publishAddr: o.publishAddr,
        metricsAddr: o.metricsAddr,
        managers: [o.advertiseAddr],
        raft: o.spec.raft,
        initPending: true,
      };
      await writeIdentity(dir.identity, identity);
      const d = new ManagerDaemon(dir, identity, creds, lock, log, metrics, dataKey);
      await d.run({ cluster: c.cluster, availability: o.availability, description }, true);
      return d;
    } catch (e) {
      await lock.release();
      throw e;
    }
  }

  /** A manager that already has its identity (restart, or just joined): runs it. */
  /**
   * A manager that already has its identity: `fresh` after a join (ready once it
   * holds the cluster state), otherwise a restart (ready at once, quorum or not).
   */
  static async open(
    dir: DataDirLayout,
    identity: NodeIdentity,
    creds: Credentials,
    lock: PidLock,
    log: RaftLogger,
    fresh: boolean,
    opts: {
      forceNewCluster?: boolean;
      metrics?: MetricsServer;
      dataKey?: { dek: Buffer; stored: StoredDataKey };
      /** Known before Raft starts (unlocked, or joined/promoted into an autolocked cluster): a key made now is made sealed. */
      unlockKey?: string;
    } = {},
  ): Promise<ManagerDaemon> {
    const d = new ManagerDaemon(dir, identity, creds, lock, log, opts.metrics, opts.dataKey);
    try {
      d.dataKey ??= await loadUnsealedDataKey(dir, opts.unlockKey);
      if (opts.forceNewCluster) await d.rewriteAsNewCluster();
      await d.run(undefined, fresh);
    } catch (e) {
      await d.stop();
      throw e;
    }
    return d;
  }

  /** `swarm init --force-new-cluster`: this manager's Raft log becomes a one-member cluster's. */
  private async rewriteAsNewCluster(): Promise<void> {
    const id = this.identity;
    if (id.role !== 'manager' || id.raftId === undefined) {
      throw new Error("--force-new-cluster recovers a manager's data, and this node is a worker");
    }
    // Marked first: a crash after the rewrite still demotes the other managers on the next start.
    this.identity = { ...id, forceNewClusterPending: true, managers: [id.advertiseAddr] };
    await writeIdentity(this.dir.identity, this.identity);
    const r = await forceNewCluster(this.dir.raft, id.raftId, { cipher: this.cipher() });
    this.log.info(
      `force-new-cluster: removed raft members [${r.removed.join(', ')}], dropped ${r.dropped} uncommitted entries; commit index ${r.commit}`,
    );
  }

  /** The store's half of --force-new-cluster, before the membership loop could re-add the old managers. */
  private async finishForceNewCluster(): Promise<void> {
    const m = this.manager as Manager;
    await m.raft.waitForLeader(60_000);
    const demoted = await demoteOtherManagers(m, this.identity.nodeId);
    this.log.info(`force-new-cluster: ${demoted.length} other managers are workers now: ${demoted.join(', ') || 'none'}`);
    const next = { ...this.identity };
    delete next.forceNewClusterPending;
    this.identity = next;
    await writeIdentity(this.dir.identity, next);
  }

  private async run(pendingInit: PendingInit | undefined, fresh: boolean): Promise<void> {
    // Read before anything starts, so a bad value stops the daemon before it joins Raft.
    const autoscalePeriodMs = autoscalePeriodFromEnv();
    const leaseReads = leaseReadsFromEnv();
    const id = this.identity;
    const raftId = id.raftId as number;
    const tls = {
      ...nodeTlsOptions(this.creds),
      // Node certificates carry DNS names (swarm-manager, the node id), not addresses.
      checkServerIdentity: expectServer({ clusterId: id.clusterId, roles: ['manager'] }),
    };
    this.server = await NodeServer.listen({
      listenAddr: id.listenAddr,
      clusterId: id.clusterId,
      credentials: this.creds,
      raft: { handleUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => this.raftUpgrade(req, socket, head) },
      logger: { warn: (m, f) => this.log.warn(`${m}${f ? ` ${JSON.stringify(f)}` : ''}`) },
    });
    // Raft timing is the cluster's, kept in the identity so it applies before the store is loaded.
    const timing = id.raft;
    this.manager = await Manager.start({
      raftId,
      raftDir: this.dir.raft,
      raftUrl: `wss://${id.advertiseAddr}/raft`,
      bootstrap: pendingInit ? [{ id: raftId, url: `wss://${id.advertiseAddr}/raft` }] : undefined,
      timing,
      leaseReads,
      logger: this.log,
      cipher: this.cipher(),
      observer: this.metrics?.metrics.observer,
      transport: (handlers) => {
        this.transport = new WsTransport({
          id: raftId,
          listen: false,
          clusterId: id.clusterId,
          tls,
          authorizePeer: (peer) => authorizeRaftPeer(this.manager?.store, id.clusterId, peer),
          logger: { warn: (m) => this.log.warn(m) },
          ...handlers,
        });
        return this.transport;
      },
      onFatal: (e) => {
        this.log.warn(`fatal: ${e.message}`);
        void this.stop();
      },
    });
    await this.followUnlockKey();
    if (id.forceNewClusterPending) await this.finishForceNewCluster();
    this.manager.addLeaderLoop(new RaftMembershipLoop(this.manager, this.log));
    this.manager.addLeaderLoop(new Orchestrator(this.manager, this.log));
    this.manager.addLeaderLoop(new SchedulingLoop(this.manager, this.log));
    this.dispatcher = new Dispatcher(this.manager, { now: this.manager.clock, timers: this.manager.timers, logger: { warn: (m) => this.log.warn(m), info: (m) => this.log.info(m) } });
    this.manager.addLeaderLoop(this.dispatcher);
    this.metrics?.metrics.setManager(managerMetricsSource(this.manager, this.dispatcher));
    this.manager.addLeaderLoop(new StackVolumeReaper(this.manager, this.dispatcher));
    this.manager.addLeaderLoop(new Autoscaler(this.manager, this.manager.metrics, this.log, { periodMs: autoscalePeriodMs }));
    const routes: NodeRoutes = {
      raft: { handleUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => this.raftUpgrade(req, socket, head) },
      join: makeJoinHandler(this.manager, id.clusterId),
      dispatcher: this.dispatcher,
      logs: logsRoute(this.manager, this.dispatcher),
    };
    this.server.setRoutes(routes);
    // The store fills from the WAL asynchronously, so whether this is a restart comes from the caller.
    const resuming = !fresh && !id.initPending;
    if (!resuming) {
      // init, join, or a join that crashed before catching up: ready means holding the cluster state.
      await this.manager.raft.waitForLeader(60_000);
      if (id.initPending) await this.finishInit(pendingInit);
      await this.waitForClusterObject();
    }
    // Managers are workers too: their own agent registers them with the leader's dispatcher.
    ({ agent: this.agent, tasks: this.tasks, network: this.network } = runNodeAgent(this.dir, () => this.identity, (next) => (this.identity = next), this.creds, this.log));
    this.server.setRoutes({ ...routes, mesh: this.network.meshRoute });
    this.metrics?.metrics.setTasks(this.tasks);
    followRoleChanges(this.agent, {
      dir: this.dir,
      identity: () => this.identity,
      creds: this.creds,
      log: this.log,
      // A leaving manager becomes a worker in the store too; it is on its way out, not to a new role.
      paused: () => this.leaving,
      onSwitch: (next) => void this.shutdown(next),
    });
    // A restarted manager serves its last known state at once, even without a quorum.
    if (!resuming) await this.agent.waitRegistered(60_000);
    this.control = new ControlServer(this.dir.socket, new ControlApi(
        this.manager,
        () => this.identity,
        () => this.stop(),
        () => this.forget(),
        (q, signal) =>
          readLogs({ m: this.manager as Manager, dispatcher: this.dispatcher as Dispatcher, creds: this.creds, clusterId: this.identity.clusterId }, q, signal),
        (leaving) => (this.leaving = leaving),
      ).handler());
    await this.control.start();
    this.log.info(`node ${id.nodeId} (${id.hostname}) is a manager of cluster ${id.clusterId}, listening on ${id.listenAddr}`);
  }

  private cipher(): AesGcmRecordCipher {
    if (!this.dataKey) throw new Error('unreachable: the data key is loaded before Raft starts');
    return new AesGcmRecordCipher(this.dataKey.dek);
  }

  /** The stored data key follows the cluster's autolock setting and unlock key (docs/encryption.md). */
  private async followUnlockKey(): Promise<void> {
    const m = this.manager as Manager;
    const k = this.dataKey as { dek: Buffer; stored: StoredDataKey };
    const warn = (msg: string) => this.log.warn(msg);
    const sealers = [
      new DataKeySealer(dataKeyPath(this.dir), k.dek, k.stored, warn),
      // The form on disk is read back rather than assumed: join, promotion and unlock each leave it differently.
      new NodeKeySealer(this.dir.certs, this.creds.keyPem, (await readStoredCredentials(this.dir.certs)).key, warn),
    ];
    const check = (): void => {
      const c = m.store.get('cluster', this.identity.clusterId);
      // Not caught up yet (a manager joining): nothing is known, so nothing changes.
      if (!c) return;
      for (const s of sealers) void s.follow(c.spec.autolock ? c.unlockKeys?.[0] : undefined);
    };
    this.keyFollower = followStore(m.store, ['cluster'], check, check);
    check();
  }

  /** Until the store holds the cluster (a new manager catching up), the node cannot answer for it. */
  private async waitForClusterObject(): Promise<void> {
    const m = this.manager as Manager;
    const deadline = Date.now() + 60_000;
    while (!m.store.get('cluster', this.identity.clusterId)) {
      if (Date.now() > deadline) throw new Error('this manager did not receive the cluster state within 60 s');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private raftUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (!this.transport) {
      refuseUpgrade(socket, 503, 'raft is not started yet');
      return;
    }
    this.transport.handleUpgrade(req, socket, head);
  }

  /** Commits the cluster and this node; repeated safely if a crash interrupted init. */
  private async finishInit(
    pending: PendingInit | undefined,
  ): Promise<void> {
    const m = this.manager as Manager;
    const id = this.identity;
    if (!pending) {
      // A crash after writing the identity but before the commit: the CA is in the
      // data dir but the cluster object never made it; init must be run again.
      throw new Error(`swarm init was interrupted before the cluster was created; remove ${this.dir.root} and run 'swarm init' again`);
    }
    await m.syncRead();
    const actions: Action[] = [];
    if (!m.store.get('cluster', id.clusterId)) actions.push({ op: 'create' as const, kind: 'cluster' as const, object: pending.cluster });
    if (m.store.findByName('network', INGRESS_NETWORK).length === 0) {
      actions.push({ op: 'create', kind: 'network', object: ingressDraft(pending.cluster.spec.addressPool ?? DEFAULT_ADDRESS_POOL) });
    }
    if (!m.store.get('node', id.nodeId)) {
      actions.push({
        op: 'create' as const,
        kind: 'node' as const,
        object: managerNodeDraft({
          nodeId: id.nodeId,
          raftId: id.raftId as number,
          addr: id.advertiseAddr,
          availability: pending.availability,
          description: pending.description,
        }),
      });
    }
    await m.write(actions);
    this.identity = { ...id, initPending: false };
    await writeIdentity(this.dir.identity, this.identity);
  }

  /** After leaving: stop, and erase the swarm's state from the data dir (keeping the log). */
  private async forget(): Promise<void> {
    await this.control?.stop().catch(() => undefined);
    await this.agent?.stop().catch(() => undefined);
    await this.tasks?.removeAll().catch(() => undefined);
    await this.network?.stop({ leaving: true }).catch(() => undefined);
    await this.manager?.stop().catch(() => undefined);
    await fsp.rm(this.dir.identity, { force: true });
    await fsp.rm(this.dir.certs, { recursive: true, force: true });
    await fsp.rm(this.dir.raft, { recursive: true, force: true });
    await this.stop();
  }

  get node(): NodeIdentity {
    return this.identity;
  }

  /** Stops everything this daemon started, in reverse order; idempotent. */
  stop(): Promise<void> {
    return this.shutdown(undefined);
  }

  /** With `next`, the data dir stays locked for the daemon of the node's new role. */
  private shutdown(next: RoleSwitch | undefined): Promise<void> {
    if (this.stopped) return this.stopped;
    this.stopped = (async () => {
      this.keyFollower?.stop();
      await this.control?.stop().catch(() => undefined);
      await this.agent?.stop().catch(() => undefined);
      await this.tasks?.stop().catch(() => undefined);
      await this.network?.stop().catch(() => undefined);
      await this.manager?.stop().catch(() => undefined);
      await this.transport?.stop().catch(() => undefined);
      await this.server?.close().catch(() => undefined);
      this.metrics?.metrics.setManager(undefined);
      this.metrics?.metrics.setTasks(undefined);
      if (!next) await this.metrics?.close();
      if (!next) await this.lock.release().catch(() => undefined);
      this.resolveStopped(next && { ...next, lock: this.lock });
    })();
    return this.stopped;
  }
}

/** The data key of a manager that is not locked; one that has none yet (joined, promoted, or from before encryption) gets one. */
async function loadUnsealedDataKey(dir: DataDirLayout, unlockKey: string | undefined): Promise<{ dek: Buffer; stored: StoredDataKey }> {
  const path = dataKeyPath(dir);
  const stored = await readDataKey(path);
  if (!stored) return createDataKey(path, unlockKey);
  if (stored.kind === 'sealed') {
    if (unlockKey) return { dek: unsealDataKey(stored, unlockKey), stored };
    throw new Error(`${path} is sealed: this manager must be unlocked with 'swarm unlock' first`);
  }
  return { dek: stored.dek, stored };
}

// The control API a manager daemon serves on its unix socket: what the CLI's
// `info`, `node …`, `join-token` and `stop` commands call.

import { generateJoinToken, generateUnlockKey } from '../ca';
import { Cluster, Node } from '../api/types';
import { ManagerError } from '../manager/errors';
import { Manager } from '../manager/manager';
import { demoteNode, promoteNode, removeNode, resolveNode, updateNode, NodeUpdate } from '../manager/node-ops';
import { planManagerLeave, removeSelfFromRaft } from '../manager/leave';
import { createService, removeService, replicaCounts, ReplicaCounter, resolveService, rollbackService, updateService } from '../manager/service-ops';
import { deployStack, listStacks, NAMESPACE_LABEL, removeStack, stackServices } from '../manager/stack-ops';
import { createNetwork, networkView, removeNetwork } from '../manager/network/network-ops';
import { StackNetworkRequest } from '../api/network-api';
import { StackBlobRequest } from '../api/stack-blobs';
import { NetworkSpec } from '../api/network-types';
import { Service, ServiceSpec } from '../api/service-types';
import { slotHolders } from '../api/service-progress';
import { LogEvent, LogQuery } from '../manager/dispatcher/log-broker';
import { statsView } from '../manager/metrics/stats-view';
import { checkImage } from './image-check';
import { DeepReadonly, thaw } from '../manager/store';
import { ControlError, ControlHandler } from './control-server';
import { NodeIdentity } from './identity';
import { ok, Router } from './router';
import { eventsRoute } from './events-route';
import { secretsRoutes } from './secrets-route';
import { dashboardCertRoute } from './dashboard-cert-route';

/** How long a read waits for a leader to be known before answering from the local store, marked stale. */
const LEADER_WAIT_MS = 2_000;

export interface NodeListView {
  nodes: DeepReadonly<Node>[];
  selfId: string;
  leaderNodeId?: string;
  /** Manager node id → whether this manager can reach it now. */
  reachability: Record<string, 'reachable' | 'unreachable'>;
  /** No quorum: this is the answering manager's last known state. */
  stale: boolean;
}

const STATUS: Record<ManagerError['code'], number> = {
  NoQuorum: 503,
  NotLeader: 421,
  Stopped: 503,
  Conflict: 409,
  NotFound: 404,
  Invalid: 400,
  Refused: 409,
  TooLarge: 413,
  Internal: 500,
};

function asControlError(e: unknown): never {
  if (e instanceof ManagerError) throw new ControlError(STATUS[e.code], e.message);
  throw e;
}

export class ControlApi {
  constructor(
    private readonly m: Manager,
    private readonly identity: () => NodeIdentity,
    private readonly stopDaemon: () => Promise<void>,
    private readonly leaveSwarm: (force: boolean) => Promise<void>,
    private readonly readLogs: (q: LogQuery, signal: AbortSignal) => AsyncIterable<LogEvent>,
    /** Called as a leave starts (true) or is given up (false): a leaving node must not be turned into a worker meanwhile. */
    private readonly setLeaving: (leaving: boolean) => void = () => undefined,
  ) {}

  handler(): ControlHandler {
    const r = new Router();
    r.on('GET', '/v1/info', async () => ok(await this.info()));
    r.on('GET', '/v1/nodes', async (req) => ok(await this.listNodes(req.query.get('local') === '1')));
    r.on('GET', '/v1/nodes/:ref', async (_req, p) => {
      const fresh = await this.sync(false);
      return ok({ ...this.nodeView(this.resolve(p.ref)), stale: !fresh });
    });
    r.on('POST', '/v1/nodes/:ref/update', async (req, p) => {
      const n = await updateNode(this.m, p.ref, parseUpdate(req.body)).catch(asControlError);
      return ok(n);
    });
    r.on('POST', '/v1/nodes/:ref/promote', async (_req, p) => ok({ result: await promoteNode(this.m, p.ref).catch(asControlError) }));
    r.on('POST', '/v1/nodes/:ref/demote', async (_req, p) => {
      const reach = this.reachability();
      return ok({ result: await demoteNode(this.m, p.ref, (id) => reach[id] === 'reachable').catch(asControlError) });
    });
    r.on('POST', '/v1/nodes/:ref/remove', async (req, p) => {
      const force = (req.body as { force?: boolean } | undefined)?.force === true;
      if (p.ref === this.identity().nodeId || p.ref === 'self') {
        throw new ControlError(409, 'a node cannot remove itself: use swarm leave on it, or remove it from another manager');
      }
      return ok({ id: await removeNode(this.m, p.ref, force).catch(asControlError) });
    });
    r.on('POST', '/v1/leave', async (req) => {
      const force = (req.body as { force?: boolean } | undefined)?.force === true;
      const id = this.identity().nodeId;
      const reach = this.reachability();
      const reachable = (nodeId: string) => reach[nodeId] === 'reachable';
      let plan: ReturnType<typeof planManagerLeave>;
      try {
        plan = planManagerLeave(this.m, id, reachable, force);
      } catch (e) {
        return asControlError(e);
      }
      this.setLeaving(true);
      if (plan.kind === 'remove') {
        await removeSelfFromRaft(this.m, id, reachable).catch((e: unknown) => {
          this.setLeaving(false);
          return asControlError(e);
        });
      }
      setImmediate(() => void this.leaveSwarm(plan.kind !== 'remove'));
      return ok({ leaving: true });
    });
    this.serviceRoutes(r);
    this.networkRoutes(r);
    eventsRoute(r, this.m);
    secretsRoutes(r, this.m, asControlError, () => this.sync(false));
    dashboardCertRoute(r, this.m, () => this.identity().clusterId);
    r.on('GET', '/v1/unlock-key', async (req) => ok(await this.unlockKey(req.query.get('rotate') === '1')));
    r.on('POST', '/v1/swarm/update', async (req) => {
      const autolock = (req.body as { autolock?: unknown } | undefined)?.autolock;
      if (typeof autolock !== 'boolean') throw new ControlError(400, 'nothing to update: give --autolock=true or --autolock=false');
      return ok(await this.setAutolock(autolock));
    });
    r.on('GET', '/v1/join-token/:role', async (req, p) => ok(await this.joinToken(p.role, req.query.get('rotate') === '1')));
    r.on('POST', '/v1/stop', async () => {
      // Answer first: the socket goes away with the daemon.
      setImmediate(() => void this.stopDaemon());
      return ok({ stopping: true });
    });
    return r.handler();
  }

  private serviceRoutes(r: Router): void {
    const nodeNames = () => Object.fromEntries(this.m.store.list('node').map((n) => [n.id, n.description?.hostname ?? n.id]));
    const networkNames = () => Object.fromEntries(this.m.store.list('network').map((n) => [n.id, n.spec.name]));
    const view = (svc: DeepReadonly<Service>) => ({
      service: svc,
      ...replicaCounts(svc, this.m.store.tasksByService(svc.id), this.m.store.list('node')),
    });
    r.on('POST', '/v1/services', async (req) => {
      const b = req.body as { spec?: ServiceSpec; resolveImage?: boolean } | undefined;
      const spec = b?.spec;
      if (!spec) throw new ControlError(400, 'the request must carry a service spec');
      if (b.resolveImage !== false && typeof spec.task?.container?.image === 'string') {
        await checkImage(this.identity(), spec.task.container.image).catch((e: unknown) => {
          throw new ControlError(400, e instanceof Error ? e.message : String(e));
        });
      }
      return ok(await createService(this.m, spec).catch(asControlError));
    });
    r.on('GET', '/v1/services', async (req) => {
      const fresh = await this.sync(false);
      const stack = req.query.get('stack');
      const services = stack === null ? this.m.store.list('service') : stackServices(this.m, stack);
      const counter = new ReplicaCounter(this.m.store.list('node'));
      return ok({ stale: !fresh, services: services.map((svc) => ({ service: svc, ...counter.counts(svc, this.m.store.tasksByService(svc.id)) })) });
    });
    r.on('GET', '/v1/stacks', async () => {
      const fresh = await this.sync(false);
      return ok({ stale: !fresh, stacks: listStacks(this.m) });
    });
    r.on('POST', '/v1/stacks/:name/deploy', async (req, p) => {
      const b = req.body as
        | { services?: ServiceSpec[]; networks?: StackNetworkRequest[]; secrets?: StackBlobRequest[]; configs?: StackBlobRequest[]; prune?: boolean; resolveImage?: boolean }
        | undefined;
      if (!b || !Array.isArray(b.services)) throw new ControlError(400, 'the request must carry the stack\'s service specs');
      if (b.networks !== undefined && !Array.isArray(b.networks)) throw new ControlError(400, "the stack's networks must be a list");
      if (b.secrets !== undefined && !Array.isArray(b.secrets)) throw new ControlError(400, "the stack's secrets must be a list");
      if (b.configs !== undefined && !Array.isArray(b.configs)) throw new ControlError(400, "the stack's configs must be a list");
      if (b.resolveImage !== false) {
        const known = new Map(stackServices(this.m, p.name).map((svc) => [svc.spec.name, svc.spec.task.container.image]));
        const problems: string[] = [];
        for (const spec of b.services) {
          const image = spec?.task?.container?.image;
          if (typeof image !== 'string' || known.get(spec.name) === image) continue;
          await checkImage(this.identity(), image).catch((e: unknown) => problems.push(`service ${spec.name}: ${e instanceof Error ? e.message : String(e)}`));
        }
        if (problems.length > 0) throw new ControlError(400, problems.join('\n'));
      }
      const blobs = { secrets: b.secrets ?? [], configs: b.configs ?? [] };
      return ok(await deployStack(this.m, p.name, b.services, b.networks ?? [], b.prune === true, blobs).catch(asControlError));
    });
    r.on('GET', '/v1/stacks/:name/status', async (_req, p) => {
      await this.sync(false);
      const tasks = this.m.store.list('task').filter((t) => t.spec.container.labels[NAMESPACE_LABEL] === p.name).length;
      return ok({ services: stackServices(this.m, p.name).length, tasks });
    });
    r.on('POST', '/v1/stacks/:name/remove', async (_req, p) => ok(await removeStack(this.m, p.name).catch(asControlError)));
    r.on('GET', '/v1/services/:ref', async (_req, p) => {
      const fresh = await this.sync(false);
      const svc = this.wrap(() => resolveService(this.m, p.ref));
      return ok({
        stale: !fresh,
        ...view(svc),
        tasks: this.m.store.tasksByService(svc.id),
        nodeNames: nodeNames(),
        networkNames: networkNames(),
        activeNodeIds: this.activeNodeIds(),
      });
    });
    r.on('GET', '/v1/services/:ref/progress', async (_req, p) => {
      const fresh = await this.sync(false);
      const svc = this.wrap(() => resolveService(this.m, p.ref));
      const tasks = slotHolders(svc.id, this.m.store.tasksByService(svc.id), Date.now());
      const activeNodeIds =
        svc.spec.mode === 'global' ? this.activeNodeIds() : [...new Set(tasks.flatMap((t) => (t.nodeId ? [t.nodeId] : [])))].filter((id) => this.nodeActive(id));
      return ok({ stale: !fresh, service: svc, tasks, activeNodeIds });
    });
    r.on('POST', '/v1/services/:ref/update', async (req, p) => {
      const b = req.body as { spec?: ServiceSpec; version?: number; resolveImage?: boolean } | undefined;
      if (!b?.spec) throw new ControlError(400, 'the request must carry a service spec');
      const image = b.spec.task?.container?.image;
      const current = this.m.store.resolve('service', p.ref);
      const imageChanged = !current.ok || current.object.spec.task.container.image !== image;
      if (b.resolveImage !== false && typeof image === 'string' && imageChanged) {
        await checkImage(this.identity(), image).catch((e: unknown) => {
          throw new ControlError(400, e instanceof Error ? e.message : String(e));
        });
      }
      return ok(await updateService(this.m, p.ref, b.spec, b.version).catch(asControlError));
    });
    r.on('POST', '/v1/services/:ref/rollback', async (req, p) => {
      const b = req.body as { version?: number } | undefined;
      return ok(await rollbackService(this.m, p.ref, b?.version).catch(asControlError));
    });
    r.on('POST', '/v1/services/:ref/remove', async (_req, p) => ok({ id: await removeService(this.m, p.ref).catch(asControlError) }));
    r.on('GET', '/v1/logs', async (req) => {
      const ref = req.query.get('ref') ?? '';
      const tail = req.query.get('tail');
      const q = this.wrap(() => this.logQuery(ref, req.query.get('follow') === '1', tail === null ? undefined : Number(tail)));
      const names = nodeNames();
      const store = this.m.store;
      const events = this.wrap(() => this.readLogs(q, req.signal));
      async function* lines() {
        for await (const ev of events) {
          if (ev.kind === 'warning') {
            yield { warning: ev.message };
            continue;
          }
          // Looked up per line: with -f, tasks started after the request speak too.
          const t = store.get('task', ev.line.taskId);
          yield {
            task: ev.line.taskId,
            name: t ? `${t.serviceName}.${t.slot ?? t.nodeId ?? ''}` : ev.line.taskId,
            node: names[ev.nodeId] ?? ev.nodeId,
            stream: ev.line.stream,
            timestamp: ev.line.timestamp,
            line: ev.line.line,
          };
        }
      }
      return { status: 200, body: null, stream: lines() };
    });
    // Samples live in the leader's memory (its dispatcher hears the agents), never in Raft.
    r.on('GET', '/v1/stats', async (req) => {
      if (!this.m.isLeader) {
        const leader = this.leaderNodeId();
        const where = leader ? this.m.store.get('node', leader) : undefined;
        const name = where ? `${where.description?.hostname ?? where.id} (${where.managerStatus?.addr ?? 'address unknown'})` : undefined;
        throw new ControlError(
          421,
          name
            ? `task metrics live in the leader's memory: run this command on the leader, ${name}`
            : "task metrics live in the leader's memory, and no leader is known right now; try again shortly",
        );
      }
      return ok(this.wrap(() => statsView(this.m.store, this.m.metrics, req.query.getAll('service'), Date.now())));
    });
    r.on('GET', '/v1/tasks', async (req) => {
      const fresh = await this.sync(false);
      const refs = req.query.getAll('service');
      const stack = req.query.get('stack');
      const services =
        stack !== null ? stackServices(this.m, stack) : refs.length > 0 ? refs.map((ref) => this.wrap(() => resolveService(this.m, ref))) : this.m.store.list('service');
      if (stack !== null && services.length === 0) throw new ControlError(404, `nothing found in stack: ${stack}`);
      const tasks = services.flatMap((svc) => this.m.store.tasksByService(svc.id));
      return ok({ stale: !fresh, services, tasks, nodeNames: nodeNames() });
    });
  }

  private networkRoutes(r: Router): void {
    r.on('POST', '/v1/networks', async (req) => {
      const spec = (req.body as { spec?: NetworkSpec } | undefined)?.spec;
      if (typeof spec !== 'object' || spec === null) throw new ControlError(400, 'the request must carry a network spec');
      return ok(await createNetwork(this.m, spec).catch(asControlError));
    });
    r.on('GET', '/v1/networks', async () => {
      const fresh = await this.sync(false);
      return ok({ stale: !fresh, networks: this.m.store.list('network') });
    });
    r.on('GET', '/v1/networks/:ref', async (_req, p) => {
      const fresh = await this.sync(false);
      return ok(this.wrap(() => networkView(this.m, p.ref, !fresh)));
    });
    r.on('POST', '/v1/networks/:ref/remove', async (_req, p) => ok({ id: await removeNetwork(this.m, p.ref).catch(asControlError) }));
  }

  /** A service (every node that has one of its tasks) or one task (its node). */
  private logQuery(ref: string, follow: boolean, tail: number | undefined): LogQuery {
    if (tail !== undefined && !(Number.isInteger(tail) && tail >= 0)) throw new ControlError(400, 'tail must be a non-negative integer');
    const byService = this.m.store.resolve('service', ref);
    if (byService.ok) {
      const nodeIds = [...new Set(this.m.store.tasksByService(byService.object.id).flatMap((t) => (t.nodeId ? [t.nodeId] : [])))];
      return { nodeIds, serviceId: byService.object.id, follow, tail };
    }
    const byTask = this.m.store.resolve('task', ref);
    if (byTask.ok) return { nodeIds: byTask.object.nodeId ? [byTask.object.nodeId] : [], taskIds: [byTask.object.id], follow, tail };
    throw new ControlError(404, `no such service or task: ${ref}`);
  }

  /** Nodes a global service may run on now: neither Down nor drained. */
  private activeNodeIds(): string[] {
    return this.m.store
      .list('node')
      .filter((n) => n.status.state !== 'down' && n.spec.availability !== 'drain')
      .map((n) => n.id);
  }

  private nodeActive(id: string): boolean {
    const n = this.m.store.get('node', id);
    return !!n && n.status.state !== 'down' && n.spec.availability !== 'drain';
  }

  private wrap<T>(f: () => T): T {
    try {
      return f();
    } catch (e) {
      return asControlError(e);
    }
  }

  private resolve(ref: string): DeepReadonly<Node> {
    try {
      return resolveNode(this.m, ref);
    } catch (e) {
      return asControlError(e);
    }
  }

  /**
   * Makes the read linearizable when a quorum is there. Without one, reads
   * answer from this manager's last known state (writes fail instead); the
   * answer says so, and the CLI warns.
   */
  private async sync(local: boolean): Promise<boolean> {
    if (local) return true;
    // A manager that has just started (or lost its leader) learns of one within
    // about an election timeout when there is a quorum: a read waits that long
    // rather than answer from a store that may lack what was written meanwhile.
    if (!(await this.m.leaderWithin(LEADER_WAIT_MS))) return false;
    try {
      await this.m.syncRead();
      return true;
    } catch (e) {
      if (e instanceof ManagerError && e.code === 'NoQuorum') return false;
      return asControlError(e);
    }
  }

  private cluster(): DeepReadonly<Cluster> {
    const c = this.m.store.get('cluster', this.identity().clusterId);
    if (!c) throw new ControlError(503, 'the cluster object is not committed yet; retry in a moment');
    return c;
  }

  private leaderNodeId(): string | undefined {
    const lead = this.m.leader;
    return this.m.store.list('node').find((n) => n.managerStatus?.raftId === lead)?.id;
  }

  private reachability(): Record<string, 'reachable' | 'unreachable'> {
    const out: Record<string, 'reachable' | 'unreachable'> = {};
    const raft = this.m.raft;
    const peers = raft.transportStats().peers;
    const leader = this.m.isLeader;
    // A learner (a manager still catching up) does not count towards the quorum yet.
    const voters = new Set(raft.status().config.voters);
    for (const n of this.m.store.list('node')) {
      const raftId = n.managerStatus?.raftId;
      if (raftId === undefined || n.role !== 'manager') continue;
      if (!voters.has(raftId)) {
        out[n.id] = 'unreachable';
        continue;
      }
      // The leader hears every member at each heartbeat; a follower hears only the
      // leader, and knows of the other followers only whether it is connected to them.
      const heard = raft.sinceHeard(raftId) < raft.electionTimeoutMs;
      const seen = leader || raftId === this.m.leader ? heard : peers[raftId]?.connected === true;
      out[n.id] = raftId === this.m.raftId || seen ? 'reachable' : 'unreachable';
    }
    return out;
  }

  private nodeView(n: DeepReadonly<Node>): { node: DeepReadonly<Node>; leaderNodeId?: string; reachability: Record<string, string> } {
    return { node: n, leaderNodeId: this.leaderNodeId(), reachability: this.reachability() };
  }

  private async listNodes(local: boolean): Promise<NodeListView> {
    const fresh = await this.sync(local);
    return {
      stale: !fresh,
      nodes: this.m.store.list('node'),
      selfId: this.identity().nodeId,
      leaderNodeId: this.leaderNodeId(),
      reachability: this.reachability(),
    };
  }

  private async info(): Promise<Record<string, unknown>> {
    const id = this.identity();
    // info answers even without a quorum: it reports the last known state.
    const c = this.m.store.get('cluster', id.clusterId);
    const nodes = this.m.store.list('node');
    const reach = this.reachability();
    const leaderNodeId = this.leaderNodeId();
    return {
      clusterId: id.clusterId,
      nodeId: id.nodeId,
      hostname: id.hostname,
      role: id.role,
      state: c ? 'active' : 'pending',
      isManager: true,
      nodeAddr: id.advertiseAddr.replace(/:\d+$/, ''),
      managers: nodes
        .filter((n) => n.role === 'manager' && n.managerStatus)
        .map((n) => ({ nodeId: n.id, addr: n.managerStatus?.addr, reachability: reach[n.id], leader: n.id === leaderNodeId })),
      nodes: nodes.length,
      managersCount: nodes.filter((n) => n.role === 'manager').length,
      raft: c
        ? { snapshotInterval: c.spec.raft.snapshotEvery, heartbeatTick: c.spec.raft.heartbeatTick, electionTick: c.spec.raft.electionTick }
        : undefined,
      dispatcherHeartbeatMs: c?.spec.dispatcherHeartbeatMs,
      taskHistoryLimit: c?.spec.taskHistoryLimit,
      hasQuorumLeader: this.m.hasLeader,
    };
  }

  /** The unlock key, or a new one with `rotate` (the old one is kept second: it still opens a manager that was down meanwhile). */
  private async unlockKey(rotate: boolean): Promise<{ key: string }> {
    await this.sync(false);
    const current = this.cluster();
    if (!current.spec.autolock || !current.unlockKeys?.length) {
      throw new ControlError(409, rotate ? 'cannot rotate the unlock key: autolock is not turned on' : 'no unlock key is set: autolock is not turned on');
    }
    if (!rotate) return { key: current.unlockKeys[0] };
    const c = await this.updateCluster((next) => {
      if (!next.spec.autolock || !next.unlockKeys?.length) throw new ControlError(409, 'cannot rotate the unlock key: autolock is not turned on');
      next.unlockKeys = [generateUnlockKey(), next.unlockKeys[0]];
    });
    return { key: (c.unlockKeys as string[])[0] };
  }

  /** `swarm update --autolock`: on, a new unlock key (returned); off, the keys are dropped and managers store their data keys unsealed. */
  private async setAutolock(on: boolean): Promise<{ autolock: boolean; key?: string; changed: boolean }> {
    await this.sync(false);
    if ((this.cluster().spec.autolock === true) === on) return { autolock: on, key: on ? this.cluster().unlockKeys?.[0] : undefined, changed: false };
    const c = await this.updateCluster((next) => {
      if (on) {
        next.spec.autolock = true;
        next.unlockKeys = [generateUnlockKey()];
      } else {
        delete next.spec.autolock;
        delete next.unlockKeys;
      }
    });
    return { autolock: on, key: c.unlockKeys?.[0], changed: true };
  }

  /** Applies `change` to the cluster object and commits it, again on a conflicting write. */
  private async updateCluster(change: (next: Cluster) => void): Promise<Cluster> {
    for (let attempt = 0; ; attempt++) {
      await this.sync(false);
      const c = this.cluster();
      const next = thaw(c);
      change(next);
      try {
        await this.m.write([{ op: 'update', kind: 'cluster', object: next, expectedVersion: c.meta.version }]);
        return next;
      } catch (e) {
        if (e instanceof ManagerError && e.code === 'Conflict' && attempt < 5) continue;
        return asControlError(e);
      }
    }
  }

  private async joinToken(role: string, rotate: boolean): Promise<{ token: string; managerAddr: string }> {
    if (role !== 'worker' && role !== 'manager') throw new ControlError(400, `unknown role "${role}": use worker or manager`);
    const managerAddr = this.identity().advertiseAddr;
    if (!rotate) {
      await this.sync(false);
      return { token: this.cluster().joinTokens[role], managerAddr };
    }
    for (let attempt = 0; ; attempt++) {
      await this.sync(false);
      const c = this.cluster();
      const next = thaw(c);
      next.joinTokens[role] = generateJoinToken(c.rootCA.digest);
      try {
        await this.m.write([{ op: 'update', kind: 'cluster', object: next, expectedVersion: c.meta.version }]);
        return { token: next.joinTokens[role], managerAddr };
      } catch (e) {
        if (e instanceof ManagerError && e.code === 'Conflict' && attempt < 5) continue;
        return asControlError(e);
      }
    }
  }
}

function parseUpdate(body: unknown): NodeUpdate {
  if (typeof body !== 'object' || body === null) throw new ControlError(400, 'the update must be a JSON object');
  const b = body as Record<string, unknown>;
  const u: NodeUpdate = {};
  if (b.availability !== undefined) u.availability = b.availability as NodeUpdate['availability'];
  if (b.labelAdd !== undefined) u.labelAdd = b.labelAdd as Record<string, string>;
  if (b.labelRm !== undefined) u.labelRm = b.labelRm as string[];
  return u;
}

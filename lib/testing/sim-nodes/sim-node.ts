// One simulated node: it joins through the real join flow (its own key and
// certificate, from a join token), then holds a real dispatcher session with
// the agent's own code (lib/worker/agent.ts, task-worker.ts), heartbeats and
// all; only the executor is fake (sim-executor.ts). It can be killed as a
// crashed node (connection dropped), a stopped one (session closed) or a hung
// one (silent: heartbeats stop, the connection stays open).

import type { NodeDescription } from '../../api/types';
import { joinCluster } from '../../net/join-client';
import { Agent, AgentLogger } from '../../worker/agent';
import { TaskWorker } from '../../worker/task-worker';
import { SimDelays, SimExecutor } from './sim-executor';

export type KillMode = 'closed' | 'hard' | 'silent';

export interface SimNodeOptions {
  token: string;
  /** host:port of a manager's node server. */
  managerAddr: string;
  hostname: string;
  delays?: SimDelays;
  /** What the node says it has; default 4 CPUs and 8 GiB. */
  resources?: NodeDescription['resources'];
  labels?: Record<string, string>;
  logger?: AgentLogger;
}

const QUIET: AgentLogger = { warn: () => undefined };

export class SimNode {
  private constructor(
    readonly nodeId: string,
    readonly hostname: string,
    readonly agent: Agent,
    readonly executor: SimExecutor,
    private readonly worker: TaskWorker,
  ) {}

  /** Joins the cluster and starts the node's session (resolved once joined, not once registered). */
  static async join(o: SimNodeOptions): Promise<SimNode> {
    // Simulated nodes serve no data path: the address they advertise is one nothing listens on.
    const joined = await joinCluster({ token: o.token, managerAddr: o.managerAddr, hostname: o.hostname, advertiseAddr: '127.0.0.1:9' });
    if (joined.role !== 'worker') throw new Error(`simulated nodes join as workers; the token is a ${joined.role} token`);
    const description: NodeDescription = {
      hostname: o.hostname,
      platform: { os: 'linux', arch: 'x86_64' },
      resources: o.resources ?? { nanoCPUs: 4e9, memoryBytes: 8 * 1024 ** 3 },
      engine: { version: 'simulated', labels: o.labels ?? {} },
    };
    const logger = o.logger ?? QUIET;
    const agent = new Agent({
      nodeId: joined.nodeId,
      clusterId: joined.clusterId,
      credentials: joined,
      managers: joined.managers.length > 0 ? joined.managers.map((m) => m.addr) : [o.managerAddr],
      describe: () => Promise.resolve(description),
      logger,
    });
    const ref: { worker?: TaskWorker } = {};
    const executor = new SimExecutor(joined.nodeId, (id, status) => ref.worker?.onStatus(id, status), o.delays);
    const worker = new TaskWorker(agent, executor, { warn: (m) => logger.warn(`tasks: ${m}`) }, { id: joined.nodeId, hostname: o.hostname });
    ref.worker = worker;
    agent.start();
    return new SimNode(joined.nodeId, o.hostname, agent, executor, worker);
  }

  get registered(): boolean {
    return this.agent.state === 'registered';
  }

  /** Ends the node as `mode` says; its tasks stop moving. */
  async kill(mode: KillMode): Promise<void> {
    await this.worker.stop();
    if (mode === 'silent') await this.agent.stop({ silent: true });
    else await this.agent.stop({ hard: mode === 'hard' });
  }

  /** Closes whatever is left (a silenced node's connection too). */
  async stop(): Promise<void> {
    await this.worker.stop();
    await this.agent.stop({ hard: true });
  }
}

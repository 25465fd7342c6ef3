// Many simulated nodes in one process: joined a few at a time (each join is a
// key pair, a certificate signed by a manager and a Raft write), counted,
// killed in bulk on command, and all closed at the end.

import type { TaskState } from '../../api/service-types';
import { KillMode, SimNode, SimNodeOptions } from './sim-node';

export interface SimFleetOptions extends Omit<SimNodeOptions, 'hostname'> {
  count: number;
  /** Joins in flight at once. Default 8. */
  concurrency?: number;
  /** Hostnames are PREFIX-1 … PREFIX-count. Default "sim". */
  prefix?: string;
  /** Called after each join, for progress lines. */
  onJoined?(joined: number): void;
  /**
   * Tries per node before the fleet gives up (default 1): a busy manager
   * answers 503 when the node's write is not committed in time, and `swarm
   * join` would be run again. Each retry is counted in `joinRetries`.
   */
  joinAttempts?: number;
}

export class SimFleet {
  readonly nodes: SimNode[] = [];
  joinRetries = 0;
  private readonly killed = new Set<SimNode>();

  /** Joins `count` nodes; on the first failure the ones joined are stopped and the error is thrown. */
  static async start(o: SimFleetOptions): Promise<SimFleet> {
    const fleet = new SimFleet();
    const prefix = o.prefix ?? 'sim';
    let next = 0;
    let failed: unknown;
    const worker = async (): Promise<void> => {
      while (failed === undefined && next < o.count) {
        const i = ++next;
        for (let attempt = 1; ; attempt++) {
          try {
            fleet.nodes.push(await SimNode.join({ ...o, hostname: `${prefix}-${i}` }));
            o.onJoined?.(fleet.nodes.length);
            break;
          } catch (e) {
            if (attempt < (o.joinAttempts ?? 1) && failed === undefined) {
              fleet.joinRetries++;
              await new Promise((r) => setTimeout(r, 1000 * attempt));
              continue;
            }
            failed ??= new Error(`simulated node ${prefix}-${i} could not join: ${e instanceof Error ? e.message : String(e)}`);
            break;
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(o.count, o.concurrency ?? 8) }, worker));
    if (failed !== undefined) {
      await fleet.stop();
      throw failed;
    }
    return fleet;
  }

  get live(): SimNode[] {
    return this.nodes.filter((n) => !this.killed.has(n));
  }

  registered(): number {
    return this.live.filter((n) => n.registered).length;
  }

  /** Tasks in this state on the live nodes, as the nodes see them. */
  count(state: TaskState): number {
    return this.live.reduce((sum, n) => sum + n.executor.count(state), 0);
  }

  /** Kills these nodes at once. */
  async kill(nodes: readonly SimNode[], mode: KillMode): Promise<void> {
    for (const n of nodes) this.killed.add(n);
    await Promise.all(nodes.map((n) => n.kill(mode)));
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.stop()));
  }
}

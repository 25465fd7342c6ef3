// N raft member processes on 127.0.0.1, each with its own data dir and port.

import { mkdirSync } from 'fs';
import { createServer } from 'net';
import { join } from 'path';
import { NodeId } from '../core/types';
import { MemberProcess } from './member-process';
import { MemberConfig, MemberStatus } from './protocol';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export class ProcessCluster {
  readonly members = new Map<NodeId, MemberProcess>();

  private constructor(
    readonly root: string,
    readonly configs: MemberConfig[],
    private readonly inheritStderr: boolean,
  ) {}

  static async create(
    root: string,
    size: number,
    opts: { tickMs?: number; electionTick?: number; snapshotEvery?: number; leaseReads?: boolean; inheritStderr?: boolean } = {},
  ): Promise<ProcessCluster> {
    const ports: number[] = [];
    for (let i = 0; i < size; i++) ports.push(await freePort());
    const peers = ports.map((port, i) => ({ id: i + 1, url: `ws://127.0.0.1:${port}` }));
    const configs = peers.map((p, i) => ({
      id: p.id,
      dataDir: join(root, `member-${p.id}`),
      port: ports[i],
      peers,
      tickMs: opts.tickMs,
      electionTick: opts.electionTick,
      snapshotEvery: opts.snapshotEvery,
      leaseReads: opts.leaseReads,
    }));
    mkdirSync(root, { recursive: true });
    const c = new ProcessCluster(root, configs, opts.inheritStderr ?? false);
    for (const cfg of configs) await c.start(cfg.id);
    return c;
  }

  async start(id: NodeId): Promise<MemberProcess> {
    const cfg = this.configs.find((c) => c.id === id);
    if (!cfg) throw new Error(`no member ${id}`);
    const m = await MemberProcess.start(cfg, { inheritStderr: this.inheritStderr });
    this.members.set(id, m);
    return m;
  }

  async statuses(): Promise<MemberStatus[]> {
    const all = await Promise.all([...this.members.values()].map((m) => m.status()));
    return all.filter((s): s is MemberStatus => s !== undefined);
  }

  /** Waits until the live members agree on one leader among them. */
  async waitForLeader(timeoutMs = 15_000, exclude?: NodeId): Promise<MemberProcess> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const st = await this.statuses();
      const leaders = st.filter((s) => s.isLeader && s.id !== exclude);
      if (leaders.length === 1 && st.every((s) => s.leader === leaders[0].id)) {
        return this.members.get(leaders[0].id) as MemberProcess;
      }
      if (Date.now() > deadline) {
        throw new Error(`no agreed leader within ${timeoutMs} ms: ${JSON.stringify(st)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async kill(id: NodeId): Promise<void> {
    await this.members.get(id)?.kill();
    this.members.delete(id);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.members.values()].map((m) => m.stop().catch(() => m.kill())));
    this.members.clear();
  }
}

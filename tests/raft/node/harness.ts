// Several RaftNodes in one process over a LocalNetwork, each with its own
// on-disk data dir, for the driver's tests.

import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { RaftNode, RaftNodeOptions, StateMachine } from '../../../lib/raft/node/raft-node';
import { LocalNetwork } from '../../../lib/raft/transport';
import { NodeId } from '../../../lib/raft/core/types';

/** A replicated list of strings: easy to compare across nodes. */
export class ListMachine implements StateMachine {
  items: string[] = [];
  indexes: number[] = [];
  restores = 0;

  apply(e: { index: number; data: Uint8Array }): void {
    this.items.push(Buffer.from(e.data).toString('utf8'));
    this.indexes.push(e.index);
  }

  snapshot(): Uint8Array {
    return Buffer.from(JSON.stringify({ items: this.items, indexes: this.indexes }));
  }

  restore(data: Uint8Array): void {
    const s = JSON.parse(Buffer.from(data).toString('utf8')) as { items: string[]; indexes: number[] };
    this.items = s.items;
    this.indexes = s.indexes;
    this.restores++;
  }
}

export async function waitFor(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export class Cluster {
  readonly net = new LocalNetwork();
  readonly root = mkdtempSync(join(tmpdir(), 'swarm-raft-node-'));
  readonly nodes = new Map<NodeId, RaftNode>();
  readonly machines = new Map<NodeId, ListMachine>();

  constructor(private readonly extra: Partial<RaftNodeOptions> = {}) {}

  dir(id: NodeId): string {
    return join(this.root, `n${id}`);
  }

  async start(id: NodeId, bootstrap?: NodeId[], opts: Partial<RaftNodeOptions> = {}): Promise<RaftNode> {
    const sm = new ListMachine();
    const node = await RaftNode.start({
      id,
      dataDir: this.dir(id),
      url: `local://${id}`,
      transport: (h) => this.net.transport({ id, ...h }),
      stateMachine: sm,
      bootstrap: bootstrap?.map((p) => ({ id: p, url: `local://${p}` })),
      tickMs: 10,
      proposalTimeoutMs: 3000,
      onFatal: (e) => {
        throw e;
      },
      ...this.extra,
      ...opts,
    });
    this.nodes.set(id, node);
    this.machines.set(id, sm);
    return node;
  }

  async stop(id: NodeId): Promise<void> {
    await this.nodes.get(id)?.stop();
    this.nodes.delete(id);
  }

  leader(): RaftNode | undefined {
    const leaders = [...this.nodes.values()].filter((n) => n.isLeader);
    return leaders.length === 1 ? leaders[0] : undefined;
  }

  async waitLeader(): Promise<RaftNode> {
    await waitFor(() => this.leader() !== undefined, 'a single leader');
    return this.leader() as RaftNode;
  }

  async close(): Promise<void> {
    for (const id of [...this.nodes.keys()]) await this.stop(id);
    rmSync(this.root, { recursive: true, force: true });
  }
}

// Our cluster for a bench: one manager and some workers as detached daemons
// on 127.0.0.1, all on the local engine, in a temporary directory. Everything
// it starts or creates is undone by the Cleanup it is given, in this order:
// stop the daemons, remove containers still carrying one of their node ids
// (a killed agent leaves its containers running on the engine), remove the dirs.

import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'fs';
import { join } from 'path';
import { tmpdir } from 'os';
import type { NodeListView } from '../../lib/daemon/control-api';
import { eventually } from '../../lib/util/eventually';
import { NODE_LABEL, removeContainersWithLabel } from './engine';
import { checkNotAborted, Cleanup, log } from './lifecycle';
import { api, Daemons, makeNode, nodeIdOf, swarmCli, SwarmNode } from './nodes';

export interface Cluster {
  root: string;
  manager: SwarmNode;
  workers: SwarmNode[];
  daemons: Daemons;
  opts: ClusterOptions;
  /** Each node's id, once it has one. */
  ids: Map<SwarmNode, string>;
}

export interface ClusterOptions {
  /** Extra `swarm init` flags (none: the defaults users get). */
  initFlags?: readonly string[];
  /** Copy each daemon's swarm.log somewhere that outlives the run, to study where the time went. */
  keepLogs?: boolean;
  /**
   * Node flags for every daemon (e.g. --cpu-prof): the daemons then run as
   * `swarm … --foreground` children of `node FLAGS` (see Daemons.startForeground).
   */
  nodeFlags?: readonly string[];
}

/** Starts a node's daemon as the options say: detached by the CLI, or in the foreground under node flags. */
function startDaemon(c: Pick<Cluster, 'daemons'>, opts: ClusterOptions, n: SwarmNode, args: readonly string[]): Promise<number> {
  return opts.nodeFlags ? c.daemons.startForeground(n, args, opts.nodeFlags) : c.daemons.start(n, args);
}

function keepLogs(prefix: string, nodes: readonly SwarmNode[]): void {
  const dest = mkdtempSync(join(tmpdir(), `swarm-bench-${prefix}-logs-`));
  for (const n of nodes) {
    const file = join(n.dir, 'swarm.log');
    if (existsSync(file)) copyFileSync(file, join(dest, `${n.name}.log`));
  }
  log(`daemon logs kept in ${dest}`);
}

export async function startCluster(cleanup: Cleanup, prefix: string, workerCount: number, opts: ClusterOptions = {}): Promise<Cluster> {
  // After the abort, the cleanup may be over already: nothing may be created that it would miss.
  checkNotAborted();
  const root = mkdtempSync(join(tmpdir(), `swarm-bench-${prefix}-`));
  const c: Cluster = { root, manager: { name: 'm1', dir: join(root, 'm1'), addr: '' }, workers: [], daemons: new Daemons(), opts, ids: new Map() };
  const all = () => [c.manager, ...c.workers];
  // Registered at once, before any await, so that no abort can slip in between.
  cleanup.add(`remove ${root}`, async () => {
    if (opts.keepLogs) keepLogs(prefix, all());
    rmSync(root, { recursive: true, force: true });
  });
  cleanup.add('remove containers of our nodes', async () => {
    for (const n of all()) {
      // Ids are noted as they are known, as a node that left has no identity file any more; no id: no containers either.
      const id = c.ids.get(n) ?? (existsSync(join(n.dir, 'identity.json')) ? nodeIdOf(n) : undefined);
      if (id !== undefined) await removeContainersWithLabel(NODE_LABEL, id);
    }
  });
  cleanup.add('stop our daemons', () => c.daemons.stopAll());
  c.manager = await makeNode(root, 'm1');
  const workers: SwarmNode[] = [];
  for (let i = 1; i <= workerCount; i++) workers.push(await makeNode(root, `w${i}`));

  const t0 = performance.now();
  const m = c.manager;
  await startDaemon(c, opts, m, ['init', '--listen-addr', m.addr, '--advertise-addr', m.addr, '--hostname', m.name, ...(opts.initFlags ?? [])]);
  c.ids.set(m, nodeIdOf(m));
  for (const w of workers) await joinWorker(c, w);
  log(`our cluster: ${all().map((n) => n.name).join(', ')} ready in ${Math.round(performance.now() - t0)} ms (data in ${root})`);
  return c;
}

/** A node for joinWorker: its own data dir under the cluster's, and a free 127.0.0.1 port. */
export function newWorkerNode(c: Cluster, name: string): Promise<SwarmNode> {
  return makeNode(c.root, name);
}

/**
 * Joins one more worker (made with newWorkerNode, or by startCluster) with
 * `swarm join` and any extra flags; resolves once the manager lists every node
 * ready. The cluster's cleanup stops it and removes its containers.
 */
export async function joinWorker(c: Cluster, w: SwarmNode, joinFlags: readonly string[] = []): Promise<void> {
  if (!c.workers.includes(w)) c.workers.push(w);
  const token = (await swarmCli(c.manager, ['join-token', '-q', 'worker'])).stdout.trim();
  await startDaemon(c, c.opts, w, ['join', '--token', token, c.manager.addr, '--listen-addr', w.addr, '--advertise-addr', w.addr, '--hostname', w.name, ...joinFlags]);
  c.ids.set(w, nodeIdOf(w));
  const count = 1 + c.workers.length;
  await eventually(
    `${count} ready node(s)`,
    async () => {
      const v = await api<NodeListView>(c.manager, 'GET', '/v1/nodes');
      return v.nodes.length === count && v.nodes.every((n) => n.status.state === 'ready') ? true : undefined;
    },
    60_000,
  );
}

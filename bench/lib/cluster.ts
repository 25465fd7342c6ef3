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
}

export interface ClusterOptions {
  /** Extra `swarm init` flags (none: the defaults users get). */
  initFlags?: readonly string[];
  /** Copy each daemon's swarm.log somewhere that outlives the run, to study where the time went. */
  keepLogs?: boolean;
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
  const all: SwarmNode[] = [];
  // Registered at once, before any await, so that no abort can slip in between.
  cleanup.add(`remove ${root}`, async () => {
    if (opts.keepLogs) keepLogs(prefix, all);
    rmSync(root, { recursive: true, force: true });
  });
  const manager = await makeNode(root, 'm1');
  const workers: SwarmNode[] = [];
  for (let i = 1; i <= workerCount; i++) workers.push(await makeNode(root, `w${i}`));
  all.push(manager, ...workers);

  cleanup.add('remove containers of our nodes', async () => {
    for (const n of all) {
      // No identity file: the node never got as far as having an id, nor containers.
      if (existsSync(join(n.dir, 'identity.json'))) await removeContainersWithLabel(NODE_LABEL, nodeIdOf(n));
    }
  });
  const daemons = new Daemons();
  cleanup.add('stop our daemons', () => daemons.stopAll());

  const t0 = performance.now();
  await daemons.start(manager, ['init', '--listen-addr', manager.addr, '--advertise-addr', manager.addr, '--hostname', manager.name, ...(opts.initFlags ?? [])]);
  if (workers.length > 0) {
    const token = (await swarmCli(manager, ['join-token', '-q', 'worker'])).stdout.trim();
    for (const w of workers) {
      await daemons.start(w, ['join', '--token', token, manager.addr, '--listen-addr', w.addr, '--advertise-addr', w.addr, '--hostname', w.name]);
    }
  }
  await eventually(
    `${all.length} ready node(s)`,
    async () => {
      const v = await api<NodeListView>(manager, 'GET', '/v1/nodes');
      return v.nodes.length === all.length && v.nodes.every((n) => n.status.state === 'ready') ? true : undefined;
    },
    60_000,
  );
  log(`our cluster: ${all.map((n) => n.name).join(', ')} ready in ${Math.round(performance.now() - t0)} ms (data in ${root})`);
  return { root, manager, workers, daemons };
}

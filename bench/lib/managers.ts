// A cluster of managers only, all drained (tasks go to simulated nodes), on
// the process runtime (no engine needed), as detached daemons on 127.0.0.1
// in a temporary directory; under node flags (--cpu-prof) when given. The
// Cleanup it is given stops them by pid and removes the directory.

import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { performance } from 'perf_hooks';
import type { NodeListView } from '../../lib/daemon/control-api';
import { eventually } from '../../lib/util/eventually';
import { checkNotAborted, Cleanup, log } from './lifecycle';
import { api, Daemons, makeNode, nodeIdOf, swarmCli, SwarmNode } from './nodes';

export interface ManagerCluster {
  root: string;
  managers: SwarmNode[];
  daemons: Daemons;
  /** Daemon pid and node id of each manager. */
  pids: Map<SwarmNode, number>;
  ids: Map<SwarmNode, string>;
}

export interface ManagerClusterOptions {
  count: number;
  /** Extra flags of `swarm init` (timings). */
  initFlags?: readonly string[];
  /** Node flags for every daemon (e.g. --cpu-prof): they then run in the foreground, as children. */
  nodeFlags?: readonly string[];
}

export async function startManagers(cleanup: Cleanup, prefix: string, o: ManagerClusterOptions): Promise<ManagerCluster> {
  checkNotAborted();
  const root = mkdtempSync(join(tmpdir(), `swarm-bench-${prefix}-`));
  const c: ManagerCluster = { root, managers: [], daemons: new Daemons(), pids: new Map(), ids: new Map() };
  // SWARM_BENCH_KEEP=1 keeps the data dirs (and the managers' logs) for a look afterwards.
  if (process.env.SWARM_BENCH_KEEP !== '1') cleanup.add(`remove ${root}`, async () => rmSync(root, { recursive: true, force: true }));
  cleanup.add('stop our daemons', () => c.daemons.stopAll());
  const start = (n: SwarmNode, args: string[]) => (o.nodeFlags ? c.daemons.startForeground(n, args, o.nodeFlags) : c.daemons.start(n, args));
  const t0 = performance.now();
  const common = ['--runtime', 'process', '--availability', 'drain'];
  for (let i = 1; i <= o.count; i++) {
    const n = await makeNode(root, `m${i}`);
    c.managers.push(n);
    const first = c.managers[0];
    const args =
      i === 1
        ? ['init', '--listen-addr', n.addr, '--advertise-addr', n.addr, '--hostname', n.name, ...common, ...(o.initFlags ?? [])]
        : ['join', '--token', (await swarmCli(first, ['join-token', '-q', 'manager'])).stdout.trim(), first.addr, '--listen-addr', n.addr, '--advertise-addr', n.addr, '--hostname', n.name, ...common];
    c.pids.set(n, await start(n, args));
    c.ids.set(n, nodeIdOf(n));
  }
  await eventually(
    `${o.count} ready manager(s)`,
    async () => {
      const v = await api<NodeListView>(c.managers[0], 'GET', '/v1/nodes');
      return v.nodes.filter((n) => n.role === 'manager' && n.status.state === 'ready').length === o.count && v.leaderNodeId !== undefined ? true : undefined;
    },
    60_000,
  );
  log(`${o.count} drained manager(s) ready in ${Math.round(performance.now() - t0)} ms (data in ${root})`);
  return c;
}

/** The manager that leads now, as the first one that answers says. */
export async function leaderOf(c: ManagerCluster): Promise<SwarmNode | undefined> {
  for (const m of c.managers) {
    try {
      const v = await api<NodeListView>(m, 'GET', '/v1/nodes', undefined, 10_000);
      return c.managers.find((x) => c.ids.get(x) === v.leaderNodeId);
    } catch {
      // try the next one
    }
  }
  return undefined;
}

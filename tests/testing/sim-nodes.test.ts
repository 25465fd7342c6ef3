// Simulated nodes against a real manager daemon (compiled, `npm run build`):
// they join with the worker token, register over the dispatcher, run the
// replicas of a service as far as the manager can tell, and a killed one goes
// down and its replicas are started on the others. No container engine is
// involved: the manager is drained and runs the process runtime.

import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { defaultServiceSpec } from '../../lib/api/service-defaults';
import type { Task } from '../../lib/api/service-types';
import { callDaemon } from '../../lib/daemon/control-client';
import { freePort } from '../../lib/raft/process/process-cluster';
import { SimFleet } from '../../lib/testing/sim-nodes';
import { eventually } from '../../lib/util/eventually';
import { killHard, nodeRows, swarmOk } from '../cluster/cli';

jest.setTimeout(120_000);

const HEARTBEAT_MS = 500;
const FAST = { accept: 10, prepare: 20, start: 20, stop: 10 };

describe('simulated nodes', () => {
  const root = mkdtempSync(join(tmpdir(), 'swarm-sim-nodes-'));
  const m = join(root, 'm1');
  let addr = '';
  let fleet: SimFleet | undefined;
  const api = <T>(method: string, path: string, body?: unknown) => callDaemon<T>(join(m, 'swarm.sock'), m, method, path, body, 10_000);

  beforeAll(async () => {
    addr = `127.0.0.1:${await freePort()}`;
    await swarmOk(m, ['init', '--runtime', 'process', '--availability', 'drain', '--listen-addr', addr, '--hostname', 'm1', '--raft-tick', '50ms', '--dispatcher-heartbeat', `${HEARTBEAT_MS}ms`]);
  });

  afterAll(async () => {
    await fleet?.stop();
    killHard(m);
    rmSync(root, { recursive: true, force: true });
  });

  test('they join, run a service to N/N, and a silent one goes down with its replicas moved', async () => {
    const token = (await swarmOk(m, ['join-token', '-q', 'worker'])).trim();
    fleet = await SimFleet.start({ token, managerAddr: addr, count: 4, delays: FAST });
    const ids = new Set(fleet.nodes.map((n) => n.nodeId));
    expect(ids.size).toBe(4);
    await eventually('4 simulated nodes ready', async () => {
      const rows = await nodeRows(m);
      return rows.filter((r) => r.Hostname.startsWith('sim-') && r.Status === 'Ready').length === 4 ? true : undefined;
    });

    await api('POST', '/v1/services', { spec: { ...defaultServiceSpec('web', 'swarm-test/busybox:latest'), replicas: 8 }, resolveImage: false });
    await eventually('service ls shows 8/8', async () => ((await swarmOk(m, ['service', 'ls'])).includes('8/8') ? true : undefined));
    const f = fleet;
    expect(f.count('running')).toBe(8);

    // The node with the most replicas hangs: no more heartbeats, its connection left open.
    const victim = [...f.nodes].sort((a, b) => b.executor.count('running') - a.executor.count('running'))[0];
    const moved = victim.executor.count('running');
    expect(moved).toBeGreaterThan(0);
    await f.kill([victim], 'silent');
    await eventually('the silent node is down', async () => {
      const rows = await nodeRows(m);
      return rows.find((r) => r.ID === victim.nodeId)?.Status === 'Down' ? true : undefined;
    });
    await eventually('8 replicas run on the other nodes', async () => {
      const tasks = (await api<{ tasks: Task[] }>('GET', '/v1/tasks')).tasks;
      const live = tasks.filter((t) => t.desiredState === 'running' && t.status.state === 'running');
      return live.length === 8 && live.every((t) => t.nodeId !== victim.nodeId) && f.count('running') === 8 ? true : undefined;
    });
  });
});

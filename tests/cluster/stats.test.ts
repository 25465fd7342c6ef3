// `swarm service stats` on the real engine: a manager and a worker on
// 127.0.0.1, a CPU-burning task next to an idle one, the figures read through
// the CLI as a user would, from samples the nodes' agents sent the leader.

import Docker from 'dockerode';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { freePort } from '../../lib/raft/process/process-cluster';
import { testImageName } from '../../lib/testing/test-image';
import { eventually } from '../../lib/util/eventually';
import { describeWithDocker } from '../helpers/docker';
import { killHard, swarm, swarmOk } from './cli';
import { containersOf, untilRunning } from './services-helpers';

jest.setTimeout(180_000);

const IMG = testImageName();
const QUICK = ['--stop-grace-period', '1s'];

interface StatsRow {
  ID: string;
  Name: string;
  Node: string;
  Service: string;
  CPUPerc: string;
  MemUsage: string;
  PIDs: string;
}

describeWithDocker('service stats on the engine', (docker: Docker) => {
  const root = mkdtempSync(join(tmpdir(), 'swarm-e2e-stats-'));
  const m = join(root, 'm1');
  const w = join(root, 'w1');
  const created: string[] = [];

  beforeAll(async () => {
    const addr = `127.0.0.1:${await freePort()}`;
    await swarmOk(m, ['init', '--listen-addr', addr, '--hostname', 'm1', '--raft-tick', '50ms', '--dispatcher-heartbeat', '500ms']);
    const token = (await swarmOk(m, ['join-token', '-q', 'worker'])).trim();
    await swarmOk(w, ['join', '--token', token, addr, '--listen-addr', `127.0.0.1:${await freePort()}`, '--hostname', 'w1']);
  });

  afterAll(async () => {
    killHard(m);
    killHard(w);
    for (const id of created) {
      for (const c of await containersOf(docker, id)) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
    }
    rmSync(root, { recursive: true, force: true });
  });

  const stats = async (args: string[]): Promise<StatsRow[]> => {
    const out = await swarmOk(m, ['service', 'stats', '--no-stream', '--format', 'json', ...args]);
    return out.trim() === '' ? [] : out.trim().split('\n').map((l) => JSON.parse(l) as StatsRow);
  };
  const cpu = (r: StatsRow | undefined): number | undefined => (r && r.CPUPerc !== '--' ? parseFloat(r.CPUPerc) : undefined);

  test('a CPU-burning task shows a CPU % well above an idle one, with its node and memory', async () => {
    // One of each on each node: the worker's samples reach the leader over its own session.
    for (const [name, cmd] of [
      ['burn', ['sh', '-c', 'while :; do :; done']],
      ['idle', ['sleep', '100000']],
    ] as const) {
      created.push((await swarmOk(m, ['service', 'create', '-d', '--name', name, '--replicas', '2', '--replicas-max-per-node', '1', ...QUICK, IMG, ...cmd])).trim());
    }
    await untilRunning(m, 'burn', 2, eventually);
    await untilRunning(m, 'idle', 2, eventually);
    // A first sample needs two readings, 5 s apart.
    const rows = await eventually(
      'figures for all four tasks',
      async () => {
        const r = await stats(['burn', 'idle']);
        return r.length === 4 && r.every((x) => cpu(x) !== undefined) ? r : undefined;
      },
      60_000,
      500,
    );
    const burn = rows.filter((r) => r.Service === 'burn');
    const idle = rows.filter((r) => r.Service === 'idle');
    expect(burn.map((r) => r.Node).sort()).toEqual(['m1', 'w1']);
    expect(idle.map((r) => r.Node).sort()).toEqual(['m1', 'w1']);
    // Two spinning tasks share 2 cores with the rest of the machine: each gets a good part of one.
    for (const b of burn) expect(cpu(b)).toBeGreaterThan(25);
    for (const i of idle) expect(cpu(i)).toBeLessThan(5);
    for (const r of rows) {
      expect(r.MemUsage).toMatch(/^\d+(\.\d+)?[KMG]?i?B \/ \d+(\.\d+)?[KMG]i?B$/);
      expect(r.PIDs).toBe('1');
      expect(r.Name).toMatch(/^(burn|idle)\.[12]$/);
    }

    // Without a service named: every service's tasks.
    expect((await stats([])).length).toBe(4);
    // The default table has docker stats' header.
    const table = await swarmOk(m, ['service', 'stats', '--no-stream', 'burn']);
    expect(table.split('\n')[0]).toMatch(/^ID\s+NAME\s+NODE\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS$/);
  });

  test('an unknown service is a clear error', async () => {
    const r = await swarm(m, ['service', 'stats', '--no-stream', 'nosuch']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no such service: nosuch');
  });
});

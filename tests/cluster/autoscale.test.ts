// Autoscaling on the real engine, end to end: the nodes' agents sample their
// tasks, the leader's autoscaler reads the samples and writes replicas through
// Raft, the orchestrator and scheduler do the rest. A manager and a worker;
// the decision period shortened to 2 s (SWARM_AUTOSCALE_PERIOD, inherited by
// the daemons), the scale-down window to 15 s by the service's own policy.
// Each burning task is held to a fifth of a core (--limit-cpu 0.2) so that
// three of them leave the 2-core machine room for everything else.

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

jest.setTimeout(240_000);

const IMG = testImageName();

interface Inspected {
  Spec: { Mode: { Replicated?: { Replicas: number } }; Autoscale?: { MinReplicas: number; MaxReplicas: number; TargetCPUPercent?: number } };
  AutoscaleStatus?: { PreviousReplicas: number; Replicas: number; Metric: string; Value: number; Target: number; Message: string };
}

describeWithDocker('autoscaling on the engine', (docker: Docker) => {
  const root = mkdtempSync(join(tmpdir(), 'swarm-e2e-autoscale-'));
  const m = join(root, 'm1');
  const w = join(root, 'w1');
  let serviceId = '';
  const savedPeriod = process.env.SWARM_AUTOSCALE_PERIOD;

  beforeAll(async () => {
    process.env.SWARM_AUTOSCALE_PERIOD = '2s';
    const addr = `127.0.0.1:${await freePort()}`;
    await swarmOk(m, ['init', '--listen-addr', addr, '--hostname', 'm1', '--raft-tick', '50ms', '--dispatcher-heartbeat', '500ms']);
    const token = (await swarmOk(m, ['join-token', '-q', 'worker'])).trim();
    await swarmOk(w, ['join', '--token', token, addr, '--listen-addr', `127.0.0.1:${await freePort()}`, '--hostname', 'w1']);
  });

  afterAll(async () => {
    if (savedPeriod === undefined) delete process.env.SWARM_AUTOSCALE_PERIOD;
    else process.env.SWARM_AUTOSCALE_PERIOD = savedPeriod;
    killHard(m);
    killHard(w);
    if (serviceId) for (const c of await containersOf(docker, serviceId)) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  });

  const inspect = async (): Promise<Inspected> => (JSON.parse(await swarmOk(m, ['service', 'inspect', 'burn'])) as Inspected[])[0];
  const replicas = async (): Promise<number> => (await inspect()).Spec.Mode.Replicated?.Replicas ?? -1;

  test('a CPU-burning service grows to its max; made idle, it shrinks to its min once the window has passed', async () => {
    serviceId = (
      await swarmOk(m, [
        'service', 'create', '-d', '--name', 'burn', '--limit-cpu', '0.2', '--stop-grace-period', '1s', '--update-parallelism', '0',
        '--autoscale-min', '1', '--autoscale-max', '3', '--autoscale-cpu', '10', '--autoscale-down-delay', '15s',
        IMG, 'sh', '-c', 'while :; do :; done',
      ])
    ).trim();
    await untilRunning(m, 'burn', 1, eventually);

    // 20 % of a core against a target of 10 %: 1 -> 2 -> 3 (the max), each step once the new tasks report.
    const grown = await eventually('3 replicas', async () => ((await replicas()) === 3 ? inspect() : undefined), 90_000, 500);
    expect(grown.AutoscaleStatus).toMatchObject({ Replicas: 3, Metric: 'cpu', Target: 10 });
    expect(grown.AutoscaleStatus?.Value).toBeGreaterThan(11);
    await untilRunning(m, 'burn', 3, eventually);

    // What the autoscaler read, as a user sees it.
    const rows = await eventually(
      'figures for the 3 tasks',
      async () => {
        const out = (await swarmOk(m, ['service', 'stats', '--no-stream', '--format', 'json', 'burn'])).trim();
        const r = out === '' ? [] : out.split('\n').map((l) => JSON.parse(l) as { CPUPerc: string });
        return r.length === 3 && r.every((x) => x.CPUPerc !== '--') ? r : undefined;
      },
      30_000,
      500,
    );
    for (const r of rows) expect(parseFloat(r.CPUPerc)).toBeGreaterThan(10);

    // Idle now: the updated tasks use nothing, and after the 15 s window the service is back at its min.
    const idleAt = Date.now();
    await swarmOk(m, ['service', 'update', '-d', '--args', 'sleep 100000', 'burn']);
    const shrunk = await eventually('1 replica', async () => ((await replicas()) === 1 ? inspect() : undefined), 120_000, 500);
    // Never faster than the window: the first decision that saw the idle tasks is at least 15 s old by then.
    expect(Date.now() - idleAt).toBeGreaterThanOrEqual(15_000);
    expect(shrunk.AutoscaleStatus).toMatchObject({ PreviousReplicas: 3, Replicas: 1, Metric: 'cpu' });
    expect(shrunk.AutoscaleStatus?.Value).toBeLessThan(9);
    await eventually('one task running', async () => {
      const out = await swarmOk(m, ['service', 'ls', '--format', 'json']);
      return out.includes('"Replicas":"1/1"') || undefined;
    }, 30_000, 500);

    // A manual scale within the bounds is taken, and the CLI says who decides next.
    const r = await swarm(m, ['service', 'scale', '-d', 'burn=2']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/autoscal/i);
  });
});

// Rolling updates on real containers, driven through the CLI: an update whose
// new command fails rolls itself back; start-first keeps every replica
// running through the update; a paused update resumes with `service update`.

import Docker from 'dockerode';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { freePort } from '../../lib/raft/process/process-cluster';
import { testImageName } from '../../lib/testing/test-image';
import { eventually } from '../../lib/util/eventually';
import { describeWithDocker } from '../helpers/docker';
import { killHard, swarm, swarmOk } from './cli';
import { containersOf, psRows, untilRunning } from './services-helpers';

jest.setTimeout(180_000);

const IMG = testImageName();
// busybox sleep as PID 1 ignores SIGTERM: a short grace keeps replacements quick; so does a short restart delay.
const QUICK = ['--stop-grace-period', '1s', '--restart-delay', '1s'];
const FAILING = ['--args', "sh -c 'sleep 1; exit 1'"];

interface Inspected {
  ID: string;
  Spec: { TaskTemplate: { ContainerSpec: { Args?: string[] } } };
  UpdateStatus?: { State: string; Message: string; StartedAt?: string; CompletedAt?: string };
}

describeWithDocker('rolling updates on the engine', (docker: Docker) => {
  const root = mkdtempSync(join(tmpdir(), 'swarm-e2e-upd-'));
  const dirs = { m1: join(root, 'm1'), w1: join(root, 'w1') };
  const m = dirs.m1;
  const created: string[] = [];

  const create = async (args: string[]): Promise<string> => {
    const id = (await swarmOk(m, ['service', 'create', '-d', ...args])).trim();
    created.push(id);
    return id;
  };
  const inspect = async (name: string): Promise<Inspected> => (JSON.parse(await swarmOk(m, ['service', 'inspect', name])) as Inspected[])[0];
  const untilState = (name: string, state: string, timeoutMs = 90_000): Promise<Inspected> =>
    eventually(`${name} ${state}`, async () => {
      const s = await inspect(name);
      return s.UpdateStatus?.State === state ? s : undefined;
    }, timeoutMs, 250);
  /** The commands of the service's running containers, sorted. */
  const runningCommands = async (id: string): Promise<string[]> => (await containersOf(docker, id, { running: true })).map((c) => c.Command).sort();

  beforeAll(async () => {
    const addr = `127.0.0.1:${await freePort()}`;
    await swarmOk(m, ['init', '--listen-addr', addr, '--hostname', 'm1', '--raft-tick', '50ms', '--dispatcher-heartbeat', '500ms']);
    const token = (await swarmOk(m, ['join-token', '-q', 'worker'])).trim();
    await swarmOk(dirs.w1, ['join', '--token', token, addr, '--listen-addr', `127.0.0.1:${await freePort()}`, '--hostname', 'w1']);
  });

  afterAll(async () => {
    for (const d of Object.values(dirs)) killHard(d);
    for (const id of created) {
      for (const c of await containersOf(docker, id)) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
    }
    rmSync(root, { recursive: true, force: true });
  });

  test('an update whose new command exits 1, with failure action rollback, ends on the old spec in every slot: rollback_completed', async () => {
    const id = await create([
      '--name', 'roll', '--replicas', '3', ...QUICK,
      '--update-failure-action', 'rollback', '--update-monitor', '3s', '--rollback-monitor', '1s', '--rollback-parallelism', '0',
      IMG, 'sleep', '100000',
    ]);
    await untilRunning(m, 'roll', 3, eventually);
    // Without -d the command follows the update and says how it ended.
    const run = await swarm(m, ['service', 'update', ...FAILING, 'roll'], 120_000);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('rollback: update rolled back due to failure or early termination of task');
    expect(run.stderr).toMatch(/^Error: service rolled back: rollback completed: update rolled back due to failure or early termination of task \w+\n$/);
    const s = await untilState('roll', 'rollback_completed');
    expect(s.Spec.TaskTemplate.ContainerSpec.Args).toEqual(['sleep', '100000']);
    expect(s.UpdateStatus?.CompletedAt).toBeDefined();
    await untilRunning(m, 'roll', 3, eventually);
    expect(await runningCommands(id)).toEqual(Array(3).fill('sleep 100000'));
    const live = (await psRows(m, 'roll')).filter((r) => r.DesiredState === 'Running');
    expect(live).toHaveLength(3);
  });

  test('start-first with parallelism 2 on 4 replicas never shows fewer than 4 running', async () => {
    const id = await create([
      '--name', 'sf', '--replicas', '4', ...QUICK,
      // A 3 s monitor keeps the update going long enough to sample it several times on a loaded machine (each sample runs the CLI twice).
      '--update-order', 'start-first', '--update-parallelism', '2', '--update-monitor', '3s',
      IMG, 'sleep', '100000',
    ]);
    await untilRunning(m, 'sf', 4, eventually);
    await swarmOk(m, ['service', 'update', '-d', '--args', 'sleep 200000', 'sf']);
    const samples: number[] = [];
    await eventually('the update completed', async () => {
      const rows = await psRows(m, 'sf');
      samples.push(rows.filter((r) => r.DesiredState === 'Running' && r.CurrentState.startsWith('Running')).length);
      return (await inspect('sf')).UpdateStatus?.State === 'completed' || undefined;
    }, 90_000, 50);
    expect(samples.length).toBeGreaterThan(3);
    expect(Math.min(...samples)).toBe(4);
    await eventually('old containers gone', async () => ((await runningCommands(id)).every((c) => c === 'sleep 200000') && (await runningCommands(id)).length === 4) || undefined, 30_000, 250);
  });

  test('a failing update pauses (the default action); `service update` with a fixed command resumes and completes it', async () => {
    // The delay holds the second slot back until the first one's new task has failed (1 s after it started).
    const id = await create(['--name', 'pz', '--replicas', '2', ...QUICK, '--update-monitor', '3s', '--update-delay', '6s', IMG, 'sleep', '100000']);
    await untilRunning(m, 'pz', 2, eventually);
    const run = await swarm(m, ['service', 'update', ...FAILING, 'pz'], 120_000);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^Error: service update paused: update paused due to failure or early termination of task \w+\n$/);
    const paused = await untilState('pz', 'paused');
    expect(paused.UpdateStatus?.Message).toMatch(/^update paused due to failure or early termination of task \w+$/);
    // Paused: the second slot was never touched and still runs the old command.
    expect(await runningCommands(id)).toContain('sleep 100000');
    const pretty = await swarmOk(m, ['service', 'inspect', '--pretty', 'pz']);
    expect(pretty).toMatch(/UpdateStatus:\n State:\t\tpaused\n Started:\t.+ ago\n Message:\tupdate paused due to failure/);

    await swarmOk(m, ['service', 'update', '--args', 'sleep 300000', 'pz']);
    const done = await untilState('pz', 'completed');
    expect(done.UpdateStatus?.Message).toBe('update completed');
    await eventually('both slots on the fixed command', async () => {
      const cmds = await runningCommands(id);
      return (cmds.length === 2 && cmds.every((c) => c === 'sleep 300000')) || undefined;
    }, 30_000, 250);
  });
});

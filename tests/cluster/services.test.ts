// Services on real containers: a manager and two workers on 127.0.0.1, all on
// the local engine, driven through the CLI as a user would.

import Docker from 'dockerode';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { freePort } from '../../lib/raft/process/process-cluster';
import { testImageName } from '../../lib/testing/test-image';
import { eventually } from '../../lib/util/eventually';
import { describeWithDocker } from '../helpers/docker';
import { daemonPid, killHard, swarm, swarmOk, waitGone } from './cli';
import { containersOf, psRows, runningPerNode, serviceId, total, untilRunning } from './services-helpers';

jest.setTimeout(240_000);

const HEARTBEAT_MS = 500;
const IMG = testImageName();
// busybox sleep as PID 1 ignores SIGTERM: a short grace keeps removals quick.
const QUICK = ['--stop-grace-period', '1s'];

describeWithDocker('services on three nodes', (docker: Docker) => {
  const root = mkdtempSync(join(tmpdir(), 'swarm-e2e-svc-'));
  const dirs = { m1: join(root, 'm1'), w1: join(root, 'w1'), w2: join(root, 'w2'), w3: join(root, 'w3') };
  const m = dirs.m1;
  let addr = '';
  let token = '';
  const created: string[] = [];

  const create = async (args: string[]): Promise<string> => {
    const id = (await swarmOk(m, ['service', 'create', '-d', ...args])).trim();
    created.push(id);
    return id;
  };

  beforeAll(async () => {
    addr = `127.0.0.1:${await freePort()}`;
    await swarmOk(m, ['init', '--listen-addr', addr, '--hostname', 'm1', '--raft-tick', '50ms', '--dispatcher-heartbeat', `${HEARTBEAT_MS}ms`]);
    token = (await swarmOk(m, ['join-token', '-q', 'worker'])).trim();
    for (const w of ['w1', 'w2'] as const) {
      await swarmOk(dirs[w], ['join', '--token', token, addr, '--listen-addr', `127.0.0.1:${await freePort()}`, '--hostname', w]);
    }
    await swarmOk(m, ['node', 'update', '--label-add', 'zone=a', 'm1']);
    for (const w of ['w1', 'w2']) await swarmOk(m, ['node', 'update', '--label-add', 'zone=b', w]);
  });

  afterAll(async () => {
    for (const d of Object.values(dirs)) killHard(d);
    for (const id of created) {
      for (const c of await containersOf(docker, id)) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
    }
    rmSync(root, { recursive: true, force: true });
  });

  test('6 replicas land 2/2/2; scale to 9 gives 3/3/3, then to 2', async () => {
    await create(['--name', 'web', '--replicas', '6', ...QUICK, IMG, 'sleep', '100000']);
    expect(Object.values(await untilRunning(m, 'web', 6, eventually)).sort()).toEqual([2, 2, 2]);
    const ls = JSON.parse((await swarmOk(m, ['service', 'ls', '--format', 'json'])).trim().split('\n')[0]) as Record<string, string>;
    expect(ls).toMatchObject({ Name: 'web', Mode: 'replicated', Replicas: '6/6', Image: IMG });
    await swarmOk(m, ['service', 'scale', '-d', 'web=9']);
    expect(Object.values(await untilRunning(m, 'web', 9, eventually)).sort()).toEqual([3, 3, 3]);
    await swarmOk(m, ['service', 'scale', '-d', 'web=2']);
    await untilRunning(m, 'web', 2, eventually);
    const id = await serviceId(m, 'web');
    await eventually('7 containers stopped', async () => ((await containersOf(docker, id, { running: true })).length === 2) || undefined, 30_000, 200);
  });

  test('a container killed behind our back is replaced in its slot', async () => {
    const id = await serviceId(m, 'web');
    const [victim] = await containersOf(docker, id, { running: true });
    const slot = victim.Labels['com.docker.swarm.task.name'].split('.')[1];
    await docker.getContainer(victim.Id).kill();
    await eventually(
      'a new task in the slot',
      async () => {
        const rows = (await psRows(m, 'web')).filter((r) => r.Name.trim().replace(/^\\_ /, '') === `web.${slot}`);
        const failed = rows.find((r) => r.CurrentState.startsWith('Failed') && r.Error.includes('non-zero exit (137)'));
        const replacement = rows.find((r) => r.DesiredState === 'Running' && r.CurrentState.startsWith('Running'));
        return (failed && replacement && replacement.ID !== failed.ID) || undefined;
      },
      30_000,
      200,
    );
    expect(total(await runningPerNode(m, 'web'))).toBe(2);
  });

  test('drain moves a node\'s tasks away; active takes new ones again', async () => {
    await create(['--name', 'spread', '--replicas', '3', ...QUICK, IMG, 'sleep', '100000']);
    await untilRunning(m, 'spread', 3, eventually);
    await swarmOk(m, ['node', 'update', '--availability', 'drain', 'w2']);
    const after = await eventually(
      'nothing on w2',
      async () => {
        const c = await runningPerNode(m, 'spread');
        return total(c) === 3 && !c.w2 ? c : undefined;
      },
      30_000,
      200,
    );
    expect(Object.keys(after).sort()).toEqual(['m1', 'w1']);
    await swarmOk(m, ['node', 'update', '--availability', 'active', 'w2']);
  });

  test('constraints and placement preferences are respected', async () => {
    await create(['--name', 'pinned', '--replicas', '3', '--constraint', 'node.hostname==w1', ...QUICK, IMG, 'sleep', '100000']);
    expect(await untilRunning(m, 'pinned', 3, eventually)).toEqual({ w1: 3 });
    await create(['--name', 'zoned', '--replicas', '4', '--placement-pref', 'spread=node.labels.zone', ...QUICK, IMG, 'sleep', '100000']);
    const c = await untilRunning(m, 'zoned', 4, eventually);
    // Zone a has one node, zone b two: half the replicas each.
    expect(c.m1).toBe(2);
    expect((c.w1 ?? 0) + (c.w2 ?? 0)).toBe(2);
  });

  test('a node label removed moves the tasks that needed it; with no node left they wait pending, explained', async () => {
    for (const w of ['w1', 'w2']) await swarmOk(m, ['node', 'update', '--label-add', 'pool=x', w]);
    await create(['--name', 'pooled', '--replicas', '2', '--constraint', 'node.labels.pool==x', ...QUICK, IMG, 'sleep', '100000']);
    expect(await untilRunning(m, 'pooled', 2, eventually)).toEqual({ w1: 1, w2: 1 });
    const onW1 = (await psRows(m, 'pooled')).find((r) => r.Node === 'w1' && r.DesiredState === 'Running');

    await swarmOk(m, ['node', 'update', '--label-rm', 'pool', 'w1']);
    expect(await untilRunning(m, 'pooled', 2, eventually)).toEqual({ w2: 2 });
    const moved = (await psRows(m, 'pooled')).find((r) => r.ID === onW1?.ID);
    expect(moved).toMatchObject({ Node: 'w1', DesiredState: 'Shutdown' });

    await swarmOk(m, ['node', 'update', '--label-rm', 'pool', 'w2']);
    const pending = await eventually(
      'both tasks pending',
      async () => {
        const rows = (await psRows(m, 'pooled')).filter((r) => r.DesiredState === 'Running');
        return rows.length === 2 && rows.every((r) => r.CurrentState.startsWith('Pending')) ? rows : undefined;
      },
      30_000,
      200,
    );
    for (const r of pending) expect(r.Error).toMatch(/no suitable node \(scheduling constraints not satisfied on 3 nodes\)/);
    const id = await serviceId(m, 'pooled');
    await eventually('no container of pooled running', async () => ((await containersOf(docker, id, { running: true })).length === 0) || undefined, 30_000, 200);
    await swarmOk(m, ['service', 'rm', 'pooled']);
  });

  test('an impossible constraint leaves the task pending, with the explanation', async () => {
    await create(['--name', 'nowhere', '--constraint', 'node.labels.gpu==yes', ...QUICK, IMG, 'sleep', '100000']);
    const row = await eventually(
      'the explanation',
      async () => (await psRows(m, 'nowhere')).find((r) => r.Error.includes('no suitable node')),
      30_000,
      200,
    );
    expect(row.CurrentState).toMatch(/^Pending/);
    expect(row.Error).toMatch(/no suitable node \(scheduling constraints not satisfied on 3 nodes\)/);
  });

  test('bad input: one line, nothing created', async () => {
    const before = await swarmOk(m, ['service', 'ls', '-q']);
    const cases: [string[], RegExp][] = [
      [['--name', 'web', IMG, 'true'], /service web already exists/],
      [['--constraint', 'node.labels.zone=a', IMG, 'true'], /invalid argument "node.labels.zone=a" for "--constraint" flag/],
      [['--placement-pref', 'pack=node.labels.zone', IMG, 'true'], /--placement-pref.*unsupported strategy "pack"/],
      [['--restart-delay', '5 parsecs', IMG, 'true'], /restart-delay/],
      [['--limit-memory', '12 apples', IMG, 'true'], /limit-memory/],
      [['--name', 'ghost', 'swarm-test/no-such-image:1', 'true'], /image swarm-test\/no-such-image:1 could not be found or pulled/],
    ];
    for (const [args, message] of cases) {
      const r = await swarm(m, ['service', 'create', '-d', ...args]);
      expect([args.join(' '), r.code]).toEqual([args.join(' '), 1]);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
    let r = await swarm(m, ['service', 'scale', 'nope=3']);
    expect(r.stderr).toMatch(/no such service: nope/);
    await create(['--name', 'agent', '--mode', 'global', ...QUICK, IMG, 'sleep', '100000']);
    r = await swarm(m, ['service', 'scale', 'agent=3']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/scale can only be used with replicated mode/);
    expect((await swarmOk(m, ['service', 'ls', '-q'])).split('\n').length).toBe(before.split('\n').length + 1);
  });

  test('global mode follows nodes draining and joining', async () => {
    expect(await untilRunning(m, 'agent', 3, eventually)).toEqual({ m1: 1, w1: 1, w2: 1 });
    await swarmOk(m, ['node', 'update', '--availability', 'drain', 'w1']);
    expect(await untilRunning(m, 'agent', 2, eventually)).toEqual({ m1: 1, w2: 1 });
    await swarmOk(m, ['node', 'update', '--availability', 'active', 'w1']);
    await swarmOk(dirs.w3, ['join', '--token', token, addr, '--listen-addr', `127.0.0.1:${await freePort()}`, '--hostname', 'w3']);
    expect(await untilRunning(m, 'agent', 4, eventually)).toEqual({ m1: 1, w1: 1, w2: 1, w3: 1 });
  });

  test('restart condition none: exit 0 completes once, told to shut down; on-failure with max 2 attempts stops after 2 restarts', async () => {
    // Without -d the progress ends once the task finished: it will not be restarted, so waiting for it to run never would.
    const shown = await swarm(m, ['service', 'create', '--name', 'once', '--restart-condition', 'none', IMG, 'sh', '-c', 'exit 0']);
    created.push(await serviceId(m, 'once'));
    expect([shown.code, shown.stderr]).toEqual([0, '']);
    expect(shown.stdout).toContain('verify: 1 of 1 tasks finished and will not be restarted');
    const once = await eventually('told to shut down', async () => {
      const rows = await psRows(m, 'once');
      return rows.length === 1 && rows[0].DesiredState === 'Shutdown' ? rows : undefined;
    }, 30_000, 200);
    expect(once[0].CurrentState).toMatch(/^Complete /);
    const ls = (await swarmOk(m, ['service', 'ls', '--format', 'json'])).trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    expect(ls.find((r) => r.Name === 'once')).toMatchObject({ Replicas: '0/1' });
    await create(['--name', 'flaky', '--restart-condition', 'on-failure', '--restart-max-attempts', '2', '--restart-delay', '200ms', IMG, 'sh', '-c', 'exit 3']);
    await eventually(
      '3 failed runs, all told to shut down',
      async () => (await psRows(m, 'flaky')).filter((r) => r.CurrentState.startsWith('Failed') && r.DesiredState === 'Shutdown').length === 3 || undefined,
      30_000,
      200,
    );
    // Well past another restart delay: nothing more happens to either.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await psRows(m, 'once')).toHaveLength(1);
    const flaky = await psRows(m, 'flaky');
    expect(flaky).toHaveLength(3);
    expect(flaky.every((r) => r.Error.includes('non-zero exit (3)') && r.DesiredState === 'Shutdown')).toBe(true);
  });

  test('service logs show lines from every node', async () => {
    await create(['--name', 'talk', '--mode', 'global', ...QUICK, IMG, 'sh', '-c', 'echo hello; exec sleep 100000']);
    await untilRunning(m, 'talk', 4, eventually);
    const out = await eventually(
      'a line from each node',
      async () => {
        const o = await swarmOk(m, ['service', 'logs', 'talk']);
        return ['m1', 'w1', 'w2', 'w3'].every((n) => new RegExp(`^talk\\.[a-z0-9]+\\.[a-z0-9]{12}@${n} +\\| hello$`, 'm').test(o)) ? o : undefined;
      },
      30_000,
      300,
    );
    expect(out.trim().split('\n')).toHaveLength(4);
  });

  test('kill -9 of a worker: its tasks run elsewhere within 3 heartbeats plus scheduling', async () => {
    await swarmOk(m, ['service', 'scale', '-d', 'spread=6']);
    await untilRunning(m, 'spread', 6, eventually);
    const onW2 = (await runningPerNode(m, 'spread')).w2 ?? 0;
    expect(onW2).toBeGreaterThan(0);
    const pid = daemonPid(dirs.w2)!;
    killHard(dirs.w2);
    const t0 = Date.now();
    await waitGone(pid);
    await eventually(
      'spread runs 6 without w2',
      async () => {
        const c = await runningPerNode(m, 'spread');
        return (total(c) === 6 && !c.w2) || undefined;
      },
      30_000,
      100,
    );
    expect(Date.now() - t0).toBeLessThan(3 * HEARTBEAT_MS + 5000);
    // Back from the dead, w2 stops what was replaced meanwhile.
    await swarmOk(dirs.w2, ['start']);
    const id = await serviceId(m, 'spread');
    await eventually(
      'w2 keeps none of spread',
      async () => {
        const running = await containersOf(docker, id, { running: true });
        return running.length === 6 || undefined;
      },
      30_000,
      200,
    );
  });

  test('the manager killed and restarted mid-way loses no service or task', async () => {
    const servicesBefore = (await swarmOk(m, ['service', 'ls', '-q'])).trim().split('\n').sort();
    const tasksBefore = (await psRows(m, 'web')).map((r) => r.ID).sort();
    const pid = daemonPid(m)!;
    killHard(m);
    await waitGone(pid);
    await swarmOk(m, ['start']);
    expect((await swarmOk(m, ['service', 'ls', '-q'])).trim().split('\n').sort()).toEqual(servicesBefore);
    expect((await psRows(m, 'web')).map((r) => r.ID).sort()).toEqual(tasksBefore);
    // And it keeps orchestrating.
    await swarmOk(m, ['service', 'scale', '-d', 'web=3']);
    await untilRunning(m, 'web', 3, eventually);
  });

  test('service rm leaves no container behind', async () => {
    const ids = await Promise.all(['web', 'spread', 'agent'].map((s) => serviceId(m, s)));
    await swarmOk(m, ['service', 'rm', 'web', 'spread', 'agent']);
    for (const id of ids) {
      await eventually(`no container of ${id}`, async () => ((await containersOf(docker, id)).length === 0) || undefined, 60_000, 300);
    }
    expect((await swarm(m, ['service', 'ps', 'web'])).stderr).toMatch(/no such service: web/);
  });
});

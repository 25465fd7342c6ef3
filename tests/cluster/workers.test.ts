// Workers as real detached daemons: join with the worker token, Ready through
// their agent's session, Down after kill -9, Ready again after `swarm start`.

import { existsSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { freePort } from '../../lib/raft/process/process-cluster';
import { eventually } from '../../lib/util/eventually';
import { daemonPid, killHard, nodeRows as rows, swarm, swarmOk, waitGone } from './cli';

jest.setTimeout(120_000);

const HEARTBEAT_MS = 400;

describe('workers', () => {
  const root = mkdtempSync(join(tmpdir(), 'swarm-e2e-workers-'));
  const mgr = join(root, 'm1');
  const workers = [join(root, 'w1'), join(root, 'w2')];
  let addr = '';

  beforeAll(async () => {
    addr = `127.0.0.1:${await freePort()}`;
    await swarmOk(mgr, ['init', '--listen-addr', addr, '--hostname', 'm1', '--raft-tick', '50ms', '--dispatcher-heartbeat', `${HEARTBEAT_MS}ms`]);
  });

  afterAll(async () => {
    for (const d of [mgr, ...workers]) killHard(d);
    rmSync(root, { recursive: true, force: true });
  });

  test('two workers join with the worker token and are Ready, with no manager status', async () => {
    const token = (await swarmOk(mgr, ['join-token', '-q', 'worker'])).trim();
    for (let i = 0; i < 2; i++) {
      const extra = i === 1 ? ['--availability', 'pause'] : [];
      const out = await swarmOk(workers[i], ['join', '--token', token, addr, '--listen-addr', `127.0.0.1:${await freePort()}`, '--hostname', `w${i + 1}`, ...extra]);
      expect(out).toMatch(/joined a swarm as a worker/);
    }
    const r = await rows(mgr);
    expect(r.map((n) => [n.Hostname, n.Status, n.ManagerStatus]).sort()).toEqual([
      ['m1', 'Ready', 'Leader'],
      ['w1', 'Ready', ''],
      ['w2', 'Ready', ''],
    ]);
    expect(r.find((n) => n.Hostname === 'w2')?.Availability).toBe('Pause');
    const roles = (await swarmOk(mgr, ['node', 'ls', '-q', '--filter', 'role=worker'])).trim().split('\n');
    expect(roles).toHaveLength(2);
  });

  test('a worker cannot read or change cluster state', async () => {
    const r = await swarm(workers[0], ['node', 'ls']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not a swarm manager/);
    const info = JSON.parse(await swarmOk(workers[0], ['info', '--format', 'json']));
    expect(info.ControlAvailable).toBe(false);
    expect(info.NodeID).toMatch(/^[a-z0-9]{25}$/);
  });

  test('kill -9 of a worker: Down within 3 heartbeat periods; swarm start brings it back Ready', async () => {
    const pid = daemonPid(workers[1])!;
    killHard(workers[1]);
    const t0 = Date.now();
    await waitGone(pid);
    await eventually('w2 down', async () => ((await rows(mgr)).find((n) => n.Hostname === 'w2')?.Status === 'Down') || undefined, 20_000, 50);
    const downMs = Date.now() - t0;
    // 3 periods plus the status batch and the CLI's own round trip.
    expect(downMs).toBeLessThan(3 * HEARTBEAT_MS + 2500);
    expect((await rows(mgr)).find((n) => n.Hostname === 'w1')?.Status).toBe('Ready');
    await swarmOk(workers[1], ['start']);
    await eventually('w2 ready', async () => ((await rows(mgr)).find((n) => n.Hostname === 'w2')?.Status === 'Ready') || undefined, 20_000, 50);
  });

  test('node rm: refused for a Ready node or a manager, allowed with --force or once Down; leave wipes the worker', async () => {
    let r = await swarm(mgr, ['node', 'rm', 'w1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/w1 is not down and can't be removed/);
    r = await swarm(mgr, ['node', 'rm', 'm1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/must be demoted to worker before removal/);
    expect(await rows(mgr)).toHaveLength(3);

    expect(await swarmOk(workers[0], ['leave'])).toMatch(/left the swarm/);
    expect(existsSync(join(workers[0], 'identity.json'))).toBe(false);
    await eventually('w1 down after leaving', async () => ((await rows(mgr)).find((n) => n.Hostname === 'w1')?.Status === 'Down') || undefined, 20_000, 50);
    await swarmOk(mgr, ['node', 'rm', 'w1']);
    expect((await rows(mgr)).map((n) => n.Hostname).sort()).toEqual(['m1', 'w2']);

    // The left worker can join again, as a new node.
    const token = (await swarmOk(mgr, ['join-token', '-q', 'worker'])).trim();
    await swarmOk(workers[0], ['join', '--token', token, addr, '--listen-addr', `127.0.0.1:${await freePort()}`, '--hostname', 'w1']);
    await swarmOk(mgr, ['node', 'rm', '--force', 'w1']);
    await eventually('w1 gone', async () => (!(await rows(mgr)).some((n) => n.Hostname === 'w1')) || undefined, 20_000, 50);
    killHard(workers[0]);
  });

  test('a rotated worker token no longer joins', async () => {
    const old = (await swarmOk(mgr, ['join-token', '-q', 'worker'])).trim();
    await swarmOk(mgr, ['join-token', '--rotate', 'worker']);
    const dir = join(root, 'late');
    const r = await swarm(dir, ['join', '--token', old, addr, '--listen-addr', `127.0.0.1:${await freePort()}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not valid for this swarm/);
    expect(existsSync(join(dir, 'identity.json'))).toBe(false);
    expect(await rows(mgr)).toHaveLength(2);
    for (const d of [workers[1], mgr]) await swarmOk(d, ['stop']);
  });
});

// A one-manager swarm driven through the real CLI and detached daemon.

import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { freePort } from '../../lib/raft/process/process-cluster';
import { daemonPid, killHard, swarm, swarmOk } from './cli';

jest.setTimeout(120_000);

describe('swarm init / start / stop / info / join-token / node on one manager', () => {
  const root = mkdtempSync(join(tmpdir(), 'swarm-e2e-'));
  const dir = join(root, 'mgr1');
  let addr = '';

  beforeAll(async () => {
    addr = `127.0.0.1:${await freePort()}`;
  });

  afterAll(async () => {
    killHard(dir);
    rmSync(root, { recursive: true, force: true });
  });

  test('init prints the node id and the worker join command, and the node leads', async () => {
    const out = await swarmOk(dir, ['init', '--listen-addr', addr, '--hostname', 'mgr-1', '--raft-tick', '20ms']);
    const m = /current node \(([a-z0-9]{25})\) is now a manager/.exec(out);
    expect(m).not.toBeNull();
    expect(out).toMatch(new RegExp(`swarm join --token SWMTKN-1-[a-z0-9]{50}-[a-z0-9]{25} ${addr.replace(/\./g, '\\.')}`));
    const ls = await swarmOk(dir, ['node', 'ls']);
    const lines = ls.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+HOSTNAME\s+STATUS\s+AVAILABILITY\s+MANAGER STATUS\s+ENGINE VERSION$/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(new RegExp(`^${m![1]} \\*\\s+mgr-1\\s+Ready\\s+Active\\s+Leader`));
    const json = JSON.parse((await swarmOk(dir, ['node', 'ls', '--format', 'json'])).trim());
    expect(json).toMatchObject({ ID: m![1], Hostname: 'mgr-1', Status: 'Ready', Availability: 'Active', ManagerStatus: 'Leader', Self: true });
    const info = JSON.parse(await swarmOk(dir, ['info', '--format', 'json']));
    expect(info.NodeID).toBe(m![1]);
  });

  test('a second init, or a start while running, is refused and changes nothing', async () => {
    const before = daemonPid(dir);
    const again = await swarm(dir, ['init', '--listen-addr', addr]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already part of a swarm/);
    const start = await swarm(dir, ['start']);
    expect(start.code).toBe(1);
    expect(start.stderr).toContain(`a swarm daemon (pid ${before}) is already running with data dir ${dir}`);
    expect(daemonPid(dir)).toBe(before);
  });

  test('node update changes labels and availability; bad input is refused with a clear error', async () => {
    await swarmOk(dir, ['node', 'update', 'mgr-1', '--label-add', 'zone=east', '--label-add', 'disk=ssd', '--availability', 'drain']);
    await swarmOk(dir, ['node', 'update', 'mgr-1', '--label-rm', 'disk']);
    const inspect = JSON.parse(await swarmOk(dir, ['node', 'inspect', 'self']));
    expect(inspect[0].Spec.Labels).toEqual({ zone: 'east' });
    expect(inspect[0].Spec.Availability).toBe('drain');

    const cases: [string[], RegExp][] = [
      [['node', 'update', 'ghost', '--availability', 'active'], /node ghost not found/],
      [['node', 'update', 'mgr-1', '--availability', 'asleep'], /asleep/],
      [['node', 'update', 'mgr-1', '--label-rm', 'nope'], /has no label "nope"/],
      [['node', 'update', 'mgr-1'], /nothing to update/],
      [['join-token', 'boss'], /unknown role "boss"/],
    ];
    for (const [args, msg] of cases) {
      const r = await swarm(dir, args);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(3);
    }
    const after = JSON.parse(await swarmOk(dir, ['node', 'inspect', 'mgr-1']));
    expect(after[0].Spec.Labels).toEqual({ zone: 'east' });
    expect(after[0].Version.Index).toBe(inspect[0].Version.Index);
  });

  test('join-token --rotate replaces the token', async () => {
    const t1 = (await swarmOk(dir, ['join-token', '-q', 'worker'])).trim();
    const t2 = (await swarmOk(dir, ['join-token', '-q', '--rotate', 'worker'])).trim();
    expect(t2).not.toBe(t1);
    expect(t2.split('-').slice(0, 3)).toEqual(t1.split('-').slice(0, 3));
    expect((await swarmOk(dir, ['join-token', '-q', 'worker'])).trim()).toBe(t2);
  });

  test('stop, then start brings back the same node with its data', async () => {
    const id = JSON.parse(await swarmOk(dir, ['info', '--format', 'json'])).NodeID;
    expect(await swarmOk(dir, ['stop'])).toMatch(/stopped/);
    const down = await swarm(dir, ['node', 'ls']);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/no swarm daemon is running for data dir/);
    await swarmOk(dir, ['start']);
    const inspect = JSON.parse(await swarmOk(dir, ['node', 'inspect', 'self']));
    expect(inspect[0].ID).toBe(id);
    expect(inspect[0].Spec.Labels).toEqual({ zone: 'east' });
  });

  test('right after kill -9 of the daemon, start recovers from the stale pid file and socket', async () => {
    const pid = daemonPid(dir)!;
    killHard(dir);
    // No waiting for the process to be reaped: where pid 1 reaps slowly it is still a zombie now, and must not hold the lock.
    await swarmOk(dir, ['start']);
    expect(daemonPid(dir)).not.toBe(pid);
    const inspect = JSON.parse(await swarmOk(dir, ['node', 'inspect', 'mgr-1']));
    expect(inspect[0].Spec.Labels).toEqual({ zone: 'east' });
    await swarmOk(dir, ['stop']);
  });
});

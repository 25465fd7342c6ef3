// Three managers as real detached daemons on 127.0.0.1: join, failover after
// kill -9 of the leader, restart, loss of quorum, and join refusals.

import { existsSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { freePort } from '../../lib/raft/process/process-cluster';
import { eventually } from '../../lib/util/eventually';
import { daemonPid, killHard, nodeRows as nodes, swarm, swarmOk, waitGone } from './cli';

jest.setTimeout(180_000);

describe('three managers', () => {
  const root = mkdtempSync(join(tmpdir(), 'swarm-e2e-mgrs-'));
  const dirs = ['m1', 'm2', 'm3'].map((n) => join(root, n));
  const addrs: string[] = [];
  let token = '';

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) addrs.push(`127.0.0.1:${await freePort()}`);
  });

  afterAll(async () => {
    for (const d of dirs) killHard(d);
    rmSync(root, { recursive: true, force: true });
  });

  test('init + 2 manager joins: every manager lists 3 managers and one leader', async () => {
    await swarmOk(dirs[0], ['init', '--listen-addr', addrs[0], '--hostname', 'm1', '--raft-tick', '50ms']);
    token = (await swarmOk(dirs[0], ['join-token', '-q', 'manager'])).trim();
    for (let i = 1; i < 3; i++) {
      const out = await swarmOk(dirs[i], ['join', '--token', token, addrs[0], '--listen-addr', addrs[i], '--hostname', `m${i + 1}`]);
      expect(out).toMatch(/joined a swarm as a manager/);
    }
    for (const d of dirs) {
      const rows = await eventually('3 ready managers', async () => {
        const r = await nodes(d);
        return r.length === 3 && r.every((n) => n.Status === 'Ready' && n.Hostname) ? r : undefined;
      });
      expect(rows.filter((r) => r.ManagerStatus === 'Leader')).toHaveLength(1);
      expect(rows.filter((r) => r.ManagerStatus === 'Reachable')).toHaveLength(2);
      expect(rows.filter((r) => r.Self)).toHaveLength(1);
      expect(rows.map((r) => r.Hostname).sort()).toEqual(['m1', 'm2', 'm3']);
    }
  });

  test('a wrong token, or a token of another cluster, is refused and leaves no trace', async () => {
    const bad = join(root, 'bad');
    const wrongSecret = token.replace(/-[a-z0-9]{25}$/, '-' + '0'.repeat(25));
    let r = await swarm(bad, ['join', '--token', wrongSecret, addrs[0], '--listen-addr', `127.0.0.1:${await freePort()}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not valid for this swarm/);
    expect(existsSync(join(bad, 'identity.json'))).toBe(false);
    const otherCluster = token.replace(/^SWMTKN-1-[a-z0-9]{50}/, 'SWMTKN-1-' + '1'.repeat(50));
    r = await swarm(bad, ['join', '--token', otherCluster, addrs[0], '--listen-addr', `127.0.0.1:${await freePort()}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/CA that does not match the join token/);
    r = await swarm(bad, ['join', '--token', token, `127.0.0.1:${await freePort()}`, '--listen-addr', `127.0.0.1:${await freePort()}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no manager answers/);
    expect(existsSync(join(bad, 'identity.json'))).toBe(false);
    expect((await nodes(dirs[0])).length).toBe(3);
  });

  test('kill -9 of the leader: a new leader takes writes, the old one is Unreachable, then comes back Reachable', async () => {
    const rows = await nodes(dirs[0]);
    const leaderHost = rows.find((r) => r.ManagerStatus === 'Leader')!.Hostname;
    const li = Number(leaderHost.slice(1)) - 1;
    const survivor = dirs[(li + 1) % 3];
    const pid = daemonPid(dirs[li])!;
    const t0 = Date.now();
    killHard(dirs[li]);
    await waitGone(pid);
    await eventually('a write through a survivor', async () => {
      const r = await swarm(survivor, ['node', 'update', leaderHost, '--label-add', 'was=leader']);
      return r.code === 0 ? true : undefined;
    });
    const failoverMs = Date.now() - t0;
    expect(failoverMs).toBeLessThan(15_000);
    const after = await eventually('the old leader unreachable', async () => {
      const r = await nodes(survivor);
      const old = r.find((n) => n.Hostname === leaderHost);
      return old?.ManagerStatus === 'Unreachable' && r.some((n) => n.ManagerStatus === 'Leader') ? r : undefined;
    });
    expect(after.find((n) => n.ManagerStatus === 'Leader')!.Hostname).not.toBe(leaderHost);
    await swarmOk(dirs[li], ['start']);
    await eventually('the old leader reachable again', async () => {
      const r = await nodes(survivor);
      return r.find((n) => n.Hostname === leaderHost)?.ManagerStatus === 'Reachable' ? true : undefined;
    });
    const inspect = JSON.parse(await swarmOk(dirs[li], ['node', 'inspect', 'self']));
    expect(inspect[0].Spec.Labels).toEqual({ was: 'leader' });
  });

  test('with 2 of 3 managers down, writes fail fast with a no-quorum error while reads still answer', async () => {
    for (const d of dirs.slice(1)) {
      const pid = daemonPid(d)!;
      killHard(d);
      await waitGone(pid);
    }
    const t0 = Date.now();
    const r = await swarm(dirs[0], ['node', 'update', 'm1', '--label-add', 'x=y']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no quorum/);
    expect(Date.now() - t0).toBeLessThan(15_000);
    const ls = await swarm(dirs[0], ['node', 'ls']);
    expect(ls.code).toBe(0);
    expect(ls.stdout.trim().split('\n')).toHaveLength(4);
    expect(ls.stderr).toMatch(/no quorum/);
    for (const d of dirs.slice(1)) await swarmOk(d, ['start']);
    await eventually('writes again', async () => ((await swarm(dirs[0], ['node', 'update', 'm1', '--label-add', 'x=y'])).code === 0 ? true : undefined));
  });

  test('--force-new-cluster on the survivor of a lost quorum: one manager, every node and setting kept; the others come back as workers', async () => {
    await swarmOk(dirs[1], ['node', 'update', 'm3', '--label-add', 'zone=b']);
    for (const d of dirs.slice(1)) {
      const pid = daemonPid(d)!;
      killHard(d);
      await waitGone(pid);
    }
    expect((await swarm(dirs[0], ['node', 'update', 'm1', '--label-add', 'lost=quorum'])).stderr).toMatch(/no quorum/);
    const out = await swarmOk(dirs[0], ['init', '--force-new-cluster']);
    expect(out).toMatch(/Swarm initialized: current node \([a-z0-9]{25}\) is now a manager/);
    // Writable again, alone; nothing forgotten.
    await swarmOk(dirs[0], ['node', 'update', 'm1', '--label-add', 'recovered=yes']);
    const rows = await nodes(dirs[0]);
    expect(rows.map((r) => [r.Hostname, r.ManagerStatus]).sort()).toEqual([
      ['m1', 'Leader'],
      ['m2', ''],
      ['m3', ''],
    ]);
    const inspect = JSON.parse(await swarmOk(dirs[0], ['node', 'inspect', 'm1', 'm3'])) as { Spec: { Labels: Record<string, string> } }[];
    expect(inspect[0].Spec.Labels).toMatchObject({ x: 'y', recovered: 'yes' });
    expect(inspect[1].Spec.Labels).toEqual({ zone: 'b' });
    const info = JSON.parse(await swarmOk(dirs[0], ['info', '--format', 'json'])) as { Managers: number };
    expect(info.Managers).toBe(1);
    // An old manager restarted from its data is turned into a worker, and can be promoted again.
    await swarmOk(dirs[1], ['start']);
    await eventually(
      'm2 a worker',
      async () => {
        const r = await swarm(dirs[1], ['node', 'ls']);
        if (!r.stderr.includes('not a swarm manager')) throw new Error(`node ls on m2: ${r.stderr.trim() || 'answered as a manager'}`);
        return true;
      },
      60_000,
      200,
    );
    await swarmOk(dirs[0], ['node', 'promote', 'm2']);
    await eventually('m2 reachable', async () => (await nodes(dirs[0])).find((r) => r.Hostname === 'm2')?.ManagerStatus === 'Reachable' || undefined, 30_000, 100);
    await swarmOk(dirs[1], ['node', 'update', 'm1', '--label-add', 'via=m2']);
    for (const d of dirs.slice(0, 2)) await swarmOk(d, ['stop']);
  });
});

// Managers leaving one by one: the leader first (leadership moves away), then
// another, down to the last one, which needs --force.

import { existsSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { freePort } from '../../lib/raft/process/process-cluster';
import { eventually } from '../../lib/util/eventually';
import { killHard, nodeRows as rows, swarm, swarmOk } from './cli';

jest.setTimeout(180_000);

describe('swarm leave on managers', () => {
  const root = mkdtempSync(join(tmpdir(), 'swarm-e2e-leave-'));
  const dirs = ['l1', 'l2', 'l3'].map((n) => join(root, n));

  afterAll(async () => {
    for (const d of dirs) killHard(d);
    rmSync(root, { recursive: true, force: true });
  });

  test('the leader leaves, then another manager, then the last one only with --force', async () => {
    const addrs: string[] = [];
    for (let i = 0; i < 3; i++) addrs.push(`127.0.0.1:${await freePort()}`);
    await swarmOk(dirs[0], ['init', '--listen-addr', addrs[0], '--hostname', 'l1', '--raft-tick', '50ms']);
    const token = (await swarmOk(dirs[0], ['join-token', '-q', 'manager'])).trim();
    for (let i = 1; i < 3; i++) await swarmOk(dirs[i], ['join', '--token', token, addrs[0], '--listen-addr', addrs[i], '--hostname', `l${i + 1}`]);

    // l1 leads (it initialized the swarm): it hands leadership over before it goes.
    expect((await rows(dirs[1])).find((r) => r.Hostname === 'l1')?.ManagerStatus).toBe('Leader');
    expect(await swarmOk(dirs[0], ['leave'])).toMatch(/left the swarm/);
    expect(existsSync(join(dirs[0], 'identity.json'))).toBe(false);
    expect(existsSync(join(dirs[0], 'raft'))).toBe(false);
    // Down once the dispatcher sees its session gone (one 5 s heartbeat period by default).
    let r = await eventually('l1 down', async () => {
      const now = await rows(dirs[1]);
      return now.find((n) => n.Hostname === 'l1')?.Status === 'Down' ? now : undefined;
    }, 20_000, 200);
    expect(r.find((n) => n.Hostname === 'l1')).toMatchObject({ Status: 'Down', ManagerStatus: '' });
    expect(r.filter((n) => n.ManagerStatus === 'Leader')).toHaveLength(1);
    await swarmOk(dirs[1], ['node', 'update', 'l2', '--label-add', 'after=l1-left']);
    await swarmOk(dirs[1], ['node', 'rm', 'l1']);

    // Two managers left: one more may go (one of one remains reachable).
    await swarmOk(dirs[2], ['leave']);
    r = await rows(dirs[1]);
    expect(r.find((n) => n.Hostname === 'l2')?.ManagerStatus).toBe('Leader');
    await swarmOk(dirs[1], ['node', 'update', 'l2', '--label-add', 'after=l3-left']);

    const refused = await swarm(dirs[1], ['leave']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/last manager/);
    expect(existsSync(join(dirs[1], 'identity.json'))).toBe(true);
    await swarmOk(dirs[1], ['leave', '--force']);
    expect(existsSync(join(dirs[1], 'identity.json'))).toBe(false);
  });
});

// `swarm node promote / demote` with real daemons: the node's certificate is
// reissued over its agent session and its daemon restarts in the new role in
// the same process; Raft membership follows.

import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { freePort } from '../../lib/raft/process/process-cluster';
import { eventually } from '../../lib/util/eventually';
import { daemonPid, killHard, nodeRows as rows, NodeRow, swarm, swarmOk, waitGone } from './cli';

jest.setTimeout(180_000);

const HEARTBEAT_MS = 400;

interface InfoJson {
  ControlAvailable: boolean;
  Managers: number;
  RemoteManagers?: { NodeID: string; Addr: string }[] | null;
}

describe('promote and demote', () => {
  const root = mkdtempSync(join(tmpdir(), 'swarm-e2e-roles-'));
  const dirs = { m1: join(root, 'm1'), w1: join(root, 'w1'), w2: join(root, 'w2') };
  let addr = '';
  const pids: Record<string, number | undefined> = {};

  const row = async (from: string, host: string): Promise<NodeRow | undefined> =>
    (await rows(from).catch(() => [] as NodeRow[])).find((n) => n.Hostname === host);
  const info = async (dir: string): Promise<InfoJson> => JSON.parse(await swarmOk(dir, ['info', '--format', 'json'])) as InfoJson;

  beforeAll(async () => {
    addr = `127.0.0.1:${await freePort()}`;
    await swarmOk(dirs.m1, ['init', '--listen-addr', addr, '--hostname', 'm1', '--raft-tick', '50ms', '--dispatcher-heartbeat', `${HEARTBEAT_MS}ms`]);
    const token = (await swarmOk(dirs.m1, ['join-token', '-q', 'worker'])).trim();
    for (const w of ['w1', 'w2'] as const) {
      await swarmOk(dirs[w], ['join', '--token', token, addr, '--listen-addr', `127.0.0.1:${await freePort()}`, '--hostname', w]);
      pids[w] = daemonPid(dirs[w]);
    }
  });

  afterAll(() => {
    for (const d of Object.values(dirs)) killHard(d);
    rmSync(root, { recursive: true, force: true });
  });

  test('the last manager cannot be demoted, and nothing changes', async () => {
    const r = await swarm(dirs.m1, ['node', 'demote', 'm1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/m1 is the last manager of the swarm: it cannot be demoted/);
    expect((await row(dirs.m1, 'm1'))?.ManagerStatus).toBe('Leader');
  });

  test('promote: the worker becomes a Raft voter and answers cluster commands, in the same process', async () => {
    expect(await swarmOk(dirs.m1, ['node', 'promote', 'w1'])).toBe('Node w1 promoted to a manager in the swarm.\n');
    await eventually('w1 reachable manager', async () => ((await row(dirs.m1, 'w1'))?.ManagerStatus === 'Reachable') || undefined, 30_000, 100);
    // Its own control socket now serves the cluster state, from the daemon that was a worker.
    await eventually('w1 serves node ls', async () => ((await row(dirs.w1, 'w1'))?.Self === true) || undefined, 30_000, 100);
    expect(daemonPid(dirs.w1)).toBe(pids.w1);
    await eventually('two managers', async () => ((await info(dirs.m1)).Managers === 2) || undefined, 10_000, 100);
    expect((await info(dirs.w1)).ControlAvailable).toBe(true);
    expect(await swarmOk(dirs.m1, ['node', 'promote', 'w1'])).toBe('Node w1 is already a manager.\n');
    // A write through the new manager is forwarded to the leader and committed.
    await swarmOk(dirs.w1, ['node', 'update', '--label-add', 'via=w1', 'w2']);
    const inspected = JSON.parse(await swarmOk(dirs.m1, ['node', 'inspect', 'w2'])) as { Spec: { Labels: Record<string, string> } }[];
    expect(inspected[0].Spec.Labels).toEqual({ via: 'w1' });
  });

  test('demoting the leader hands leadership over, and it comes back a worker', async () => {
    await swarmOk(dirs.m1, ['node', 'promote', 'w2']);
    await eventually('w2 reachable manager', async () => ((await row(dirs.m1, 'w2'))?.ManagerStatus === 'Reachable') || undefined, 30_000, 100);
    expect(await swarmOk(dirs.m1, ['node', 'demote', 'm1'])).toBe('Manager m1 demoted in the swarm.\n');
    await eventually(
      'a new leader among w1, w2; m1 a worker',
      async () => {
        const r = await rows(dirs.w1).catch(() => [] as NodeRow[]);
        const leader = r.find((n) => n.ManagerStatus === 'Leader')?.Hostname;
        const m1 = r.find((n) => n.Hostname === 'm1');
        return (leader !== undefined && leader !== 'm1' && m1?.ManagerStatus === '' && m1.Status === 'Ready') || undefined;
      },
      30_000,
      100,
    );
    // m1's daemon is a worker now: cluster commands are refused on it.
    await eventually('m1 refuses node ls', async () => (await swarm(dirs.m1, ['node', 'ls'])).stderr.includes('not a swarm manager') || undefined, 30_000, 100);
    await eventually('two managers', async () => ((await info(dirs.w1)).Managers === 2) || undefined, 10_000, 100);
    // Still writable with the two managers left.
    await swarmOk(dirs.w2, ['node', 'update', '--label-add', 'after=demote', 'm1']);
  });

  test('a demotion that would lose the quorum is refused', async () => {
    // Three managers again, then one of them lost: demoting another would leave one of two.
    await swarmOk(dirs.w1, ['node', 'promote', 'm1']);
    await eventually('m1 reachable manager', async () => ((await row(dirs.w1, 'm1'))?.ManagerStatus === 'Reachable') || undefined, 30_000, 100);
    const pid = daemonPid(dirs.w2)!;
    killHard(dirs.w2);
    await waitGone(pid);
    await eventually('w2 unreachable', async () => ((await row(dirs.w1, 'w2'))?.ManagerStatus === 'Unreachable') || undefined, 30_000, 100);
    const r = await swarm(dirs.w1, ['node', 'demote', 'w1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/would leave 1 reachable managers out of 2: the swarm would lose its Raft quorum/);
    expect((await row(dirs.m1, 'w1'))?.ManagerStatus).toMatch(/Leader|Reachable/);
    await swarmOk(dirs.w2, ['start']);
    await eventually('w2 back', async () => ((await row(dirs.w1, 'w2'))?.ManagerStatus === 'Reachable') || undefined, 30_000, 100);
  });
});

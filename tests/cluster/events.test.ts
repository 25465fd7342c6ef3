// `swarm events` across three managers as real daemons on the process runtime
// (no Docker engine): a scale written through the leader streams from a
// follower, --since replays it, --until ends the stream, bad input fails first.

import { ChildProcess, execFileSync, spawn } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ClusterEvent } from '../../lib/api/cluster-events';
import { freePort } from '../../lib/raft/process/process-cluster';
import { eventually } from '../../lib/util/eventually';
import { killHard, nodeRows, swarm, swarmOk } from './cli';

jest.setTimeout(180_000);

const BIN = join(__dirname, '..', '..', 'bin', 'swarm');
const MARK = `${800000 + (process.pid % 100000)}`;

function pids(pattern: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

const parse = (stdout: string): ClusterEvent[] =>
  stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ClusterEvent);

describe('swarm events on three managers', () => {
  const root = mkdtempSync(join(tmpdir(), 'swarm-e2e-events-'));
  const dirs = ['m1', 'm2', 'm3'].map((n) => join(root, n));
  const streams: ChildProcess[] = [];
  let leader = '';
  let follower = '';

  beforeAll(async () => {
    const addr = `127.0.0.1:${await freePort()}`;
    await swarmOk(dirs[0], ['init', '--runtime', 'process', '--listen-addr', addr, '--hostname', 'm1', '--raft-tick', '50ms']);
    const token = (await swarmOk(dirs[0], ['join-token', '-q', 'manager'])).trim();
    for (let i = 1; i < 3; i++) {
      await swarmOk(dirs[i], ['join', '--runtime', 'process', '--token', token, addr, '--listen-addr', `127.0.0.1:${await freePort()}`, '--hostname', `m${i + 1}`]);
    }
    const rows = await eventually('3 ready managers and a leader', async () => {
      const r = await nodeRows(dirs[0]);
      return r.length === 3 && r.every((n) => n.Status === 'Ready') && r.some((n) => n.ManagerStatus === 'Leader') ? r : undefined;
    });
    const li = Number(rows.find((r) => r.ManagerStatus === 'Leader')!.Hostname.slice(1)) - 1;
    leader = dirs[li];
    follower = dirs[(li + 1) % 3];
    await swarmOk(leader, ['service', 'create', '-d', '--name', 'web', '--replicas', '1', '--stop-grace-period', '1s', 'swarm-test/busybox:latest', 'sleep', MARK]);
  });

  afterAll(() => {
    for (const s of streams) s.kill('SIGKILL');
    for (const d of dirs) killHard(d);
    for (const pid of pids(`sleep ${MARK}`)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    rmSync(root, { recursive: true, force: true });
  });

  test('a scale on the leader streams from a follower within seconds; --since replays it; --until past returns at once', async () => {
    const before = new Date(Date.now() - 1000).toISOString();
    const child = spawn(process.execPath, [BIN, '--data-dir', follower, 'events', '--format', 'json', '--filter', 'type=service'], { stdio: ['ignore', 'pipe', 'pipe'] });
    streams.push(child);
    let out = '';
    let err = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
    // Without --since only what happens after the request reaches the daemon is shown: label
    // updates until one comes through prove the stream is live before the scale.
    let probe = 0;
    await eventually(
      'the live stream to show a probe update',
      async () => {
        await swarmOk(leader, ['service', 'update', '-d', '--label-add', `probe=${++probe}`, 'web']);
        return parse(out).some((e) => e.Action === 'update') || undefined;
      },
      20_000,
      200,
    );

    const scaledAt = Date.now();
    await swarmOk(leader, ['service', 'scale', '-d', 'web=3']);
    const seen = await eventually(
      'the follower to stream the scale',
      async () => parse(out).find((e) => e.Action === 'update' && e.Actor.Attributes['replicas.new'] === '3'),
      5_000,
      50,
    );
    expect(Date.now() - scaledAt).toBeLessThan(5_000);
    expect(seen).toMatchObject({ Type: 'service', scope: 'swarm', Actor: { Attributes: { name: 'web', 'replicas.old': '1', 'replicas.new': '3' } } });
    expect(Math.abs(seen.time * 1000 - scaledAt)).toBeLessThan(5_000);
    expect(parse(out).every((e) => e.Type === 'service')).toBe(true);
    expect(err).toBe('');
    child.kill('SIGINT');

    // Afterwards, from another manager: the same event, the same time (the transaction's, not each manager's clock).
    const other = dirs.find((d) => d !== follower)!;
    const t0 = Date.now();
    const replay = await swarm(other, ['events', '--since', before, '--until', new Date().toISOString(), '--format', 'json', '--filter', 'service=web', '--filter', 'event=update']);
    expect(replay.code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5_000);
    const again = parse(replay.stdout).find((e) => e.Actor.Attributes['replicas.new'] === '3');
    expect(again).toEqual(seen);

    const text = await swarm(follower, ['events', '--since', before, '--until', '0s', '--filter', 'type=service', '--filter', 'event=update']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z service update \S+ \(name=web, replicas\.new=3, replicas\.old=1\)$/m);

    const past = await swarm(follower, ['events', '--until', '2020-01-01T00:00:00Z', '--format', 'json']);
    expect(past).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  test('a task is reported as it starts, with its service and node', async () => {
    const r = await swarm(follower, ['events', '--since', '5m', '--until', '0s', '--format', 'json', '--filter', 'type=task', '--filter', 'service=web']);
    expect(r.code).toBe(0);
    const running = parse(r.stdout).filter((e) => e.Actor.Attributes['state.new'] === 'running');
    expect(running.length).toBeGreaterThanOrEqual(1);
    expect(running[0].Actor.Attributes).toMatchObject({ 'service.name': 'web', 'state.old': expect.any(String) });
    expect(running[0].Actor.Attributes['node.name']).toMatch(/^m[123]$/);
  });

  test('bad input is refused before anything streams', async () => {
    let r = await swarm(follower, ['events', '--filter', 'colour=red']);
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toMatch(/^Error: invalid filter key "colour": use one of type, event/);
    r = await swarm(follower, ['events', '--since', 'yesterday']);
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toMatch(/^Error: invalid --since "yesterday"/);
  });
});

// The service suite on the process runtime (`--runtime process`): no Docker
// engine involved, tasks are child processes of each node's agent. The
// commands carry unusual numbers so this test finds (and cleans up) only its
// own processes.

import { execFileSync } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { freePort } from '../../lib/raft/process/process-cluster';
import { eventually } from '../../lib/util/eventually';
import { daemonPid, killHard, swarmOk, waitGone } from './cli';
import { psRows, runningPerNode, total, untilRunning } from './services-helpers';

jest.setTimeout(180_000);

const HEARTBEAT_MS = 500;
const MARK = `${700000 + (process.pid % 100000)}`;
const SLEEP = ['sleep', MARK];

function pids(pattern: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

describe('services on the process runtime', () => {
  const root = mkdtempSync(join(tmpdir(), 'swarm-e2e-proc-'));
  const dirs = { m1: join(root, 'm1'), w1: join(root, 'w1'), w2: join(root, 'w2') };
  const m = dirs.m1;

  beforeAll(async () => {
    const addr = `127.0.0.1:${await freePort()}`;
    await swarmOk(m, ['init', '--runtime', 'process', '--listen-addr', addr, '--hostname', 'm1', '--raft-tick', '50ms', '--dispatcher-heartbeat', `${HEARTBEAT_MS}ms`]);
    const token = (await swarmOk(m, ['join-token', '-q', 'worker'])).trim();
    for (const w of ['w1', 'w2'] as const) {
      await swarmOk(dirs[w], ['join', '--runtime', 'process', '--token', token, addr, '--listen-addr', `127.0.0.1:${await freePort()}`, '--hostname', w]);
    }
  });

  afterAll(() => {
    for (const d of Object.values(dirs)) killHard(d);
    for (const pid of pids(`sleep ${MARK}`)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    rmSync(root, { recursive: true, force: true });
  });

  test('replicas spread over the nodes as processes; scale up and down', async () => {
    await swarmOk(m, ['service', 'create', '-d', '--name', 'web', '--replicas', '6', '--stop-grace-period', '1s', 'swarm-test/busybox:latest', ...SLEEP]);
    expect(Object.values(await untilRunning(m, 'web', 6, eventually)).sort()).toEqual([2, 2, 2]);
    expect(pids(`sleep ${MARK}`)).toHaveLength(6);
    await swarmOk(m, ['service', 'scale', '-d', 'web=2']);
    await untilRunning(m, 'web', 2, eventually);
    await eventually('4 processes stopped', async () => (pids(`sleep ${MARK}`).length === 2) || undefined, 30_000, 200);
  });

  test('a task process killed behind our back is replaced in its slot', async () => {
    const [victim] = pids(`sleep ${MARK}`);
    process.kill(victim, 'SIGKILL');
    await eventually(
      'a failed task and 2 running again',
      async () => {
        const rows = await psRows(m, 'web');
        const failed = rows.some((r) => r.CurrentState.startsWith('Failed'));
        return (failed && total(await runningPerNode(m, 'web')) === 2) || undefined;
      },
      30_000,
      200,
    );
  });

  test('restart condition none: exit 0 completes once', async () => {
    await swarmOk(m, ['service', 'create', '-d', '--name', 'once', '--restart-condition', 'none', 'swarm-test/busybox:latest', 'sh', '-c', 'exit 0']);
    await eventually('complete', async () => (await psRows(m, 'once')).find((r) => r.CurrentState.startsWith('Complete')), 30_000, 200);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await psRows(m, 'once')).toHaveLength(1);
  });

  test('service logs show lines from every node', async () => {
    await swarmOk(m, ['service', 'create', '-d', '--name', 'talk', '--mode', 'global', '--stop-grace-period', '1s', 'swarm-test/busybox:latest', 'sh', '-c', `echo hello from $HOSTNAME; exec sleep ${MARK}`]);
    await untilRunning(m, 'talk', 3, eventually);
    await eventually(
      'a line from each node',
      async () => {
        const o = await swarmOk(m, ['service', 'logs', 'talk']);
        return ['m1', 'w1', 'w2'].every((n) => o.includes(`@${n}    | hello from`)) || undefined;
      },
      30_000,
      300,
    );
  });

  test("a process task finds its network's services in its environment, and a VIP reaches a process task", async () => {
    const port = await freePort();
    await swarmOk(m, ['network', 'create', 'pnet']);
    await swarmOk(m, [
      'service', 'create', '-d', '--name', 'srv', '--network', 'pnet', '--publish', `mode=host,target=${port}`, '--stop-grace-period', '1s',
      'swarm-test/busybox:latest', 'sh', '-c', `mkdir -p www && echo hi from srv > www/index.html && exec busybox httpd -f -p ${port} -h www`,
    ]);
    await untilRunning(m, 'srv', 1, eventually);
    const vip = await eventually('the VIP', async () => {
      const [svc] = JSON.parse(await swarmOk(m, ['service', 'inspect', 'srv'])) as { Endpoint?: { VirtualIPs?: { Addr: string }[] } }[];
      return svc.Endpoint?.VirtualIPs?.[0]?.Addr.split('/')[0];
    }, 10_000, 100);
    await swarmOk(m, ['service', 'create', '-d', '--name', 'cli', '--network', 'pnet', '--stop-grace-period', '1s', 'swarm-test/busybox:latest', 'sh', '-c', `env | grep SWARM_; exec sleep ${MARK}`]);
    const logs = await eventually('the environment in the logs', async () => {
      const o = await swarmOk(m, ['service', 'logs', 'cli']);
      return o.includes('SWARM_SERVICE_SRV=') ? o : undefined;
    }, 30_000, 300);
    expect(logs).toContain(`SWARM_SERVICE_SRV=${vip}`);
    expect(logs).toMatch(/SWARM_HOSTS_FILE=\S+\/network\/hosts/);
    const body = await eventually('srv through its VIP', async () => {
      const r = await fetch(`http://${vip}:${port}/`).catch(() => undefined);
      return r?.ok ? r.text() : undefined;
    }, 30_000, 300);
    expect(body.trim()).toBe('hi from srv');
    await swarmOk(m, ['service', 'rm', 'srv', 'cli']);
  });

  test('kill -9 of a worker: its tasks move; removing the services ends every process', async () => {
    await swarmOk(m, ['service', 'scale', '-d', 'web=6']);
    await untilRunning(m, 'web', 6, eventually);
    const pid = daemonPid(dirs.w2)!;
    killHard(dirs.w2);
    await waitGone(pid);
    await eventually(
      'web runs 6 without w2',
      async () => {
        const c = await runningPerNode(m, 'web');
        return (total(c) === 6 && !c.w2) || undefined;
      },
      30_000,
      100,
    );
    // Restarted, w2 ends what it ran before it died (its processes outlived it).
    await swarmOk(dirs.w2, ['start']);
    await swarmOk(m, ['service', 'rm', 'web', 'talk', 'once']);
    await eventually('no task process left', async () => (pids(`sleep ${MARK}`).length === 0) || undefined, 60_000, 300);
  });
});

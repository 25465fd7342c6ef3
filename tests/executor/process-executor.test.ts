import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Task } from '../../lib/api/service-types';
import type { Executor } from '../../lib/worker/executor';
import { createProcessExecutor } from '../../lib/worker/executor';
import { processStartTime } from '../../lib/worker/executor/process/pids';
import { TaskFiles } from '../../lib/worker/executor/process/task-files';
import { collectLogs, makeTask, StatusLog, TaskOverrides, waitForLine, withDesired, withStatus } from './helpers';

const LOOP = 'while true; do sleep 0.1; done';
const NODE = 'proc-node';

describe('process executor', () => {
  const executors: Executor[] = [];
  let stateDir: string;

  beforeAll(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'swarm-process-executor-'));
  });

  afterAll(async () => {
    await Promise.all(executors.map((e) => e.stop()));
    rmSync(stateDir, { recursive: true, force: true });
  });

  function start(dir = stateDir, nodeId = NODE): { executor: Executor; statuses: StatusLog } {
    const statuses = new StatusLog();
    const executor = createProcessExecutor({ nodeId, onStatus: statuses.listener, stateDir: dir });
    executors.push(executor);
    return { executor, statuses };
  }

  function sh(script: string, o: Partial<TaskOverrides> = {}): Task {
    return makeTask({ nodeId: NODE, ...o, container: { command: ['/bin/sh', '-c', script], ...o.container } });
  }

  test('runs a task to completion: exit 0 completes, exit 3 fails with its code', async () => {
    const { executor, statuses } = start();
    const ok = sh('exit 0');
    const bad = sh('exit 3', { slot: 2 });
    await executor.assign([ok, bad]);
    expect(await statuses.reach(ok.id, 'complete')).toMatchObject({ state: 'complete', exitCode: 0 });
    expect(await statuses.reach(bad.id, 'failed')).toMatchObject({ state: 'failed', exitCode: 3, err: 'task: non-zero exit (3)' });
    expect(statuses.states(ok.id)).toEqual(['accepted', 'preparing', 'ready', 'starting', 'running', 'complete']);
    statuses.expectForwardOnly();
  });

  test('applies args, env, working dir and hostname; the agent environment does not leak in', async () => {
    process.env.SWARM_TEST_SECRET = 'agent-only';
    const { executor, statuses } = start();
    const t = makeTask({
      nodeId: NODE,
      container: {
        command: ['/bin/sh', '-c'],
        args: ['echo "greeting=$GREETING"; echo "dir=$(pwd)"; echo "host=$HOSTNAME"; echo "secret=$SWARM_TEST_SECRET"'],
        env: ['GREETING=first', 'GREETING=hello'],
        dir: tmpdir(),
        hostname: 'web-one',
      },
    });
    await executor.assign([t]);
    await statuses.reach(t.id, 'complete');
    const lines = (await collectLogs(executor, { taskIds: [t.id] })).map((l) => l.line);
    expect(lines).toEqual(['greeting=hello', `dir=${tmpdir()}`, 'host=web-one', 'secret=']);
    delete process.env.SWARM_TEST_SECRET;
  });

  test('runs as a numeric user when the agent is root, and rejects a user name', async () => {
    const { executor, statuses } = start();
    const named = sh('true', { container: { user: 'nobody' } });
    const numeric = sh('id -u', { slot: 2, container: { user: '1234' } });
    const asRoot = process.getuid?.() === 0;
    await executor.assign(asRoot ? [named, numeric] : [named]);
    expect((await statuses.reach(named.id, 'rejected')).err).toBe('process runtime: user must be numeric (uid or uid:gid), not "nobody"');
    if (asRoot) {
      await statuses.reach(numeric.id, 'complete');
      expect((await collectLogs(executor, { taskIds: [numeric.id] })).map((l) => l.line)).toEqual(['1234']);
    }
  });

  test('rejects what it cannot do: no command, mounts, remapped ports', async () => {
    const { executor, statuses } = start();
    const noCommand = makeTask({ nodeId: NODE });
    const mounts = sh('true', { slot: 2, container: { mounts: [{ type: 'bind', source: '/tmp', target: '/data', readOnly: true }] } });
    const remap = sh('true', { slot: 3, ports: [{ protocol: 'tcp', targetPort: 80, publishedPort: 8080, publishMode: 'host' }] });
    await executor.assign([noCommand, mounts, remap]);
    expect((await statuses.reach(noCommand.id, 'rejected')).err).toMatch(/no command/);
    expect((await statuses.reach(mounts.id, 'rejected')).err).toMatch(/mounts are not supported/);
    expect((await statuses.reach(remap.id, 'rejected')).err).toMatch(/cannot publish port 80 as 8080/);
  });

  test('a command that cannot be started fails the task', async () => {
    const { executor, statuses } = start();
    const t = makeTask({ nodeId: NODE, container: { command: ['/nonexistent/binary'] } });
    await executor.assign([t]);
    expect((await statuses.reach(t.id, 'failed')).err).toMatch(/^starting: spawn \/nonexistent\/binary ENOENT/);
  });

  test('stops a task with SIGTERM, and SIGKILLs one that ignores it after the grace period', async () => {
    const { executor, statuses } = start();
    const polite = sh(`trap 'echo got-term; exit 0' TERM; echo ready; ${LOOP}`, { container: { stopGracePeriodMs: 5_000 } });
    const stubborn = sh(`trap '' TERM; echo ready; ${LOOP}`, { slot: 2, container: { stopGracePeriodMs: 400 } });
    await executor.assign([polite, stubborn]);
    await statuses.reach(polite.id, 'running');
    await statuses.reach(stubborn.id, 'running');
    await waitForLine(executor, polite.id, /^ready$/);
    await waitForLine(executor, stubborn.id, /^ready$/);

    const asked = Date.now();
    await executor.assign([withDesired(polite, 'shutdown'), withDesired(stubborn, 'shutdown')]);
    expect(await statuses.reach(polite.id, 'shutdown')).toMatchObject({ state: 'shutdown', exitCode: 0 });
    expect((await collectLogs(executor, { taskIds: [polite.id] })).map((l) => l.line)).toContain('got-term');
    expect(await statuses.reach(stubborn.id, 'shutdown')).toMatchObject({ state: 'shutdown', exitCode: 137 });
    expect(Date.now() - asked).toBeGreaterThanOrEqual(400);
    statuses.expectForwardOnly();
  });

  test('a health check holds the task in starting until healthy; an unhealthy task fails and is stopped', async () => {
    const { executor, statuses } = start();
    const marker = join(stateDir, 'healthy-marker');
    const healthy = sh(`touch ${marker}; ${LOOP}`, {
      container: { healthcheck: { test: ['CMD-SHELL', `test -f ${marker}`], intervalMs: 100, retries: 2 } },
    });
    const sick = sh(LOOP, { slot: 2, container: { stopGracePeriodMs: 300, healthcheck: { test: ['CMD', 'false'], intervalMs: 100, retries: 2 } } });
    await executor.assign([healthy, sick]);
    expect((await statuses.reach(healthy.id, 'running')).state).toBe('running');
    const failed = await statuses.reach(sick.id, 'failed');
    expect(failed).toMatchObject({ state: 'failed', err: 'task: unhealthy container' });
    expect(statuses.states(sick.id)).toEqual(['accepted', 'preparing', 'ready', 'starting', 'failed']);
  });

  test('a task desired ready is prepared but not started until desired running', async () => {
    const { executor, statuses } = start();
    const t = sh('echo started');
    await executor.assign([withDesired(t, 'ready')]);
    await statuses.reach(t.id, 'ready');
    expect(statuses.states(t.id)).toEqual(['accepted', 'preparing', 'ready']);
    await executor.assign([t]);
    await statuses.reach(t.id, 'complete');
    expect(statuses.states(t.id)).toEqual(['accepted', 'preparing', 'ready', 'starting', 'running', 'complete']);
  });

  test('logs: tail gives the last lines, follow streams until the process exits', async () => {
    const { executor, statuses } = start();
    const counted = sh('for i in 1 2 3 4 5; do echo line-$i; done; echo oops >&2');
    await executor.assign([counted]);
    await statuses.reach(counted.id, 'complete');
    const all = await collectLogs(executor, { taskIds: [counted.id] });
    expect(all.map((l) => `${l.stream}:${l.line}`)).toEqual(['stdout:line-1', 'stdout:line-2', 'stdout:line-3', 'stdout:line-4', 'stdout:line-5', 'stderr:oops']);
    expect(all[0]).toMatchObject({ taskId: counted.id, serviceId: counted.serviceId });
    expect(all[0].timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    expect((await collectLogs(executor, { taskIds: [counted.id] }, { tail: 2 })).map((l) => l.line)).toEqual(['line-5', 'oops']);

    const go = join(stateDir, 'go-marker');
    const slow = sh(`echo one; while [ ! -f ${go} ]; do sleep 0.05; done; echo two`, { slot: 2 });
    await executor.assign([counted, slow]);
    await statuses.reach(slow.id, 'running');
    const followed: string[] = [];
    for await (const line of executor.logs({ serviceId: slow.serviceId, taskIds: [slow.id] }, { follow: true, signal: AbortSignal.timeout(10_000) })) {
      followed.push(line.line);
      if (line.line === 'one') await import('node:fs/promises').then((fs) => fs.writeFile(go, ''));
    }
    expect(followed).toEqual(['one', 'two']);
    await statuses.reach(slow.id, 'complete');
  });

  test('after a restart: exits recorded before are reported, stopped processes are lost, unassigned tasks removed', async () => {
    const dir = mkdtempSync(join(stateDir, 'restart-'));
    const first = start(dir);
    const long = sh(LOOP, { container: { stopGracePeriodMs: 200 } });
    const quick = sh('exit 4', { slot: 2 });
    const gone = sh(LOOP, { slot: 3, container: { stopGracePeriodMs: 200 } });
    await first.executor.assign([long, quick, gone]);
    const longRunning = await first.statuses.reach(long.id, 'running');
    await first.statuses.reach(gone.id, 'running');
    await first.statuses.reach(quick.id, 'failed');
    await first.executor.stop();
    // stop() ended the processes: nothing can supervise them after the executor.
    expect(() => process.kill(longRunning.pid ?? 0, 0)).toThrow();

    const second = start(dir);
    // The manager missed the reports: it still has quick as running.
    await second.executor.assign([withStatus(long, 'running'), withStatus(quick, 'running')]);
    expect(await second.statuses.reach(long.id, 'failed')).toMatchObject({
      state: 'failed',
      err: 'task: agent restarted; the process runtime cannot keep a task across agent restarts',
    });
    expect(await second.statuses.reach(quick.id, 'failed')).toMatchObject({ state: 'failed', exitCode: 4 });
    // Removal of the unassigned task runs in the background: stop() waits for it.
    await second.executor.stop();
    expect(existsSync(new TaskFiles(dir, gone.id).dir)).toBe(false);
    expect(existsSync(new TaskFiles(dir, long.id).dir)).toBe(true);
  });

  test('after a crash: a leftover process is ended and its task fails', async () => {
    const dir = mkdtempSync(join(stateDir, 'crash-'));
    const t = sh(LOOP, { container: { stopGracePeriodMs: 200 } });
    // What a crashed executor leaves: a record of a process that still runs, in its own group.
    const orphan = spawn('/bin/sh', ['-c', LOOP], { detached: true, stdio: 'ignore' });
    const orphanExit = new Promise<NodeJS.Signals | null>((resolve) => orphan.once('exit', (_code, signal) => resolve(signal)));
    await new Promise((resolve) => orphan.once('spawn', resolve));
    const pid = orphan.pid ?? 0;
    new TaskFiles(dir, t.id).write({ taskId: t.id, serviceId: t.serviceId, nodeId: NODE, pid, procStart: processStartTime(pid) });

    const { executor, statuses } = start(dir);
    await executor.assign([withStatus(t, 'running')]);
    expect((await statuses.reach(t.id, 'failed')).err).toMatch(/agent restarted/);
    expect(await orphanExit).toBe('SIGTERM');
  });

  test('executors of different nodes sharing a state dir keep to their own tasks', async () => {
    const dir = mkdtempSync(join(stateDir, 'shared-'));
    const a = start(dir, 'node-a');
    const t = makeTask({ nodeId: 'node-a', container: { command: ['/bin/sh', '-c', 'echo from-a'] } });
    await a.executor.assign([t]);
    await a.statuses.reach(t.id, 'complete');
    const b = start(dir, 'node-b');
    await b.executor.assign([]);
    expect(await collectLogs(b.executor, {})).toEqual([]);
    await b.executor.stop();
    expect((await collectLogs(a.executor, {})).map((l) => l.line)).toEqual(['from-a']);
  });
});

describe('process executor: usage for task metrics', () => {
  test("a running task's whole process group is read; a task not running is not", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'swarm-process-usage-'));
    const statuses = new StatusLog();
    const executor = createProcessExecutor({ nodeId: NODE, onStatus: statuses.listener, stateDir: dir });
    try {
      // A shell that starts a spinning child and waits: two processes, the CPU in the child.
      const busy = makeTask({ nodeId: NODE, container: { command: ['/bin/sh', '-c', 'sh -c "while :; do :; done" & wait'] } });
      const done = makeTask({ nodeId: NODE, slot: 2, container: { command: ['/bin/sh', '-c', 'exit 0'] } });
      await executor.assign([busy, done]);
      await statuses.reach(busy.id, 'running');
      await statuses.reach(done.id, 'complete');
      const first = await executor.usage();
      await new Promise((r) => setTimeout(r, 500));
      const second = await executor.usage();
      expect([...second.keys()]).toEqual([busy.id]);
      const a = first.get(busy.id)!;
      const b = second.get(busy.id)!;
      expect(b.pids).toBe(2);
      expect(b.memoryBytes).toBeGreaterThan(0);
      // The child's time counts: well over a third of a core in half a second.
      expect((b.cpuNs - a.cpuNs) / ((b.at - a.at) * 1e6)).toBeGreaterThan(0.3);
    } finally {
      await executor.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

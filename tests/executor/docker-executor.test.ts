import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import type { Task } from '../../lib/api/service-types';
import { taskName } from '../../lib/api/service-types';
import { testImageName } from '../../lib/testing/test-image';
import { eventually } from '../../lib/util/eventually';
import type { Executor } from '../../lib/worker/executor';
import { createDockerExecutor } from '../../lib/worker/executor';
import { describeWithDocker } from '../helpers/docker';
import { collectLogs, makeTask, StatusLog, TaskOverrides, waitForLine, withDesired, withStatus } from './helpers';

/** Every container of this run carries it, so afterAll removes exactly ours. */
const RUN_LABEL = 'swarm.test.executor-run';
const RUN_ID = randomBytes(6).toString('hex');
const LOOP = 'while true; do sleep 0.1; done';

describeWithDocker('docker executor', (docker) => {
  const image = testImageName();
  const executors: Executor[] = [];
  let node = 0;

  /** A fresh node id per test, so tests never see each other's containers. */
  function nodeId(): string {
    return `node-${RUN_ID}-${++node}`;
  }

  function start(id: string): { executor: Executor; statuses: StatusLog } {
    const statuses = new StatusLog();
    const executor = createDockerExecutor({ nodeId: id, onStatus: statuses.listener, docker });
    executors.push(executor);
    return { executor, statuses };
  }

  function task(o: TaskOverrides): Task {
    return makeTask({ ...o, container: { image, ...o.container, labels: { [RUN_LABEL]: RUN_ID, ...o.container?.labels } } });
  }

  function sh(script: string, o: Omit<TaskOverrides, 'nodeId'> & { nodeId: string }): Task {
    return task({ ...o, container: { command: ['sh', '-c', script], ...o.container } });
  }

  async function inspect(containerId: string | undefined): Promise<Docker.ContainerInspectInfo> {
    if (containerId === undefined) throw new Error('no container id reported');
    return docker.getContainer(containerId).inspect();
  }

  /** Runs `touch path` in the container and waits for it to finish. */
  async function touchInside(container: string, path: string): Promise<void> {
    const exec = await docker.getContainer(container).exec({ Cmd: ['touch', path], AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({});
    await new Promise<void>((resolve, reject) => {
      stream.on('end', resolve);
      stream.on('error', reject);
      stream.resume();
    });
    stream.destroy();
  }

  async function containersOf(id: string): Promise<Docker.ContainerInfo[]> {
    return docker.listContainers({ all: true, filters: { label: [`com.docker.swarm.node.id=${id}`] } });
  }

  afterAll(async () => {
    await Promise.all(executors.map((e) => e.stop().catch(() => undefined)));
    const leftovers = await docker.listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${RUN_ID}`] } });
    await Promise.all(leftovers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true })));
  });

  test('runs a task to completion: exit 0 completes, exit 3 fails with its code', async () => {
    const id = nodeId();
    const { executor, statuses } = start(id);
    const ok = sh('exit 0', { nodeId: id });
    const bad = sh('exit 3', { nodeId: id, slot: 2 });
    await executor.assign([ok, bad]);

    const done = await statuses.reach(ok.id, 'complete');
    expect(done.state).toBe('complete');
    expect(done.exitCode).toBe(0);
    const failed = await statuses.reach(bad.id, 'failed');
    expect(failed).toMatchObject({ state: 'failed', exitCode: 3, err: 'task: non-zero exit (3)' });
    expect(statuses.states(ok.id)).toEqual(['accepted', 'preparing', 'ready', 'starting', 'running', 'complete']);
    statuses.expectForwardOnly();
  });

  test('applies env, working dir, user, hostname, labels, name and limits', async () => {
    const id = nodeId();
    const { executor, statuses } = start(id);
    const t = task({
      nodeId: id,
      slot: 4,
      container: {
        command: ['sh', '-c'],
        args: ['echo "greeting=$GREETING"; echo "dir=$(pwd)"; echo "uid=$(id -u)"; echo "host=$(hostname)"'],
        env: ['GREETING=first', 'GREETING=hello'],
        dir: '/srv/app',
        user: '1234',
        hostname: 'web-one',
        labels: { team: 'blue' },
      },
      limits: { memoryBytes: 64 * 1024 * 1024, nanoCPUs: 500_000_000 },
    });
    await executor.assign([t]);
    const done = await statuses.reach(t.id, 'complete');
    expect(done.state).toBe('complete');

    const lines = (await collectLogs(executor, { taskIds: [t.id] })).map((l) => l.line);
    expect(lines).toEqual(['greeting=hello', 'dir=/srv/app', 'uid=1234', 'host=web-one']);

    const info = await inspect(done.containerId);
    expect(info.Name).toBe(`/${taskName(t)}`);
    expect(info.Name).toBe(`/web.4.${t.id}`);
    expect(info.Config.Labels).toMatchObject({
      team: 'blue',
      'com.docker.swarm.node.id': id,
      'com.docker.swarm.service.id': t.serviceId,
      'com.docker.swarm.service.name': 'web',
      'com.docker.swarm.task.id': t.id,
      'com.docker.swarm.task.name': taskName(t),
    });
    expect(info.HostConfig.Memory).toBe(64 * 1024 * 1024);
    expect(info.HostConfig.NanoCpus).toBe(500_000_000);
  });

  test('stops a task with SIGTERM, and SIGKILLs one that ignores it after the grace period', async () => {
    const id = nodeId();
    const { executor, statuses } = start(id);
    const polite = sh(`trap 'echo got-term; exit 0' TERM; echo ready; ${LOOP}`, { nodeId: id, container: { stopGracePeriodMs: 5_000 } });
    const stubborn = sh(`trap '' TERM; echo ready; ${LOOP}`, { nodeId: id, slot: 2, container: { stopGracePeriodMs: 600 } });
    await executor.assign([polite, stubborn]);
    await statuses.reach(polite.id, 'running');
    await statuses.reach(stubborn.id, 'running');
    // The traps are set once "ready" is printed.
    await waitForLine(executor, polite.id, /^ready$/);
    await waitForLine(executor, stubborn.id, /^ready$/);

    const asked = Date.now();
    await executor.assign([withDesired(polite, 'shutdown'), withDesired(stubborn, 'shutdown')]);
    const politeDown = await statuses.reach(polite.id, 'shutdown');
    expect(politeDown).toMatchObject({ state: 'shutdown', exitCode: 0 });
    const lines = (await collectLogs(executor, { taskIds: [polite.id] })).map((l) => l.line);
    expect(lines).toContain('got-term');

    const stubbornDown = await statuses.reach(stubborn.id, 'shutdown');
    expect(stubbornDown).toMatchObject({ state: 'shutdown', exitCode: 137 });
    expect(Date.now() - asked).toBeGreaterThanOrEqual(600);
    statuses.expectForwardOnly();
  });

  test('a task with a health check runs only once healthy; an unhealthy one fails and is stopped', async () => {
    const id = nodeId();
    const { executor, statuses } = start(id);
    const healthy = sh(`touch /tmp/ok; ${LOOP}`, {
      nodeId: id,
      container: { healthcheck: { test: ['CMD-SHELL', 'test -f /tmp/ok'], intervalMs: 200, retries: 2 } },
    });
    const sick = sh(LOOP, {
      nodeId: id,
      slot: 2,
      container: { stopGracePeriodMs: 300, healthcheck: { test: ['CMD-SHELL', 'exit 1'], intervalMs: 200, retries: 2 } },
    });
    await executor.assign([healthy, sick]);

    const running = await statuses.reach(healthy.id, 'running');
    expect(running.state).toBe('running');
    expect((await inspect(running.containerId)).State.Health?.Status).toBe('healthy');

    const failed = await statuses.reach(sick.id, 'failed');
    expect(failed).toMatchObject({ state: 'failed', err: 'task: unhealthy container' });
    expect(statuses.states(sick.id)).not.toContain('running');
    expect((await inspect(failed.containerId)).State.Running).toBe(false);
  });

  test('rejects a task whose image cannot be pulled, with the engine message', async () => {
    const id = nodeId();
    const { executor, statuses } = start(id);
    const t = task({ nodeId: id, container: { image: 'swarm-test/nope:1', command: ['true'] } });
    await executor.assign([t]);
    const rejected = await statuses.reach(t.id, 'rejected');
    expect(rejected.state).toBe('rejected');
    expect(rejected.err).toMatch(/^pulling image swarm-test\/nope:1: \S.+/);
    expect(await containersOf(id)).toEqual([]);
  });

  test('a container that cannot start fails the task with the engine message', async () => {
    const id = nodeId();
    const { executor, statuses } = start(id);
    const t = task({ nodeId: id, container: { command: ['/nonexistent/binary'] } });
    await executor.assign([t]);
    const failed = await statuses.reach(t.id, 'failed');
    expect(failed.err).toMatch(/^starting: .*\/nonexistent\/binary/);
    expect(statuses.states(t.id)).toEqual(['accepted', 'preparing', 'ready', 'starting', 'failed']);
  });

  test('host-mode ports: published and reported, or rejected when the engine has no bridge network', async () => {
    const id = nodeId();
    const { executor, statuses } = start(id);
    const t = sh(LOOP, { nodeId: id, ports: [{ protocol: 'tcp', targetPort: 80, publishedPort: 0, publishMode: 'host' }] });
    await executor.assign([t]);
    const hasBridge = await docker
      .getNetwork('bridge')
      .inspect()
      .then(
        () => true,
        () => false,
      );
    if (hasBridge) {
      const running = await statuses.reach(t.id, 'running');
      expect(running.ports).toEqual([{ protocol: 'tcp', targetPort: 80, publishedPort: expect.any(Number), publishMode: 'host' }]);
    } else {
      const rejected = await statuses.reach(t.id, 'rejected');
      expect(rejected.err).toBe('cannot publish host-mode port 80/tcp: the engine has no bridge network (dockerd --bridge=none)');
    }
  });

  test('a new executor of the same node adopts running containers, reports exits and removes unassigned ones', async () => {
    const id = nodeId();
    const first = start(id);
    const keep = sh(LOOP, { nodeId: id, slot: 1, container: { stopGracePeriodMs: 200 } });
    const drop = sh(LOOP, { nodeId: id, slot: 2, container: { stopGracePeriodMs: 200 } });
    const exits = sh('echo bye; exit 5', { nodeId: id, slot: 3 });
    await first.executor.assign([keep, drop, withDesired(exits, 'ready')]);
    const keepRunning = await first.statuses.reach(keep.id, 'running');
    await first.statuses.reach(drop.id, 'running');
    await first.statuses.reach(exits.id, 'ready');
    await first.executor.stop();
    expect((await inspect(keepRunning.containerId)).State.Running).toBe(true);

    // Started behind the stopped executor's back, as if it had exited while the agent was down.
    await docker.getContainer(taskName(exits)).start();
    await eventually('the container to exit', async () => ((await docker.getContainer(taskName(exits)).inspect()).State.Status === 'exited' ? true : undefined), 10_000, 50);

    const second = start(id);
    await second.executor.assign([withStatus(keep, 'running'), withStatus(exits, 'running')]);
    const adopted = await second.statuses.reach(keep.id, 'running');
    expect(adopted.containerId).toBe(keepRunning.containerId);
    expect(second.statuses.states(keep.id)).toEqual(['running']);
    const exited = await second.statuses.reach(exits.id, 'failed');
    expect(exited).toMatchObject({ state: 'failed', exitCode: 5, err: 'task: non-zero exit (5)' });

    await eventually('the unassigned container to be removed', async () => {
      const names = (await containersOf(id)).map((c) => c.Names[0]);
      return names.includes(`/${taskName(drop)}`) ? undefined : names;
    }, 10_000, 50);

    // Unassigning a running task stops and removes its container.
    await second.executor.assign([withStatus(exits, 'failed')]);
    await eventually('the running container to be removed', async () => ((await containersOf(id)).length === 1 ? true : undefined), 10_000, 50);
  });

  test('nodes sharing one engine see and touch only their own containers', async () => {
    const a = nodeId();
    const b = nodeId();
    const nodeA = start(a);
    const t = sh('echo from-a; ' + LOOP, { nodeId: a, container: { stopGracePeriodMs: 200 } });
    await nodeA.executor.assign([t]);
    await nodeA.statuses.reach(t.id, 'running');

    const nodeB = start(b);
    // B's first assignment adopts: anything of B's not assigned would be removed, A's must stay.
    await nodeB.executor.assign([{ ...t, nodeId: a }]);
    expect(await collectLogs(nodeB.executor, {})).toEqual([]);
    await waitForLine(nodeA.executor, t.id, /^from-a$/);
    expect((await containersOf(a)).map((c) => c.State)).toEqual(['running']);
    expect(nodeB.statuses.byTask.size).toBe(0);
  });

  test('logs: tail gives the last lines, follow streams until the container exits', async () => {
    const id = nodeId();
    const { executor, statuses } = start(id);
    const counted = sh('for i in 1 2 3 4 5; do echo line-$i; done', { nodeId: id });
    await executor.assign([counted]);
    await statuses.reach(counted.id, 'complete');
    const all = await collectLogs(executor, { taskIds: [counted.id] });
    expect(all.map((l) => l.line)).toEqual(['line-1', 'line-2', 'line-3', 'line-4', 'line-5']);
    expect(all[0]).toMatchObject({ taskId: counted.id, serviceId: counted.serviceId });
    expect(all[0].timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    const tail = await collectLogs(executor, { taskIds: [counted.id] }, { tail: 2 });
    expect(tail.map((l) => l.line)).toEqual(['line-4', 'line-5']);

    const slow = sh('echo one; while [ ! -f /tmp/go ]; do sleep 0.05; done; echo two >&2', { nodeId: id, slot: 2 });
    await executor.assign([counted, slow]);
    await statuses.reach(slow.id, 'running');
    const followed: string[] = [];
    for await (const line of executor.logs({ taskIds: [slow.id] }, { follow: true, signal: AbortSignal.timeout(10_000) })) {
      followed.push(`${line.stream}:${line.line}`);
      if (line.line === 'one') await touchInside(taskName(slow), '/tmp/go');
    }
    // The loop ended by itself: the container exited.
    expect(followed).toEqual(['stdout:one', 'stderr:two']);
    await statuses.reach(slow.id, 'complete');
  });
});

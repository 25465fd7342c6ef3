// Secrets and configs from the store to a real container: a manager's
// dispatcher, two agents with task workers on the local Docker engine. The
// container reads them at their targets with their owner and mode; the node
// that runs no task needing them never receives them; the container's
// configuration does not hold the content; the files go with the task.

import { existsSync, mkdtempSync, promises as fsp, readdirSync, rmSync } from 'fs';
import { join } from 'path';
import type Docker from 'dockerode';
import { defaultServiceSpec } from '../../lib/api/service-defaults';
import type { Task, TaskStatus } from '../../lib/api/service-types';
import type { Service } from '../../lib/api/types';
import type { Draft } from '../../lib/manager/store/transaction';
import { testImageName } from '../../lib/testing/test-image';
import { eventually } from '../../lib/util/eventually';
import { createDockerExecutor } from '../../lib/worker/executor';
import type { AssignedBlobs } from '../../lib/worker/executor/types';
import { defaultTmpfsRoot, TMPFS_MAGIC } from '../../lib/worker/executor/tmpfs-files';
import { TaskWorker } from '../../lib/worker/task-worker';
import { execIn } from '../cluster/docker-exec';
import { TestSwarm } from '../dispatcher/harness';
import { describeWithDocker } from '../helpers/docker';

const PASSWORD = `pw-${process.pid}-correct horse battery staple`;
const CONFIG = `listen ${process.pid};\n`;
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const RUN_LABEL = 'swarm.test.secrets-run';
const RUN_ID = String(process.pid);

describeWithDocker('secrets and configs reach the container', (docker) => {
  let swarm: TestSwarm;
  const workers: TaskWorker[] = [];
  /** Every assignment each node's agent handed its worker, with the secrets and configs it held then. */
  const handed = new Map<string, AssignedBlobs[]>();

  async function node(hostname: string): Promise<string> {
    const w = await swarm.worker(hostname);
    const agent = swarm.agent(w, hostname);
    const ref: { worker?: TaskWorker } = {};
    const executor = createDockerExecutor({ nodeId: w.nodeId, docker, onStatus: (id, s) => ref.worker?.onStatus(id, s) });
    handed.set(w.nodeId, []);
    agent.on('assignments', (_tasks, blobs) => handed.get(w.nodeId)?.push(blobs));
    ref.worker = new TaskWorker(agent, executor, { warn: () => undefined }, { id: w.nodeId, hostname });
    workers.push(ref.worker);
    await eventually(`${hostname} registered`, async () => (agent.state === 'registered' ? true : undefined), 10_000);
    return w.nodeId;
  }

  beforeAll(async () => {
    swarm = await TestSwarm.start(1, 500);
  });
  afterAll(async () => {
    for (const w of workers) await w.removeAll().catch(() => undefined);
    await Promise.all(workers.map((w) => w.stop()));
    await swarm.close();
    for (const c of await docker.listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${RUN_ID}`] } })) {
      await docker.getContainer(c.Id).remove({ force: true });
    }
    // The nodes' own directories, empty by now (each test checks its task's went).
    for (const nodeId of handed.keys()) rmSync(defaultTmpfsRoot(nodeId), { recursive: true, force: true });
  });

  it('the container reads both with their owner and mode; the other node gets nothing; the files go with the task', async () => {
    const withTask = await node('sec-a');
    const without = await node('sec-b');
    const lead = await swarm.leader();
    const spec = defaultServiceSpec('db', testImageName());
    Object.assign(spec.task.container, {
      command: ['sh', '-c', 'while true; do sleep 0.1; done'],
      stopGracePeriodMs: 1000,
      labels: { [RUN_LABEL]: RUN_ID },
      secrets: [{ secretId: 'sec1', secretName: 'db_password', file: { name: 'db_password', uid: '1000', gid: '1001', mode: 0o400 } }],
      configs: [{ configId: 'cfg1', configName: 'app_conf', file: { name: '/etc/app.conf', uid: '0', gid: '0', mode: 0o444 } }],
    });
    const service: Draft<Service> = { id: 'svcsec', spec };
    await lead.manager.write([
      { op: 'create', kind: 'secret', object: { id: 'sec1', spec: { name: 'db_password', labels: {}, data: b64(PASSWORD) } } },
      { op: 'create', kind: 'config', object: { id: 'cfg1', spec: { name: 'app_conf', labels: {}, data: b64(CONFIG) } } },
      { op: 'create', kind: 'service', object: service },
    ]);
    const now = new Date().toISOString();
    const task: Draft<Task> = {
      id: `tsec${process.pid}`,
      serviceId: 'svcsec',
      serviceName: 'db',
      slot: 1,
      nodeId: withTask,
      spec: spec.task,
      ports: [],
      specVersion: 1,
      desiredState: 'running',
      networks: [],
      status: { state: 'assigned', timestamp: now, message: 'scheduled' },
    };
    await lead.manager.write([{ op: 'create', kind: 'task', object: task }]);

    const running = await eventually(
      'the task running',
      async () => {
        const t = lead.manager.store.get('task', task.id);
        // Retried until the timeout, whose message then says why.
        if (t?.status.state === 'rejected' || t?.status.state === 'failed') throw new Error(`task ${t.status.state}: ${t.status.err ?? t.status.message}`);
        return t?.status.state === 'running' && t.status.containerId !== undefined ? t.status.containerId : undefined;
      },
      60_000,
    );

    const inside = async (cmd: string): Promise<string> => {
      const r = await execIn(docker, running, ['sh', '-c', cmd]);
      if (r.code !== 0) throw new Error(`${cmd}: exit ${r.code}: ${r.stderr}`);
      return r.stdout;
    };
    expect(await inside('cat /run/secrets/db_password')).toBe(PASSWORD);
    expect(await inside('stat -c "%a %u %g" /run/secrets/db_password')).toBe('400 1000 1001\n');
    expect(await inside('cat /etc/app.conf')).toBe(CONFIG);
    expect(await inside('stat -c "%a %u %g" /etc/app.conf')).toBe('444 0 0\n');
    // Read-only in the container.
    expect((await execIn(docker, running, ['sh', '-c', 'echo x > /run/secrets/db_password'])).code).not.toBe(0);

    // The engine's record of the container names the tmpfs file, never the content.
    const info: Docker.ContainerInspectInfo = await docker.getContainer(running).inspect();
    const recorded = JSON.stringify(info);
    expect(recorded).not.toContain(PASSWORD);
    expect(recorded).not.toContain(b64(PASSWORD));
    const dir = join(defaultTmpfsRoot(withTask), task.id);
    expect(info.Mounts.filter((m) => m.Source.startsWith(dir)).map((m) => m.Destination).sort()).toEqual(['/etc/app.conf', '/run/secrets/db_password']);

    // The other node: nothing in memory, nothing on its tmpfs.
    expect(handed.get(without)?.every((b) => b.secrets.size === 0 && b.configs.size === 0)).toBe(true);
    expect(existsSync(defaultTmpfsRoot(without)) ? readdirSync(defaultTmpfsRoot(without)) : []).toEqual([]);
    expect(handed.get(withTask)?.at(-1)?.secrets.has('sec1')).toBe(true);

    // The task goes (as a removed service's do): the container, the files and the node's copy go with it.
    await lead.manager.write([{ op: 'delete', kind: 'task', id: task.id }]);
    await eventually('the container removed', async () => ((await docker.listContainers({ all: true, filters: { id: [running] } })).length === 0 ? true : undefined), 30_000);
    await eventually("the task's tmpfs directory removed", async () => (existsSync(dir) ? undefined : true), 10_000);
    const last = handed.get(withTask)?.at(-1);
    expect([last?.secrets.size, last?.configs.size]).toEqual([0, 0]);
  }, 120_000);

  it("a task that ends by itself: its files go at once, and so does the node's copy, while the task stays in the store", async () => {
    const nodeId = await node('sec-c');
    const lead = await swarm.leader();
    const service = lead.manager.store.get('service', 'svcsec');
    if (!service) throw new Error('the first test creates the service');
    const spec = structuredClone(service.spec.task) as Task['spec'];
    // Exit 3 only if it could read the content: proof that it was there, without printing it.
    spec.container.command = ['sh', '-c', `grep -q '^pw-${process.pid}-' /run/secrets/db_password && grep -q 'listen' /etc/app.conf && exit 3; exit 1`];
    const now = new Date().toISOString();
    const task: Draft<Task> = {
      id: `tend${process.pid}`,
      serviceId: 'svcsec',
      serviceName: 'db',
      slot: 2,
      nodeId,
      spec,
      ports: [],
      specVersion: 1,
      desiredState: 'running',
      networks: [],
      status: { state: 'assigned', timestamp: now, message: 'scheduled' },
    };
    await lead.manager.write([{ op: 'create', kind: 'task', object: task }]);
    const ended = await eventually('the task failed', async () => {
      const t = lead.manager.store.get('task', task.id);
      return t?.status.state === 'failed' || t?.status.state === 'rejected' ? t.status : undefined;
    }, 60_000);
    expect([ended.state, ended.exitCode]).toEqual(['failed', 3]);
    await eventually("the ended task's files removed", async () => (existsSync(join(defaultTmpfsRoot(nodeId), task.id)) ? undefined : true), 10_000);
    await eventually('the node forgot them', async () => {
      const last = handed.get(nodeId)?.at(-1);
      return last && last.secrets.size === 0 && last.configs.size === 0 ? true : undefined;
    }, 10_000);
    // Its container is still there (logs, inspect) until the task goes.
    expect(lead.manager.store.get('task', task.id)).toBeDefined();
    expect(ended.containerId).toBeDefined();
    await lead.manager.write([{ op: 'delete', kind: 'task', id: task.id }]);
  }, 90_000);

  it('a node whose directory for them is not a tmpfs rejects the task, says why, and writes nothing', async () => {
    // The worktree is on disk wherever /tmp may be a tmpfs.
    const root = mkdtempSync(join(process.cwd(), '.secrets-on-disk-'));
    try {
      expect((await fsp.statfs(root)).type).not.toBe(TMPFS_MAGIC);
      const statuses: TaskStatus[] = [];
      const executor = createDockerExecutor({ nodeId: `disk-${RUN_ID}`, docker, tmpfsRoot: join(root, 'node'), onStatus: (_id, s) => statuses.push(s) });
      const spec = defaultServiceSpec('db', testImageName()).task;
      Object.assign(spec.container, {
        labels: { [RUN_LABEL]: RUN_ID },
        secrets: [{ secretId: 'sec1', secretName: 'db_password', file: { name: 'db_password', uid: '0', gid: '0', mode: 0o444 } }],
      });
      const now = new Date().toISOString();
      const task: Task = {
        id: `tdisk${process.pid}`,
        meta: { version: 1, createdAt: now, updatedAt: now },
        serviceId: 'svcsec',
        serviceName: 'db',
        slot: 1,
        nodeId: `disk-${RUN_ID}`,
        spec,
        ports: [],
        specVersion: 1,
        desiredState: 'running',
        status: { state: 'assigned', timestamp: now, message: 'scheduled' },
      };
      await executor.assign([task], { secrets: new Map([['sec1', { id: 'sec1', name: 'db_password', data: b64(PASSWORD) }]]), configs: new Map() });
      const rejected = await eventually('the task rejected', async () => statuses.find((s) => s.state === 'rejected'), 30_000);
      expect(rejected.err).toMatch(/is not on a tmpfs .*secrets and configs are never written to the node's disk/);
      expect(readdirSync(join(root, 'node'))).toEqual([]);
      await executor.assign([]);
      await executor.stop();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);
});

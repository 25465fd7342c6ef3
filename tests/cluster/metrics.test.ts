// --metrics-addr as Prometheus sees it: two managers and a worker on
// 127.0.0.1, each serving /metrics; a scrape parsed as the text format must agree with what
// `service ls` and `node ls` show, the follower serves Raft figures of its
// own, and `swarm start` serves again where init/join said.

import Docker from 'dockerode';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { freePort } from '../../lib/raft/process/process-cluster';
import { testImageName } from '../../lib/testing/test-image';
import { eventually } from '../../lib/util/eventually';
import { describeWithDocker } from '../helpers/docker';
import { parseExposition, sampleValue, Exposition } from '../helpers/prometheus-text';
import { killHard, nodeRows, swarmOk } from './cli';
import { containersOf, untilRunning } from './services-helpers';

jest.setTimeout(180_000);

const IMG = testImageName();

async function scrape(addr: string): Promise<Exposition> {
  const res = await fetch(`http://${addr}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await res.text());
}

describeWithDocker('Prometheus metrics', (docker: Docker) => {
  const root = mkdtempSync(join(tmpdir(), 'swarm-e2e-metrics-'));
  const m1 = join(root, 'm1');
  const m2 = join(root, 'm2');
  const w1 = join(root, 'w1');
  const metrics: Record<string, string> = {};
  const created: string[] = [];

  beforeAll(async () => {
    const addr = `127.0.0.1:${await freePort()}`;
    metrics.m1 = `127.0.0.1:${await freePort()}`;
    metrics.m2 = `127.0.0.1:${await freePort()}`;
    metrics.w1 = `127.0.0.1:${await freePort()}`;
    await swarmOk(m1, ['init', '--listen-addr', addr, '--hostname', 'm1', '--raft-tick', '50ms', '--dispatcher-heartbeat', '500ms', '--metrics-addr', metrics.m1]);
    const token = (await swarmOk(m1, ['join-token', '-q', 'manager'])).trim();
    await swarmOk(m2, ['join', '--token', token, addr, '--listen-addr', `127.0.0.1:${await freePort()}`, '--hostname', 'm2', '--metrics-addr', metrics.m2]);
    const workerToken = (await swarmOk(m1, ['join-token', '-q', 'worker'])).trim();
    await swarmOk(w1, ['join', '--token', workerToken, addr, '--listen-addr', `127.0.0.1:${await freePort()}`, '--hostname', 'w1', '--metrics-addr', metrics.w1]);
  });

  afterAll(async () => {
    killHard(m1);
    killHard(m2);
    killHard(w1);
    for (const id of created) {
      for (const c of await containersOf(docker, id)) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
    }
    rmSync(root, { recursive: true, force: true });
  });

  test('a scrape agrees with service ls and node ls; the follower serves its own Raft figures', async () => {
    created.push((await swarmOk(m1, ['service', 'create', '-d', '--name', 'web', '--replicas', '2', '--stop-grace-period', '1s', IMG, 'sleep', '100000'])).trim());
    await untilRunning(m1, 'web', 2, eventually);

    const ls = (await swarmOk(m1, ['service', 'ls', '--format', 'json'])).trim().split('\n').map((l) => JSON.parse(l) as { Name: string; Replicas: string });
    const [running, desired] = (ls.find((s) => s.Name === 'web')?.Replicas ?? '').split('/').map(Number);
    expect([running, desired]).toEqual([2, 2]);

    const leader = await scrape(metrics.m1);
    expect(sampleValue(leader, 'swarm_service_running_replicas', { service: 'web' })).toBe(running);
    expect(sampleValue(leader, 'swarm_service_desired_replicas', { service: 'web' })).toBe(desired);
    expect(sampleValue(leader, 'swarm_tasks', { service: 'web', state: 'running' })).toBe(2);
    const nodes = await nodeRows(m1);
    const ready = nodes.filter((n) => n.Status === 'Ready').length;
    const total = (role: string): number => leader.samples.filter((x) => x.name === 'swarm_nodes' && x.labels.state === 'ready' && x.labels.role === role).reduce((n, x) => n + x.value, 0);
    expect(total('manager') + total('worker')).toBe(ready);
    expect(total('manager')).toBe(nodes.filter((n) => n.ManagerStatus !== '').length);
    expect([ready, total('worker')]).toEqual([3, 1]);
    expect(sampleValue(leader, 'swarm_raft_is_leader', {})).toBe(1);
    expect(sampleValue(leader, 'swarm_dispatcher_sessions', {})).toBe(3);
    expect(sampleValue(leader, 'swarm_raft_proposal_duration_seconds_count', { result: 'committed' })).toBeGreaterThan(0);
    expect(sampleValue(leader, 'swarm_scheduler_pass_duration_seconds_count', {})).toBeGreaterThan(0);
    expect(sampleValue(leader, 'swarm_orchestrator_pass_duration_seconds_count', {})).toBeGreaterThan(0);
    expect(leader.types.get('process_resident_memory_bytes')).toBe('gauge');

    // The follower: the same cluster from its own store (once it applied the leader's last writes), its own Raft.
    const follower = await eventually(
      'the follower to show both replicas running',
      async () => {
        const f = await scrape(metrics.m2);
        return sampleValue(f, 'swarm_service_running_replicas', { service: 'web' }) === 2 ? f : undefined;
      },
      10_000,
      200,
    );
    expect(sampleValue(follower, 'swarm_raft_is_leader', {})).toBe(0);
    expect(sampleValue(follower, 'swarm_raft_term', {})).toBe(sampleValue(leader, 'swarm_raft_term', {}));
    expect(sampleValue(follower, 'swarm_raft_applied_index', {})).toBeGreaterThan(0);
    expect(sampleValue(follower, 'swarm_dispatcher_sessions', {})).toBe(0);
    expect(sampleValue(follower, 'swarm_raft_leader_changes_total', {})).toBeGreaterThanOrEqual(1);
    // The worker: its own tasks and process, no cluster figures.
    const worker = await scrape(metrics.w1);
    expect(worker.types.has('swarm_raft_term')).toBe(false);
    expect(worker.types.has('swarm_nodes')).toBe(false);
    expect(worker.types.get('process_cpu_seconds_total')).toBe('counter');
    // Each node's own tasks add up to the service's running replicas.
    const onNode = (e: Exposition): number => sampleValue(e, 'swarm_node_tasks', { state: 'running' }) ?? 0;
    expect(onNode(leader) + onNode(follower) + onNode(worker)).toBe(2);
  });

  test('swarm start serves metrics again on the address join was given', async () => {
    await swarmOk(m2, ['stop']);
    await expect(fetch(`http://${metrics.m2}/metrics`)).rejects.toThrow();
    await swarmOk(m2, ['start']);
    const again = await eventually('the restarted manager to serve metrics', () => scrape(metrics.m2).catch(() => undefined), 30_000, 200);
    expect(again.types.get('swarm_raft_term')).toBe('gauge');
  });
});

// What a Prometheus server scraping --metrics-addr reads: the text format
// parsed line by line, each metric with its HELP and TYPE, and the cluster
// gauges equal to what `service ls` and `node ls` show for the same store.

import { request } from 'http';
import { createServer } from 'net';
import { MetricsServer } from '../../lib/daemon/metrics-server';
import { ManagerMetricsSource, NodeMetrics } from '../../lib/daemon/prometheus-metrics';
import { ReplicaCounter } from '../../lib/manager/service-ops';
import type { TaskState } from '../../lib/api/service-types';
import { Sim } from '../manager/orchestrator/harness';
import { parseExposition, sampleValue, Exposition } from '../helpers/prometheus-text';

const quiet = { warn: () => undefined };

function source(sim: Sim, raft = { term: 7, commit: 42, applied: 41, isLeader: true }, sessions = 3): ManagerMetricsSource {
  return { store: sim.store, raft: () => raft, dispatcherSessions: () => sessions };
}

/** Three nodes (one down, one drained), a replicated service with 3 replicas of which 2 run, and a global one. */
function cluster(): Sim {
  const sim = new Sim();
  sim.addNode('a');
  sim.addNode('b', { availability: 'drain' });
  sim.addNode('c', { state: 'down' });
  sim.createService('web'.padEnd(25, '0'), (s) => {
    s.replicas = 3;
  });
  sim.createService('agent'.padEnd(25, '0'), (s) => {
    s.mode = 'global';
  });
  sim.settle();
  sim.schedule();
  const web = sim.store.tasksByService('web'.padEnd(25, '0')).filter((t) => t.nodeId);
  expect(web.length).toBeGreaterThanOrEqual(2);
  sim.run(web[0].id);
  sim.run(web[1].id);
  return sim;
}

async function scrape(metrics: NodeMetrics): Promise<Exposition> {
  return parseExposition(await metrics.scrape());
}

test('the cluster gauges match service ls and node ls for the same store, with HELP and TYPE', async () => {
  const sim = cluster();
  const metrics = new NodeMetrics({ processMetrics: false });
  metrics.setManager(source(sim));
  const exp = await scrape(metrics);

  for (const name of ['swarm_nodes', 'swarm_tasks', 'swarm_service_desired_replicas', 'swarm_service_running_replicas', 'swarm_raft_term', 'swarm_dispatcher_sessions']) {
    expect(exp.types.get(name)).toBe('gauge');
    expect(exp.help.get(name)).toMatch(/\w/);
  }
  expect(exp.types.get('swarm_raft_leader_changes_total')).toBe('counter');
  expect(exp.types.get('swarm_raft_proposal_duration_seconds')).toBe('histogram');
  expect(exp.types.get('swarm_scheduler_pass_duration_seconds')).toBe('histogram');

  // service ls' own counting, service by service.
  const counter = new ReplicaCounter(sim.store.list('node'));
  for (const svc of sim.store.list('service')) {
    const c = counter.counts(svc, sim.store.tasksByService(svc.id));
    expect(sampleValue(exp, 'swarm_service_running_replicas', { service: svc.spec.name })).toBe(c.running);
    expect(sampleValue(exp, 'swarm_service_desired_replicas', { service: svc.spec.name })).toBe(c.desired);
  }
  expect(sampleValue(exp, 'swarm_service_running_replicas', { service: 'svcweb0000000000000000000000' })).toBe(2);
  expect(sampleValue(exp, 'swarm_service_desired_replicas', { service: 'svcweb0000000000000000000000' })).toBe(3);
  // Global: only node a is up and not drained.
  expect(sampleValue(exp, 'swarm_service_desired_replicas', { service: 'svcagent00000000000000000000' })).toBe(1);

  // Tasks wanted running, by state: the two running, the rest not yet.
  const web = exp.samples.filter((s) => s.name === 'swarm_tasks' && s.labels.service === 'svcweb0000000000000000000000');
  const byState = Object.fromEntries(web.map((s) => [s.labels.state, s.value]));
  expect(byState.running).toBe(2);
  expect(web.reduce((n, s) => n + s.value, 0)).toBe(3);
  // A service with nothing running still has its running series, at 0.
  expect(sampleValue(exp, 'swarm_tasks', { service: 'svcagent00000000000000000000', state: 'running' })).toBe(0);

  expect(sampleValue(exp, 'swarm_nodes', { state: 'ready', role: 'worker', availability: 'active' })).toBe(1);
  expect(sampleValue(exp, 'swarm_nodes', { state: 'ready', role: 'worker', availability: 'drain' })).toBe(1);
  expect(sampleValue(exp, 'swarm_nodes', { state: 'down', role: 'worker', availability: 'active' })).toBe(1);
  expect(exp.samples.filter((s) => s.name === 'swarm_nodes').reduce((n, s) => n + s.value, 0)).toBe(3);

  expect(sampleValue(exp, 'swarm_raft_term', {})).toBe(7);
  expect(sampleValue(exp, 'swarm_raft_commit_index', {})).toBe(42);
  expect(sampleValue(exp, 'swarm_raft_applied_index', {})).toBe(41);
  expect(sampleValue(exp, 'swarm_raft_is_leader', {})).toBe(1);
  expect(sampleValue(exp, 'swarm_dispatcher_sessions', {})).toBe(3);
});

test('a scrape reads the store as it is now, not as it was at the last scrape', async () => {
  const sim = cluster();
  const metrics = new NodeMetrics({ processMetrics: false });
  metrics.setManager(source(sim));
  expect(sampleValue(await scrape(metrics), 'swarm_service_running_replicas', { service: 'svcweb0000000000000000000000' })).toBe(2);
  const pending = sim.store.tasksByService('web'.padEnd(25, '0')).find((t) => t.nodeId && t.status.state !== 'running');
  if (!pending) throw new Error('the fixture should leave one web task not running');
  sim.run(pending.id);
  sim.removeNode('c');
  const exp = await scrape(metrics);
  expect(sampleValue(exp, 'swarm_service_running_replicas', { service: 'svcweb0000000000000000000000' })).toBe(3);
  expect(sampleValue(exp, 'swarm_nodes', { state: 'down', role: 'worker', availability: 'active' })).toBeUndefined();
});

test('a worker (no manager attached) serves its own tasks and no cluster figures', async () => {
  const metrics = new NodeMetrics({ processMetrics: false });
  const counts = new Map<TaskState, number>([
    ['running', 4],
    ['failed', 1],
  ]);
  metrics.setTasks({ stateCounts: () => counts });
  const exp = await scrape(metrics);
  expect(sampleValue(exp, 'swarm_node_tasks', { state: 'running' })).toBe(4);
  expect(sampleValue(exp, 'swarm_node_tasks', { state: 'failed' })).toBe(1);
  expect(exp.samples.some((s) => s.name === 'swarm_nodes' || s.name === 'swarm_raft_term' || s.name === 'swarm_service_running_replicas')).toBe(false);
});

test('proposals, leader changes and loop passes are recorded as the observer is told of them', async () => {
  const metrics = new NodeMetrics({ processMetrics: false });
  metrics.setManager(source(new Sim()));
  const o = metrics.observer;
  o.proposal?.(0.004, true);
  o.proposal?.(0.3, true);
  o.proposal?.(5.1, false);
  // Leader 1 is seen, lost, seen again (not a change), then 2 takes over.
  for (const lead of [1, 0, 1, 2, 0]) o.leaderChanged?.(lead);
  o.reconcilePass?.('scheduler', 0.02);
  o.reconcilePass?.('orchestrator', 1.5);
  o.reconcilePass?.('orchestrator', 0.001);
  o.reconcilePass?.('raft-membership', 1); // not a measured loop: ignored
  const exp = await scrape(metrics);
  expect(sampleValue(exp, 'swarm_raft_proposal_duration_seconds_count', { result: 'committed' })).toBe(2);
  expect(sampleValue(exp, 'swarm_raft_proposal_duration_seconds_bucket', { result: 'committed', le: '0.005' })).toBe(1);
  expect(sampleValue(exp, 'swarm_raft_proposal_duration_seconds_bucket', { result: 'committed', le: '+Inf' })).toBe(2);
  expect(sampleValue(exp, 'swarm_raft_proposal_duration_seconds_count', { result: 'failed' })).toBe(1);
  expect(sampleValue(exp, 'swarm_raft_leader_changes_total', {})).toBe(2);
  expect(sampleValue(exp, 'swarm_scheduler_pass_duration_seconds_count', {})).toBe(1);
  expect(sampleValue(exp, 'swarm_orchestrator_pass_duration_seconds_count', {})).toBe(2);
  expect(sampleValue(exp, 'swarm_orchestrator_pass_duration_seconds_sum', {})).toBeCloseTo(1.501);

  // Demoted: the manager's figures leave the exposition; promoted again, the counters go on from where they were.
  metrics.setManager(undefined);
  const asWorker = await scrape(metrics);
  expect(asWorker.types.has('swarm_raft_leader_changes_total')).toBe(false);
  expect(asWorker.types.has('swarm_raft_term')).toBe(false);
  expect(asWorker.types.get('swarm_node_tasks')).toBe('gauge');
  metrics.setManager(source(new Sim()));
  expect(sampleValue(await scrape(metrics), 'swarm_raft_leader_changes_total', {})).toBe(2);
});

test('two nodes in one process keep separate registries, each with the process metrics', async () => {
  const a = new NodeMetrics();
  const b = new NodeMetrics();
  a.setManager(source(new Sim()));
  b.setManager(source(new Sim()));
  a.observer.leaderChanged?.(1);
  const ea = await scrape(a);
  const eb = await scrape(b);
  expect(sampleValue(ea, 'swarm_raft_leader_changes_total', {})).toBe(1);
  expect(sampleValue(eb, 'swarm_raft_leader_changes_total', {})).toBe(0);
  expect(ea.types.get('process_cpu_user_seconds_total')).toBe('counter');
  expect(eb.types.get('nodejs_heap_size_used_bytes')).toBe('gauge');
});

function get(port: number, path: string, method = 'GET'): Promise<{ status: number; type?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the --metrics-addr listener', () => {
  let server: MetricsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  test('serves GET /metrics in the text format, and nothing else', async () => {
    const metrics = new NodeMetrics({ processMetrics: false });
    metrics.setManager(source(cluster()));
    server = await MetricsServer.listen('127.0.0.1:0', metrics, quiet);
    const { port } = server.address;
    const ok = await get(port, '/metrics');
    expect(ok.status).toBe(200);
    expect(ok.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sampleValue(parseExposition(ok.body), 'swarm_service_running_replicas', { service: 'svcweb0000000000000000000000' })).toBe(2);
    expect((await get(port, '/')).status).toBe(404);
    expect((await get(port, '/metrics/x')).status).toBe(404);
    expect((await get(port, '/metrics', 'POST')).status).toBe(405);
  });

  test('a port in use is refused with a sentence naming the address', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(MetricsServer.listen(`127.0.0.1:${port}`, new NodeMetrics({ processMetrics: false }), quiet)).rejects.toThrow(
        `cannot serve metrics on 127.0.0.1:${port}: the address is in use`,
      );
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});

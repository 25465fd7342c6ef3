// Task metrics over a real dispatcher session: the message is checked like
// every other, and a node's samples count only for the tasks the store puts
// on that node.

import { CLOSE, MAX_METRICS_SAMPLES, parseAgentMessage } from '../../lib/api/dispatcher-protocol';
import { defaultServiceSpec } from '../../lib/api/service-defaults';
import type { Task } from '../../lib/api/service-types';
import { METRICS_MAX_AGE_MS } from '../../lib/manager/metrics/metrics-view';
import { statsView } from '../../lib/manager/metrics/stats-view';
import type { Draft } from '../../lib/manager/store/transaction';
import { TestSwarm, until } from './harness';

const sample = (taskId: string, cpuPercent = 12.5) => ({ taskId, timestamp: 1_000, cpuPercent, memoryBytes: 1024, memoryLimitBytes: 4096, pids: 2 });

describe('the taskMetrics message', () => {
  const parse = (m: unknown) => parseAgentMessage(JSON.stringify(m));

  it('is accepted with its optional counters', () => {
    const r = parse({ v: 1, type: 'taskMetrics', samples: [sample('t1'), { ...sample('t2'), netRxBytes: 5, netTxBytes: 6, blockReadBytes: 7, blockWriteBytes: 8 }] });
    expect(r).toEqual({ ok: true, value: { v: 1, type: 'taskMetrics', samples: [sample('t1'), { ...sample('t2'), netRxBytes: 5, netTxBytes: 6, blockReadBytes: 7, blockWriteBytes: 8 }] } });
  });

  it.each([
    ['not an array', { samples: 'x' }, `samples must be an array of at most ${MAX_METRICS_SAMPLES}`],
    ['too many', { samples: Array.from({ length: MAX_METRICS_SAMPLES + 1 }, () => sample('t')) }, `samples must be an array of at most ${MAX_METRICS_SAMPLES}`],
    ['negative CPU', { samples: [{ ...sample('t1'), cpuPercent: -1 }] }, 'samples[0].cpuPercent must be a number from 0'],
    ['CPU as text', { samples: [{ ...sample('t1'), cpuPercent: 'high' }] }, 'samples[0].cpuPercent must be a number from 0'],
    ['a fraction of a byte', { samples: [{ ...sample('t1'), memoryBytes: 1.5 }] }, 'samples[0].memoryBytes must be a non-negative integer'],
    ['a node named in a sample', { samples: [{ ...sample('t1'), nodeId: 'other' }] }, 'samples[0]: unexpected field "nodeId"'],
    ['an empty task id', { samples: [sample('')] }, 'samples[0].taskId must not be empty'],
    ['an unknown field', { samples: [], extra: 1 }, 'taskMetrics: unexpected field "extra"'],
  ])('refuses %s with the reason', (_what, fields, reason) => {
    const r = parse({ v: 1, type: 'taskMetrics', ...fields });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });
});

let swarm: TestSwarm;
beforeAll(async () => {
  swarm = await TestSwarm.start(1, 150);
});
afterAll(() => swarm.close());

function task(id: string, nodeId: string, state: Task['status']['state'] = 'running'): Draft<Task> {
  return {
    id,
    serviceId: 'svc',
    serviceName: 'web',
    slot: Number(id.replace(/\D/g, '')) || 1,
    nodeId,
    spec: defaultServiceSpec('web', 'busybox').task,
    ports: [],
    specVersion: 1,
    desiredState: 'running',
    networks: [],
    status: { state, timestamp: '2026-01-01T00:00:00Z', message: state },
  };
}

describe('the dispatcher and task metrics', () => {
  it("records a node's samples for its own tasks only, stamped with the leader's clock", async () => {
    const leader = await swarm.leader();
    const m = leader.manager;
    const a = await swarm.worker('metrics-a');
    const b = await swarm.worker('metrics-b');
    await m.write([
      { op: 'create', kind: 'service', object: { id: 'svc', spec: defaultServiceSpec('web', 'busybox') } },
      { op: 'create', kind: 'task', object: task('ta1', a.nodeId) },
      { op: 'create', kind: 'task', object: task('tb1', b.nodeId) },
    ]);
    const client = await swarm.raw(leader.addr, a.credentials);
    client.register('metrics-a');
    await client.next('registered');
    const before = Date.now();
    // Its own task, another node's, and one the store does not know.
    client.send({ v: 1, type: 'taskMetrics', samples: [sample('ta1', 80), sample('tb1', 99), sample('nosuch', 1)] });
    await until(() => m.metrics.size > 0, 'the sample to be recorded');
    const got = m.metrics.latest(['ta1', 'tb1', 'nosuch'], Date.now(), METRICS_MAX_AGE_MS);
    expect([...got.keys()]).toEqual(['ta1']);
    expect(got.get('ta1')).toMatchObject({ cpuPercent: 80, memoryBytes: 1024, pids: 2 });
    // The agent said 1000 ms after the epoch; the leader's receipt time is what ages it.
    expect(got.get('ta1')?.timestamp).toBeGreaterThanOrEqual(before);

    // What `service stats` shows: every running task, the one without a sample too.
    const view = statsView(m.store, m.metrics, ['web'], Date.now());
    expect(view.tasks.map((t) => [t.name, t.node, t.sample?.cpuPercent])).toEqual([
      ['web.1', 'metrics-a', 80],
      ['web.1', 'metrics-b', undefined],
    ]);
    expect(() => statsView(m.store, m.metrics, ['nope'], Date.now())).toThrow('no such service: nope');
    // Nothing fresh once the samples are older than the limit.
    expect(statsView(m.store, m.metrics, [], Date.now() + METRICS_MAX_AGE_MS + 1).tasks.every((t) => t.sample === undefined)).toBe(true);
  });

  it('taskMetrics before register closes the session as a protocol error', async () => {
    const leader = await swarm.leader();
    const w = await swarm.worker('metrics-early');
    const client = await swarm.raw(leader.addr, w.credentials);
    client.send({ v: 1, type: 'taskMetrics', samples: [] });
    expect(await client.whenClosed()).toMatchObject({ code: CLOSE.protocolError });
  });
});

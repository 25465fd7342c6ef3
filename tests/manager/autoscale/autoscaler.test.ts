// The autoscaler loop over a real store: the orchestrator harness plays the
// orchestrator, scheduler and agents, a TaskMetricsStore holds the samples the
// agents would send, and the loop's passes run on the harness's fake clock.

import type { AutoscalePolicy, Service } from '../../../lib/api/service-types';
import { Autoscaler, AutoscalerHost } from '../../../lib/manager/autoscale/autoscaler';
import { ManagerError } from '../../../lib/manager/errors';
import { TaskMetricsStore } from '../../../lib/manager/metrics/metrics-view';
import { DeepReadonly } from '../../../lib/manager/store';
import { Action } from '../../../lib/manager/store/transaction';
import { eventually } from '../../../lib/util/eventually';
import { realTimers } from '../../../lib/util/timers';
import { Sim } from '../orchestrator/harness';

const POLICY: AutoscalePolicy = { min: 1, max: 5, cpuPercent: 50, downDelayMs: 60_000, upDelayMs: 0 };

function setup(policy: AutoscalePolicy = POLICY, replicas = 1) {
  const sim = new Sim();
  sim.addNode('n1');
  sim.addNode('n2');
  sim.createService('web', (s) => {
    s.replicas = replicas;
    s.autoscale = policy;
  });
  sim.createService('plain', (s) => (s.replicas = 2));
  sim.converge();
  const metrics = new TaskMetricsStore();
  const writes: Action[][] = [];
  const host: AutoscalerHost = {
    store: sim.store,
    write: async (actions) => {
      writes.push(actions);
      sim.apply(actions);
      return [];
    },
    syncRead: async () => undefined,
    clock: () => sim.now,
    timers: realTimers,
  };
  const logs: string[] = [];
  const log = { info: (m: string) => logs.push(m), warn: (m: string) => logs.push(`WARN ${m}`) };
  const scaler = new Autoscaler(host, metrics, log);
  /** Every running task of `serviceId` reports `cpu` percent now. */
  const load = (serviceId: string, cpu: number) =>
    metrics.record(
      'n1',
      sim.running(serviceId).map((t) => ({ taskId: t.id, timestamp: sim.now, cpuPercent: cpu, memoryBytes: 1 << 20, memoryLimitBytes: 1 << 30 })),
    );
  const service = (id: string) => sim.store.get('service', id) as DeepReadonly<Service>;
  return { sim, metrics, host, scaler, load, service, writes, logs };
}

test('a busy service grows, then shrinks back once the down delay has passed; previousSpec is left alone', async () => {
  const { sim, scaler, load, service, logs } = setup();
  const before = service('web');
  expect(before.previousSpec).toBeUndefined();

  load('web', 150);
  load('plain', 900);
  const first = await scaler.pass(sim.now);
  expect(first).toEqual([expect.objectContaining({ service: 'svcweb', decision: expect.objectContaining({ from: 1, to: 3, metric: 'cpu', value: 150, target: 50 }) })]);
  const grown = service('web');
  expect(grown.spec.replicas).toBe(3);
  expect(grown.previousSpec).toBeUndefined();
  expect(grown.autoscaleStatus?.last).toMatchObject({ at: new Date(sim.now).toISOString(), from: 1, to: 3, reason: expect.stringMatching(/cpu 150% of target 50% on 1 task: 3 wanted/) });
  // Only the autoscaled service changed.
  expect(service('plain').spec.replicas).toBe(2);
  expect(logs).toContainEqual(expect.stringMatching(/service svcweb scaled from 1 to 3/));

  sim.converge();
  expect(sim.running('web')).toHaveLength(3);

  // Quiet now: held for the 60 s window after the busy recommendation, then down to 1.
  for (let t = 15_000; t < 60_000; t += 15_000) {
    sim.advance(15_000);
    load('web', 5);
    expect(await scaler.pass(sim.now)).toEqual([]);
  }
  sim.advance(15_000);
  load('web', 5);
  expect(await scaler.pass(sim.now)).toEqual([expect.objectContaining({ decision: expect.objectContaining({ from: 3, to: 1 }) })]);
  sim.converge();
  expect(sim.running('web')).toHaveLength(1);
  expect(service('web').previousSpec).toBeUndefined();
});

test('samples older than the metrics store keeps are not used, and the loop says why once', async () => {
  const { sim, scaler, load, service, logs } = setup();
  load('web', 400);
  sim.advance(20_000);
  expect(await scaler.pass(sim.now)).toEqual([]);
  sim.advance(15_000);
  expect(await scaler.pass(sim.now)).toEqual([]);
  expect(service('web').spec.replicas).toBe(1);
  expect(logs.filter((l) => /stays at 1: cpu: no cpu figures yet from its 1 task/.test(l))).toHaveLength(1);
});

test('a user change between the read and the write wins; the next period decides again', async () => {
  const { sim, host, metrics, load, service } = setup();
  load('web', 200);
  let raced = false;
  const racing: AutoscalerHost = {
    ...host,
    write: async (actions) => {
      if (!raced) {
        raced = true;
        sim.updateService('web', (s) => (s.replicas = 2));
        throw new ManagerError('Conflict', 'version conflict (someone changed it meanwhile; retry)');
      }
      return host.write(actions);
    },
  };
  const scaler = new Autoscaler(racing, metrics, { info: () => undefined, warn: () => undefined });
  expect(await scaler.pass(sim.now)).toEqual([]);
  expect(service('web').spec.replicas).toBe(2);
  sim.advance(15_000);
  // The conflict was not counted as a scale-up: the full max(2x, +4) is available again.
  expect(await scaler.pass(sim.now)).toEqual([expect.objectContaining({ decision: expect.objectContaining({ from: 2, to: 4 }) })]);
});

test('a new leader starts without history and does not shrink before a full window of its own', async () => {
  const { sim, metrics, host, service } = setup(POLICY, 4);
  const quiet = () =>
    metrics.record(
      'n1',
      sim.running('web').map((t) => ({ taskId: t.id, timestamp: sim.now, cpuPercent: 1, memoryBytes: 0, memoryLimitBytes: 1 })),
    );
  const next = new Autoscaler(host, metrics, { info: () => undefined, warn: () => undefined });
  for (let t = 0; t < 60_000; t += 15_000) {
    quiet();
    expect(await next.pass(sim.now)).toEqual([]);
    sim.advance(15_000);
  }
  quiet();
  expect(await next.pass(sim.now)).toHaveLength(1);
  expect(service('web').spec.replicas).toBe(1);
});

test('services without a policy, global ones and removed ones are left alone', async () => {
  const { sim, scaler, load, service, writes } = setup();
  sim.removeService('web');
  // The API refuses a policy on a global service; the loop ignores one all the same.
  sim.createService('everywhere', (s) => {
    s.mode = 'global';
    s.autoscale = POLICY;
  });
  sim.converge();
  load('plain', 900);
  load('everywhere', 900);
  expect(await scaler.pass(sim.now)).toEqual([]);
  expect(writes).toEqual([]);
  expect(service('plain').spec.replicas).toBe(2);
});

test('as a leader loop: decides every period once started, and not after it stops', async () => {
  const { host, metrics, load, sim, service } = setup();
  load('web', 150);
  const scaler = new Autoscaler(host, metrics, { info: () => undefined, warn: () => undefined }, { periodMs: 20 });
  scaler.start();
  await eventually('the autoscaler to scale web', async () => (service('web').spec.replicas === 3 ? true : undefined), 5_000, 10);
  await scaler.stop();
  sim.updateService('web', (s) => (s.replicas = 1));
  const version = service('web').meta.version;
  // Several periods with the same load: a running loop would scale again.
  await new Promise((r) => setTimeout(r, 100));
  expect(service('web').meta.version).toBe(version);
});

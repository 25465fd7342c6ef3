// What the manager does with autoscale policies outside the loop: refuses
// unusable ones whatever the client, keeps the last decision across updates,
// and lets a stack redeploy keep the replicas the autoscaler reached.

import { defaultServiceSpec } from '../../../lib/api/service-defaults';
import type { AutoscalePolicy, Service, ServiceSpec } from '../../../lib/api/service-types';
import { updatedService, validateServiceSpec } from '../../../lib/manager/service-ops';
import { rolledBackService } from '../../../lib/manager/orchestrator/update-status';
import { withAutoscaledReplicas } from '../../../lib/manager/stack-ops';

const POLICY: AutoscalePolicy = { min: 1, max: 4, cpuPercent: 60, downDelayMs: 300_000, upDelayMs: 0 };
const META = { version: 3, createdAt: '2026-03-01T12:00:00Z', updatedAt: '2026-03-01T12:00:00Z' };

function spec(edit: (s: ServiceSpec) => void = () => undefined): ServiceSpec {
  const s = defaultServiceSpec('web', 'nginx:1');
  s.autoscale = { ...POLICY };
  edit(s);
  return s;
}

test.each<[string, (s: ServiceSpec) => void, RegExp]>([
  ['global', (s) => ((s.mode = 'global'), (s.replicas = 0)), /autoscaling needs a replicated service/],
  ['min 0', (s) => (s.autoscale!.min = 0), /autoscale min 0 must be an integer of at least 1/],
  ['max below min', (s) => ((s.autoscale!.min = 3), (s.replicas = 3), (s.autoscale!.max = 2)), /autoscale max 2 must be an integer of at least min \(3\)/],
  ['no target', (s) => delete s.autoscale!.cpuPercent, /needs a target/],
  ['zero target', (s) => (s.autoscale!.cpuPercent = 0), /cpu target 0 must be a percent greater than 0/],
  ['memory without reservation or limit', (s) => (s.autoscale!.memoryPercent = 80), /memory reservation or limit: set one/],
  ['replicas outside', (s) => (s.replicas = 7), /replicas 7 is outside the autoscale bounds 1 to 4/],
])('the manager refuses a policy: %s', (_what, edit, message) => {
  expect(() => validateServiceSpec(spec(edit))).toThrow(message);
});

test('a usable policy passes, memory with a limit only included', () => {
  expect(() => validateServiceSpec(spec())).not.toThrow();
  expect(() => validateServiceSpec(spec((s) => ((s.autoscale!.memoryPercent = 80), (s.task.resources.limits.memoryBytes = 1 << 26))))).not.toThrow();
});

function stored(s: ServiceSpec, replicas: number): Service {
  return {
    id: 'svc1',
    meta: META,
    spec: { ...s, replicas },
    autoscaleStatus: { last: { at: META.updatedAt, from: 1, to: replicas, metric: 'cpu', value: 120, target: 60, reason: 'busy' } },
  };
}

test('an update keeps the last decision while the service autoscales, and drops it with the policy', () => {
  const current = stored(spec(), 3);
  const now = Date.parse(META.updatedAt) + 1000;
  expect(updatedService(current, spec((s) => (s.replicas = 3)), now).autoscaleStatus).toEqual(current.autoscaleStatus);
  expect(updatedService(current, spec((s) => delete s.autoscale), now).autoscaleStatus).toBeUndefined();
});

test('a rollback keeps the replicas the autoscaler reached, within the restored bounds; without a policy it restores the count', () => {
  const now = Date.parse(META.updatedAt) + 1000;
  const previous = spec((s) => ((s.replicas = 1), (s.task.container.image = 'nginx:0')));
  const current: Service = { ...stored(spec(), 4), previousSpec: previous };
  const back = rolledBackService(current, 'manually requested rollback', now);
  expect(back.spec.task.container.image).toBe('nginx:0');
  expect(back.spec.replicas).toBe(4);
  expect(back.autoscaleStatus).toEqual(current.autoscaleStatus);
  const narrower: Service = { ...current, previousSpec: spec((s) => ((s.replicas = 1), (s.autoscale!.max = 2))) };
  expect(rolledBackService(narrower, 'x', now).spec.replicas).toBe(2);
  const unscaled: Service = { ...current, previousSpec: spec((s) => ((s.replicas = 1), delete s.autoscale)) };
  expect(rolledBackService(unscaled, 'x', now).spec.replicas).toBe(1);
  expect(rolledBackService(unscaled, 'x', now).autoscaleStatus).toBeUndefined();
});

test('a stack redeploy keeps the replicas the autoscaler set, within the file\'s bounds (docker/cli#2235)', () => {
  const fromFile = spec((s) => (s.replicas = 1));
  expect(withAutoscaledReplicas(stored(spec(), 3), fromFile).replicas).toBe(3);
  // The file lowered max to 2: the bound wins.
  expect(withAutoscaledReplicas(stored(spec(), 3), spec((s) => ((s.autoscale!.max = 2), (s.replicas = 1)))).replicas).toBe(2);
  // Without a policy in the file, or before the service autoscaled, the file's count is the count.
  expect(withAutoscaledReplicas(stored(spec(), 3), spec((s) => ((s.replicas = 1), delete s.autoscale))).replicas).toBe(1);
  expect(withAutoscaledReplicas(stored(spec((s) => delete s.autoscale), 3), fromFile).replicas).toBe(1);
});

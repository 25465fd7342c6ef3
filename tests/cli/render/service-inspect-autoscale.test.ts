import type { Service } from '../../../lib/api/service-types';
import { renderServiceInspect } from '../../../lib/cli/render/service-inspect';
import { buildServiceSpec } from '../../../lib/cli/service-flags';

// `service inspect` of an autoscaled service: the policy under Spec, the last
// decision at the top level, both in --pretty under the replicas.

const ctx = { env: {}, cwd: '/', readFile: () => '' };
const META = { version: 40, createdAt: '2026-03-01T12:00:00Z', updatedAt: '2026-03-01T12:05:00Z' };

const scaled: Service = {
  id: 'auto0000000000000000000a1',
  meta: META,
  spec: {
    ...buildServiceSpec({ name: 'api', autoscaleMin: '2', autoscaleMax: '6', autoscaleCpu: '50', autoscaleMemory: '80', limitMemory: '256M', autoscaleDownDelay: '2m' }, 'busybox', [], ctx),
    replicas: 4,
  },
  autoscaleStatus: {
    last: { at: '2026-03-01T12:04:30.000Z', from: 2, to: 4, metric: 'cpu', value: 97.5, target: 50, reason: 'cpu 97.5% of target 50% on 2 tasks: 4 wanted' },
  },
};

test('JSON: Spec.Autoscale and a top-level AutoscaleStatus', () => {
  const [json] = JSON.parse(renderServiceInspect([scaled])) as Record<string, unknown>[];
  expect((json.Spec as Record<string, unknown>).Autoscale).toEqual({
    MinReplicas: 2,
    MaxReplicas: 6,
    TargetCPUPercent: 50,
    TargetMemoryPercent: 80,
    ScaleDownDelay: 120e9,
    ScaleUpDelay: 0,
  });
  expect((json.Spec as { Mode: unknown }).Mode).toEqual({ Replicated: { Replicas: 4 } });
  expect(json.AutoscaleStatus).toEqual({
    Timestamp: '2026-03-01T12:04:30.000Z',
    PreviousReplicas: 2,
    Replicas: 4,
    Metric: 'cpu',
    Value: 97.5,
    Target: 50,
    Message: 'cpu 97.5% of target 50% on 2 tasks: 4 wanted',
  });
  expect(Object.keys(json)).toEqual(['ID', 'Version', 'CreatedAt', 'UpdatedAt', 'Spec', 'Endpoint', 'AutoscaleStatus']);
});

test('JSON of a service without a policy has neither key', () => {
  const plain: Service = { id: 'plain000000000000000000a1', meta: META, spec: buildServiceSpec({ name: 'p' }, 'busybox', [], ctx) };
  const [json] = JSON.parse(renderServiceInspect([plain])) as Record<string, unknown>[];
  expect(json.AutoscaleStatus).toBeUndefined();
  expect((json.Spec as Record<string, unknown>).Autoscale).toBeUndefined();
});

test('--pretty: the policy and the last decision under the replicas', () => {
  const text = renderServiceInspect([scaled], { pretty: true });
  expect(text).toContain(
    [
      'Service Mode:\tReplicated',
      ' Replicas:\t4',
      'Autoscale:',
      ' Replicas:\t2 to 6',
      ' Target CPU:\t50%',
      ' Target Memory:\t80%',
      ' Down Delay:\t2m0s',
      ' Up Delay:\t0s',
      ' Last Decision:',
      '  Replicas:\t2 -> 4',
      '  At:\t\t2026-03-01T12:04:30.000Z',
      '  Metric:\tcpu 97.5% (target 50%)',
      '  Message:\tcpu 97.5% of target 50% on 2 tasks: 4 wanted',
      'Placement:',
    ].join('\n'),
  );
});

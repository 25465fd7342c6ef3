// Docker's defaults for a service spec, in one place: the CLI, the compose
// loader and the tests all start from these and change what they were told.

import { DEFAULT_RESTART_POLICY, DEFAULT_STOP_GRACE_MS, ServiceSpec, TaskSpec } from './service-types';

export function defaultTaskSpec(image: string): TaskSpec {
  return {
    container: { image, env: [], labels: {}, mounts: [], stopGracePeriodMs: DEFAULT_STOP_GRACE_MS },
    resources: { limits: { nanoCPUs: 0, memoryBytes: 0 }, reservations: { nanoCPUs: 0, memoryBytes: 0 } },
    restartPolicy: { ...DEFAULT_RESTART_POLICY },
    placement: { constraints: [], preferences: [], maxReplicas: 0 },
    forceUpdate: 0,
  };
}

export function defaultServiceSpec(name: string, image: string): ServiceSpec {
  return {
    name,
    labels: {},
    task: defaultTaskSpec(image),
    mode: 'replicated',
    replicas: 1,
    endpoint: { mode: 'vip', ports: [] },
  };
}

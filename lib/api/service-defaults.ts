// Docker's defaults for a service spec, in one place: the CLI, the compose
// loader and the tests all start from these and change what they were told.

import { DEFAULT_RESTART_POLICY, DEFAULT_STOP_GRACE_MS, ServiceSpec, TaskSpec, UpdateConfig } from './service-types';

/** swarmkit's defaults.Service.Update: one task at a time, pause on failure, watch each for 5 s. */
export const DEFAULT_UPDATE_CONFIG: Readonly<UpdateConfig> = Object.freeze({
  parallelism: 1,
  delayMs: 0,
  failureAction: 'pause',
  monitorMs: 5_000,
  maxFailureRatio: 0,
  order: 'stop-first',
});

/** swarmkit's defaults.Service.Rollback, the same values. */
export const DEFAULT_ROLLBACK_CONFIG: Readonly<UpdateConfig> = Object.freeze({ ...DEFAULT_UPDATE_CONFIG });

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

/** --autoscale-down-delay: Kubernetes' default scale-down stabilization window. */
export const DEFAULT_AUTOSCALE_DOWN_DELAY_MS = 5 * 60_000;
/** --autoscale-up-delay: scale up at once, as Kubernetes. */
export const DEFAULT_AUTOSCALE_UP_DELAY_MS = 0;

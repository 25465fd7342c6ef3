// Schemas of services and tasks, mirroring lib/api/service-types.ts (the
// schema test validates a full sample of each, so the two cannot drift).

import { TASK_STATES, UPDATE_STATES } from '../../api/service-types';
import { addrWithPrefix, arrayOf, bool, Check, cidr, int, nonEmptyStr, nonNegInt, nonNegNumber, obj, oneOf, optional, port, posInt, record, str } from './schema';

const labels = record(str);
const strings = arrayOf(str);
export const taskState = oneOf(...TASK_STATES);

const resources = obj({ nanoCPUs: nonNegInt, memoryBytes: nonNegInt });

const portConfig = obj({
  protocol: oneOf('tcp', 'udp'),
  targetPort: posInt,
  publishedPort: port,
  publishMode: oneOf('host', 'ingress'),
});

const fileMode: Check = (v, p) => (Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= 0o7777 ? undefined : `${p} must be a file mode from 0 to 0o7777`);
const fileTarget = obj({ name: nonEmptyStr, uid: str, gid: str, mode: fileMode });

const containerSpec = obj({
  image: nonEmptyStr,
  command: optional(strings),
  args: optional(strings),
  env: strings,
  labels,
  dir: optional(str),
  user: optional(str),
  hostname: optional(str),
  mounts: arrayOf(obj({ type: oneOf('bind', 'volume'), source: str, target: nonEmptyStr, readOnly: bool, labels: optional(labels) })),
  stopGracePeriodMs: nonNegInt,
  healthcheck: optional(
    obj({
      test: strings,
      intervalMs: optional(nonNegInt),
      timeoutMs: optional(nonNegInt),
      retries: optional(nonNegInt),
      startPeriodMs: optional(nonNegInt),
    }),
  ),
  secrets: optional(arrayOf(obj({ secretId: nonEmptyStr, secretName: nonEmptyStr, file: fileTarget }))),
  configs: optional(arrayOf(obj({ configId: nonEmptyStr, configName: nonEmptyStr, file: fileTarget }))),
});

export const taskSpec: Check = obj({
  container: containerSpec,
  resources: obj({ limits: resources, reservations: resources }),
  restartPolicy: obj({
    condition: oneOf('none', 'on-failure', 'any'),
    delayMs: nonNegInt,
    maxAttempts: nonNegInt,
    windowMs: nonNegInt,
  }),
  placement: obj({ constraints: strings, preferences: arrayOf(obj({ spread: nonEmptyStr })), maxReplicas: nonNegInt }),
  forceUpdate: nonNegInt,
  networks: optional(arrayOf(obj({ target: nonEmptyStr, aliases: strings }))),
});

const servedPorts = arrayOf(obj({ protocol: oneOf('tcp', 'udp'), port: posInt }));

const updateConfig = obj({
  parallelism: nonNegInt,
  delayMs: nonNegInt,
  failureAction: oneOf('pause', 'continue', 'rollback'),
  monitorMs: nonNegInt,
  maxFailureRatio: nonNegNumber,
  order: oneOf('stop-first', 'start-first'),
});

const serviceSpec = obj({
  name: nonEmptyStr,
  labels,
  task: taskSpec,
  mode: oneOf('replicated', 'global'),
  replicas: nonNegInt,
  endpoint: obj({ mode: oneOf('vip', 'dnsrr'), ports: arrayOf(portConfig) }),
  update: optional(updateConfig),
  rollback: optional(updateConfig),
  autoscale: optional(
    obj({
      min: nonNegInt,
      max: nonNegInt,
      cpuPercent: optional(nonNegNumber),
      memoryPercent: optional(nonNegNumber),
      downDelayMs: nonNegInt,
      upDelayMs: nonNegInt,
    }),
  ),
});

const updateStatus = obj({
  state: oneOf(...UPDATE_STATES),
  startedAt: str,
  completedAt: optional(str),
  message: str,
  sinceVersion: optional(posInt),
});

const autoscaleDecision = obj({
  at: str,
  from: nonNegInt,
  to: nonNegInt,
  metric: oneOf('cpu', 'memory'),
  value: nonNegNumber,
  target: nonNegNumber,
  reason: str,
});

export function serviceSchema(objectId: Check, anyMeta: Check): Check {
  return obj({
    id: objectId,
    meta: optional(anyMeta),
    spec: serviceSpec,
    previousSpec: optional(serviceSpec),
    endpoint: optional(obj({ virtualIPs: arrayOf(obj({ networkId: objectId, addr: addrWithPrefix })), ports: arrayOf(portConfig) })),
    updateStatus: optional(updateStatus),
    autoscaleStatus: optional(obj({ last: autoscaleDecision })),
  });
}

export function networkSchema(objectId: Check, anyMeta: Check): Check {
  return obj({
    id: objectId,
    meta: optional(anyMeta),
    spec: obj({
      name: nonEmptyStr,
      labels,
      driver: oneOf('overlay'),
      attachable: bool,
      internal: bool,
      ingress: bool,
      subnet: optional(cidr),
    }),
    subnet: cidr,
  });
}

/** A task's status as stored and as the narrow task actions carry it. */
export const taskStatus: Check = obj({
  state: taskState,
  timestamp: str,
  message: str,
  startedAt: optional(str),
  err: optional(str),
  containerId: optional(str),
  pid: optional(nonNegInt),
  exitCode: optional(int),
  ports: optional(arrayOf(portConfig)),
  addr: optional(str),
  served: optional(servedPorts),
});

export function networkAttachments(objectId: Check): Check {
  return arrayOf(obj({ networkId: objectId, addresses: arrayOf(addrWithPrefix) }));
}

export function taskSchema(objectId: Check, anyMeta: Check): Check {
  return obj({
    id: objectId,
    meta: optional(anyMeta),
    serviceId: objectId,
    serviceName: nonEmptyStr,
    slot: optional(posInt),
    nodeId: optional(objectId),
    spec: taskSpec,
    ports: arrayOf(portConfig),
    specVersion: nonNegInt,
    desiredState: taskState,
    status: taskStatus,
    notBefore: optional(str),
    restarts: optional(strings),
    networks: optional(networkAttachments(objectId)),
  });
}

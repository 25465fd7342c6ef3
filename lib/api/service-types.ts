import type { NetworkAttachment, NetworkAttachmentConfig, ServedPort, ServiceEndpoint } from './network-types';
import type { ConfigReference, SecretReference } from './secret-types';
import type { Meta } from './types';

// Services and tasks in swarmkit's shape (lib/api/types.ts holds nodes and the
// cluster). Durations are milliseconds, CPUs nano-CPUs and memory bytes, so a
// spec compares and stores the same way whatever the user typed.

/**
 * Task states in the order a task moves through them; a task's observed state
 * only ever moves forward in this list (swarmkit's TaskState ordering).
 */
export const TASK_STATES = [
  'new',
  'pending',
  'assigned',
  'accepted',
  'preparing',
  'ready',
  'starting',
  'running',
  'complete',
  'shutdown',
  'failed',
  'rejected',
  'remove',
  'orphaned',
] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** Position of a state in TASK_STATES: comparisons like "at least running" read as numbers. */
export function taskStateRank(s: TaskState): number {
  return TASK_STATES.indexOf(s);
}

/** States after which the task's container is gone or never comes back. */
export function isTerminal(s: TaskState): boolean {
  return taskStateRank(s) > taskStateRank('running');
}

export type RestartCondition = 'none' | 'on-failure' | 'any';

export interface RestartPolicy {
  condition: RestartCondition;
  delayMs: number;
  /** 0 means unlimited. */
  maxAttempts: number;
  /** Window in which attempts are counted; 0 means since the service was created. */
  windowMs: number;
}

export interface Mount {
  type: 'bind' | 'volume';
  /** Host path for bind, volume name for volume (empty: an anonymous volume). */
  source: string;
  target: string;
  readOnly: boolean;
  /** Labels for a named volume the engine creates for this mount (a stack's namespace, say). */
  labels?: Record<string, string>;
}

export interface HealthCheck {
  /** Docker's form: ["NONE"] disables the image's check, ["CMD", ...] or ["CMD-SHELL", "cmd"]. */
  test: string[];
  intervalMs?: number;
  timeoutMs?: number;
  retries?: number;
  startPeriodMs?: number;
}

export interface ContainerSpec {
  image: string;
  /** Replaces the image's entrypoint (docker's --entrypoint). */
  command?: string[];
  /** Replaces the image's cmd (the words after IMAGE on `service create`). */
  args?: string[];
  /** KEY=VALUE, in order; a later entry of the same key wins. */
  env: string[];
  /** Labels put on the container (--container-label). */
  labels: Record<string, string>;
  dir?: string;
  user?: string;
  hostname?: string;
  mounts: Mount[];
  /** SIGTERM, then SIGKILL after this long (docker's default 10 s). */
  stopGracePeriodMs: number;
  healthcheck?: HealthCheck;
  /** Secrets the container reads as files (absent or empty: none). */
  secrets?: SecretReference[];
  /** Configs the container reads as files (absent or empty: none). */
  configs?: ConfigReference[];
}

export interface Resources {
  nanoCPUs: number;
  memoryBytes: number;
}

export interface Placement {
  /** Expressions such as "node.labels.zone==east"; all must hold. */
  constraints: string[];
  /** Applied level by level: the first splits replicas evenly over its values, the next within each of those. */
  preferences: { spread: string }[];
  /** 0 means unlimited. */
  maxReplicas: number;
}

export interface PortConfig {
  protocol: 'tcp' | 'udp';
  targetPort: number;
  /** 0: the engine picks one. */
  publishedPort: number;
  publishMode: 'host' | 'ingress';
}

export interface TaskSpec {
  container: ContainerSpec;
  resources: { limits: Resources; reservations: Resources };
  restartPolicy: RestartPolicy;
  placement: Placement;
  /** Bumped by `service update --force` so unchanged specs still redeploy. */
  forceUpdate: number;
  /** Networks the tasks join (docker's TaskTemplate.Networks); absent or empty: none. */
  networks?: NetworkAttachmentConfig[];
}

export interface UpdateConfig {
  parallelism: number;
  delayMs: number;
  failureAction: 'pause' | 'continue' | 'rollback';
  monitorMs: number;
  maxFailureRatio: number;
  order: 'stop-first' | 'start-first';
}

export type ServiceMode = 'replicated' | 'global';

export interface ServiceSpec {
  name: string;
  /** Service labels (--label); container labels live in the container spec. */
  labels: Record<string, string>;
  task: TaskSpec;
  mode: ServiceMode;
  /** Replicated services only; global services ignore it. */
  replicas: number;
  endpoint: { mode: 'vip' | 'dnsrr'; ports: PortConfig[] };
  update?: UpdateConfig;
  rollback?: UpdateConfig;
  /** Replicated services only: the leader sets `replicas` within these bounds by load. */
  autoscale?: AutoscalePolicy;
}

/**
 * Scaling by load, on the rules of Kubernetes' horizontal pod autoscaler.
 * At least one target is set.
 */
export interface AutoscalePolicy {
  min: number;
  max: number;
  /** Target CPU use per task: percent of its CPU reservation when it has one, else of one core. */
  cpuPercent?: number;
  /** Target memory per task: percent of its memory reservation, else of its limit. */
  memoryPercent?: number;
  /** Scale-down stabilization window: the highest recommendation within it wins (default 5 min). */
  downDelayMs: number;
  /** Scale-up stabilization window: the lowest recommendation within it wins (default 0). */
  upDelayMs: number;
}

/** docker's UpdateStatus.State. */
export const UPDATE_STATES = ['updating', 'paused', 'completed', 'rollback_started', 'rollback_paused', 'rollback_completed'] as const;
export type UpdateState = (typeof UPDATE_STATES)[number];

/** Where the last update (or rollback) of the task spec stands; written by the leader's updater. */
export interface UpdateStatus {
  state: UpdateState;
  /** ISO 8601. */
  startedAt: string;
  completedAt?: string;
  message: string;
  /**
   * Tasks whose specVersion is at least this were made by this update (the
   * service's version before the write that started it, plus one: versions
   * are Raft indexes, so this needs no clock). Not one of docker's keys.
   */
  sinceVersion?: number;
}

/** One decision of the autoscaler, as `service inspect` shows it. */
export interface AutoscaleDecision {
  /** ISO 8601. */
  at: string;
  /** Replicas before and after. */
  from: number;
  to: number;
  /** The metric that decided (the largest recommendation), with its average over the tasks and its target, in percent. */
  metric: 'cpu' | 'memory';
  value: number;
  target: number;
  /** Why, in a sentence ("cpu 92% of target 50% on 2 tasks: 4 wanted, at most 4 per 15 s"). */
  reason: string;
}

export interface TaskStatus {
  state: TaskState;
  /** When the state last changed (ISO 8601, from the reporter's clock). */
  timestamp: string;
  /** What is happening, in a few words ("started", "scheduled", "no suitable node (...)"). */
  message: string;
  /**
   * When the task first ran (the agent's clock), kept in the states after:
   * how the updater tells a task that failed within its monitor period.
   */
  startedAt?: string;
  err?: string;
  containerId?: string;
  pid?: number;
  exitCode?: number;
  /** Host-mode ports as actually published. */
  ports?: PortConfig[];
  /** The container's address on its engine's bridge: how its node recognizes it as a peer. */
  addr?: string;
  /** Ports the task serves: its image's EXPOSE and the sockets it listens on (what VIPs forward). */
  served?: ServedPort[];
}

export interface Task {
  id: string;
  meta: Meta;
  serviceId: string;
  /** The service's name when the task was created: containers are named `name.slot.id`. */
  serviceName: string;
  /** Replicated services: the replica number, kept by replacements. */
  slot?: number;
  /** Set by the scheduler; global tasks are created with it. */
  nodeId?: string;
  /** A copy of the service's task spec when this task was created. */
  spec: TaskSpec;
  /** Published ports the task needs (copied from the service's endpoint). */
  ports: PortConfig[];
  /** The service's spec version this task was made from (its meta.version then). */
  specVersion: number;
  desiredState: TaskState;
  status: TaskStatus;
  /** A restart waits until then before it may start (restart delay). */
  notBefore?: string;
  /** When this slot was restarted by its restart policy, within the policy's window: counts attempts. */
  restarts?: string[];
  /** Its addresses on the networks of spec.networks, allocated when it was scheduled. */
  networks?: NetworkAttachment[];
}

export interface Service {
  id: string;
  meta: Meta;
  spec: ServiceSpec;
  /** The spec before the last update (for rollback, and to show what changed). */
  previousSpec?: ServiceSpec;
  /** Virtual IPs and published ports as the leader allocated them (absent until it did). */
  endpoint?: ServiceEndpoint;
  /** The last update or rollback of the task spec (absent until the first). */
  updateStatus?: UpdateStatus;
  /** The autoscaler's last decision that changed replicas. */
  autoscaleStatus?: { last: AutoscaleDecision };
}

export function taskName(t: { serviceName: string; slot?: number; nodeId?: string; id: string }): string {
  return `${t.serviceName}.${t.slot !== undefined ? t.slot : t.nodeId ?? ''}.${t.id}`;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { condition: 'any', delayMs: 5_000, maxAttempts: 0, windowMs: 0 };
export const DEFAULT_STOP_GRACE_MS = 10_000;

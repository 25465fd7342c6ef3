// `swarm service inspect`: docker's JSON shape for a service (moby's
// api/types/swarm.Service), or its --pretty text.

import type { NetworkAttachmentConfig } from '../../api/network-types';
import type { AutoscaleDecision, AutoscalePolicy, HealthCheck, Mount, PortConfig, Service, ServiceSpec, UpdateConfig, UpdateStatus } from '../../api/service-types';
import type { DeepReadonly } from '../../util/deep-readonly';
import { formatDuration } from '../../util/go-duration';
import { DEFAULT_ROLLBACK_CONFIG, DEFAULT_UPDATE_CONFIG } from '../../api/service-defaults';
import { goIndentedJson, sortedMap } from './go-json';
import { bytesSize, humanDuration } from './units';

type StoredService = DeepReadonly<Service>;
type StoredSpec = DeepReadonly<ServiceSpec>;

export interface ServiceInspectOptions {
  pretty?: boolean;
  /** Network ids (the stored attachment targets) to names, for --pretty's "Networks:" line, as docker resolves them. */
  networkNames?: Readonly<Record<string, string>>;
  /** The time --pretty's "Started: 5 minutes ago" counts from (default: now). */
  now?: number;
}

/** Go's time.Duration in JSON: integer nanoseconds. */
const nanos = (ms: number): number => Math.round(ms * 1e6);

/** Go's omitempty: zero values left out (empty maps and arrays too). */
function omitEmpty<T extends object>(obj: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(obj) as [keyof T, T[keyof T]][]) {
    const empty =
      v === undefined ||
      v === '' ||
      v === 0 ||
      v === false ||
      (Array.isArray(v) && v.length === 0) ||
      (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0);
    if (!empty) out[k] = v;
  }
  return out;
}

const portJson = (p: DeepReadonly<PortConfig>) =>
  omitEmpty({ Protocol: p.protocol, TargetPort: p.targetPort, PublishedPort: p.publishedPort, PublishMode: p.publishMode });

// docker's NetworkAttachmentConfig: both fields omitempty.
const networkJson = (n: DeepReadonly<NetworkAttachmentConfig>) => omitEmpty({ Target: n.target, Aliases: [...n.aliases] });

const mountJson = (m: DeepReadonly<Mount>) => omitEmpty({ Type: m.type, Source: m.source, Target: m.target, ReadOnly: m.readOnly });

const healthJson = (h: DeepReadonly<HealthCheck>) =>
  omitEmpty({
    Test: [...h.test],
    Interval: nanos(h.intervalMs ?? 0),
    Timeout: nanos(h.timeoutMs ?? 0),
    StartPeriod: nanos(h.startPeriodMs ?? 0),
    Retries: h.retries ?? 0,
  });

// Parallelism, MaxFailureRatio and Order have no omitempty in docker's struct.
const updateConfigJson = (u: DeepReadonly<UpdateConfig>) => ({
  Parallelism: u.parallelism,
  ...omitEmpty({ Delay: nanos(u.delayMs), FailureAction: u.failureAction, Monitor: nanos(u.monitorMs) }),
  MaxFailureRatio: u.maxFailureRatio,
  Order: u.order,
});

// Beyond docker: the autoscale policy, in the style of UpdateConfig (durations in Go nanoseconds).
const autoscaleJson = (p: DeepReadonly<AutoscalePolicy>) => ({
  MinReplicas: p.min,
  MaxReplicas: p.max,
  ...(p.cpuPercent !== undefined ? { TargetCPUPercent: p.cpuPercent } : {}),
  ...(p.memoryPercent !== undefined ? { TargetMemoryPercent: p.memoryPercent } : {}),
  ScaleDownDelay: nanos(p.downDelayMs),
  ScaleUpDelay: nanos(p.upDelayMs),
});

// The autoscaler's last decision, in the style of docker's UpdateStatus.
const autoscaleStatusJson = (d: DeepReadonly<AutoscaleDecision>) => ({
  Timestamp: d.at,
  PreviousReplicas: d.from,
  Replicas: d.to,
  Metric: d.metric,
  Value: d.value,
  Target: d.target,
  Message: d.reason,
});

/**
 * A spec in docker's ServiceSpec shape. Like `docker service inspect`, which
 * asks the daemon to insert defaults, the update and rollback configs are
 * filled in with swarmkit's defaults when the service has none.
 */
const fileJson = (f: { name: string; uid: string; gid: string; mode: number }) => ({ Name: f.name, UID: f.uid, GID: f.gid, Mode: f.mode });

export function serviceSpecJson(spec: StoredSpec) {
  const c = spec.task.container;
  const t = spec.task;
  return {
    Name: spec.name,
    // Annotations.Labels has no omitempty: an empty map prints as {}.
    Labels: sortedMap(spec.labels),
    TaskTemplate: {
      ContainerSpec: omitEmpty({
        Image: c.image,
        Labels: sortedMap(c.labels),
        Command: c.command ? [...c.command] : undefined,
        Args: c.args ? [...c.args] : undefined,
        Hostname: c.hostname,
        Env: [...c.env],
        Dir: c.dir,
        User: c.user,
        Mounts: c.mounts.map(mountJson),
        StopGracePeriod: nanos(c.stopGracePeriodMs),
        Healthcheck: c.healthcheck ? healthJson(c.healthcheck) : undefined,
        // docker's SecretReference and ConfigReference; the mode is a number (292 is 0444).
        Secrets: (c.secrets ?? []).map((r) => ({ File: fileJson(r.file), SecretID: r.secretId, SecretName: r.secretName })),
        Configs: (c.configs ?? []).map((r) => ({ File: fileJson(r.file), ConfigID: r.configId, ConfigName: r.configName })),
      }),
      Resources: {
        Limits: omitEmpty({ NanoCPUs: t.resources.limits.nanoCPUs, MemoryBytes: t.resources.limits.memoryBytes }),
        Reservations: omitEmpty({
          NanoCPUs: t.resources.reservations.nanoCPUs,
          MemoryBytes: t.resources.reservations.memoryBytes,
        }),
      },
      RestartPolicy: {
        Condition: t.restartPolicy.condition,
        Delay: nanos(t.restartPolicy.delayMs),
        MaxAttempts: t.restartPolicy.maxAttempts,
        ...omitEmpty({ Window: nanos(t.restartPolicy.windowMs) }),
      },
      Placement: omitEmpty({
        Constraints: [...t.placement.constraints],
        Preferences: t.placement.preferences.map((p) => ({ Spread: { SpreadDescriptor: p.spread } })),
        MaxReplicas: t.placement.maxReplicas,
      }),
      // TaskSpec.Networks sits between Placement and ForceUpdate in docker's struct, omitempty.
      ...(t.networks && t.networks.length > 0 ? { Networks: t.networks.map(networkJson) } : {}),
      ForceUpdate: t.forceUpdate,
      Runtime: 'container',
    },
    Mode: spec.mode === 'global' ? { Global: {} } : { Replicated: { Replicas: spec.replicas } },
    UpdateConfig: updateConfigJson(spec.update ?? DEFAULT_UPDATE_CONFIG),
    RollbackConfig: updateConfigJson(spec.rollback ?? DEFAULT_ROLLBACK_CONFIG),
    EndpointSpec: omitEmpty({ Mode: spec.endpoint.mode, Ports: spec.endpoint.ports.map(portJson) }),
    ...(spec.autoscale ? { Autoscale: autoscaleJson(spec.autoscale) } : {}),
  };
}

export type ServiceSpecJson = ReturnType<typeof serviceSpecJson>;

interface EndpointJson {
  Spec: Partial<{ Mode: string; Ports: ReturnType<typeof portJson>[] }>;
  Ports?: ReturnType<typeof portJson>[];
  VirtualIPs?: { NetworkID: string; Addr: string }[];
}

export interface ServiceInspectJson {
  ID: string;
  Version: { Index?: number };
  CreatedAt: string;
  UpdatedAt: string;
  Spec: ServiceSpecJson;
  PreviousSpec?: ServiceSpecJson;
  Endpoint: EndpointJson;
  UpdateStatus?: UpdateStatusJson;
  AutoscaleStatus?: ReturnType<typeof autoscaleStatusJson>;
}

/** docker's swarm.UpdateStatus: every field omitempty. */
export interface UpdateStatusJson {
  State?: string;
  StartedAt?: string;
  CompletedAt?: string;
  Message?: string;
}

const updateStatusJson = (u: DeepReadonly<UpdateStatus>): UpdateStatusJson =>
  omitEmpty({ State: u.state, StartedAt: u.startedAt, CompletedAt: u.completedAt, Message: u.message });

/**
 * The published ports as they are: what the leader allocated (a published
 * port asked as 0 gets one from the dynamic range), or, before it has, the
 * spec's, as the best there is to show.
 */
function effectivePorts(service: StoredService): readonly DeepReadonly<PortConfig>[] {
  return service.endpoint ? service.endpoint.ports : service.spec.endpoint.ports;
}

/** A service in the Engine API's shape, keys in docker's order. */
export function serviceInspectJson(service: StoredService): ServiceInspectJson {
  const spec = serviceSpecJson(service.spec);
  const json: ServiceInspectJson = {
    ID: service.id,
    Version: omitEmpty({ Index: service.meta.version }),
    CreatedAt: service.meta.createdAt,
    UpdatedAt: service.meta.updatedAt,
    Spec: spec,
    Endpoint: { Spec: spec.EndpointSpec },
  };
  if (service.previousSpec) json.PreviousSpec = serviceSpecJson(service.previousSpec);
  // Endpoint.Ports and VirtualIPs are omitempty in docker's struct.
  const ports = effectivePorts(service);
  if (ports.length > 0) json.Endpoint.Ports = ports.map(portJson);
  const vips = service.endpoint?.virtualIPs ?? [];
  if (vips.length > 0) json.Endpoint.VirtualIPs = vips.map((v) => ({ NetworkID: v.networkId, Addr: v.addr }));
  // Keep docker's key order: PreviousSpec, Endpoint, then UpdateStatus.
  const { Endpoint, ...rest } = json;
  const out: ServiceInspectJson = { ...rest, Endpoint };
  if (service.updateStatus) out.UpdateStatus = updateStatusJson(service.updateStatus);
  if (service.autoscaleStatus) out.AutoscaleStatus = autoscaleStatusJson(service.autoscaleStatus.last);
  return out;
}

/** Go's fmt of a []string: "[a b c]". */
const goList = (items: readonly string[]): string => `[${items.join(' ')}]`;

/** A number as Go's %v prints a float: shortest form, no trailing ".0". */
const goFloat = (n: number): string => String(n);

function updateConfigLines(u: DeepReadonly<UpdateConfig>, orderLabel: string): string[] {
  const lines = [` Parallelism:\t${u.parallelism}`];
  if (u.delayMs > 0) lines.push(` Delay:\t\t${formatDuration(u.delayMs)}`);
  lines.push(` On failure:\t${u.failureAction}`);
  if (u.monitorMs > 0) lines.push(` Monitoring Period: ${formatDuration(u.monitorMs)}`);
  lines.push(` Max failure ratio: ${goFloat(u.maxFailureRatio)}`, ` ${orderLabel} ${u.order}`);
  return lines;
}

/** Beyond docker's template: the policy and the last decision, under the replicas they set. */
function autoscaleLines(service: StoredService): string[] {
  const p = service.spec.autoscale;
  if (!p) return [];
  const lines = ['Autoscale:', ` Replicas:\t${p.min} to ${p.max}`];
  if (p.cpuPercent !== undefined) lines.push(` Target CPU:\t${goFloat(p.cpuPercent)}%`);
  if (p.memoryPercent !== undefined) lines.push(` Target Memory:\t${goFloat(p.memoryPercent)}%`);
  lines.push(` Down Delay:\t${formatDuration(p.downDelayMs)}`, ` Up Delay:\t${formatDuration(p.upDelayMs)}`);
  const d = service.autoscaleStatus?.last;
  if (d) {
    lines.push(' Last Decision:', `  Replicas:\t${d.from} -> ${d.to}`, `  At:\t\t${d.at}`, `  Metric:\t${d.metric} ${goFloat(d.value)}% (target ${goFloat(d.target)}%)`, `  Message:\t${d.reason}`);
  }
  return lines;
}

/**
 * docker's --pretty template, line for line and tabs included. Two
 * deliberate differences: trailing spaces the template leaves (after each
 * argument, after the last port) are trimmed, as in our tables.
 */
export function servicePrettyText(service: StoredService, networkNames: Readonly<Record<string, string>> = {}, now = Date.now()): string {
  const spec = service.spec;
  const c = spec.task.container;
  const t = spec.task;
  const lines = ['', `ID:\t\t${service.id}`, `Name:\t\t${spec.name}`];
  const labelKeys = Object.keys(spec.labels).sort();
  if (labelKeys.length > 0) {
    lines.push('Labels:', ...labelKeys.map((k) => ` ${k}${spec.labels[k] ? `=${spec.labels[k]}` : ''}`));
  }
  if (spec.mode === 'global') lines.push('Service Mode:\tGlobal');
  else lines.push('Service Mode:\tReplicated', ` Replicas:\t${spec.replicas}`);
  const u = service.updateStatus;
  if (u) {
    lines.push('UpdateStatus:', ` State:\t\t${u.state}`);
    const ago = (iso: string) => `${humanDuration(Math.max(0, now - Date.parse(iso)))} ago`;
    if (Number.isFinite(Date.parse(u.startedAt))) lines.push(` Started:\t${ago(u.startedAt)}`);
    // docker shows Completed for a completed update only.
    if (u.state === 'completed' && u.completedAt) lines.push(` Completed:\t${ago(u.completedAt)}`);
    lines.push(` Message:\t${u.message}`);
  }
  lines.push(...autoscaleLines(service));

  lines.push('Placement:');
  if (t.placement.constraints.length > 0) lines.push(` Constraints:\t${goList(t.placement.constraints)}`);
  if (t.placement.preferences.length > 0) {
    lines.push(` Preferences:   ${goList(t.placement.preferences.map((p) => `spread=${p.spread}`))}`);
  }
  if (t.placement.maxReplicas > 0) lines.push(` Max Replicas Per Node:   ${t.placement.maxReplicas}`);
  lines.push('UpdateConfig:', ...updateConfigLines(spec.update ?? DEFAULT_UPDATE_CONFIG, 'Update order:     '));
  lines.push('RollbackConfig:', ...updateConfigLines(spec.rollback ?? DEFAULT_ROLLBACK_CONFIG, 'Rollback order:   '));

  lines.push('ContainerSpec:', ` Image:\t\t${c.image}`);
  if (c.args && c.args.length > 0) lines.push(` Args:\t\t${c.args.join(' ')}`);
  if (c.env.length > 0) lines.push(` Env:\t\t${c.env.join(' ')}`);
  if (c.dir) lines.push(` Dir:\t\t${c.dir}`);
  if (c.user) lines.push(` User: ${c.user}`);
  if (c.mounts.length > 0) {
    lines.push('Mounts:');
    for (const m of c.mounts) {
      lines.push(` Target:\t${m.target}`, `  Source:\t${m.source}`, `  ReadOnly:\t${m.readOnly}`, `  Type:\t\t${m.type}`);
    }
  }
  if ((c.secrets ?? []).length > 0) {
    lines.push('Secrets:');
    for (const r of c.secrets ?? []) lines.push(` Target:\t${r.file.name}`, `  Source:\t${r.secretName}`);
  }
  if ((c.configs ?? []).length > 0) {
    lines.push('Configs:');
    for (const r of c.configs ?? []) lines.push(` Target:\t${r.file.name}`, `  Source:\t${r.configName}`);
  }

  // docker always has a Resources object, so the heading is always there.
  lines.push('Resources:');
  const { reservations: res, limits } = t.resources;
  if (res.nanoCPUs > 0 || res.memoryBytes > 0) {
    lines.push(' Reservations:');
    if (res.nanoCPUs > 0) lines.push(`  CPU:\t\t${goFloat(res.nanoCPUs / 1e9)}`);
    if (res.memoryBytes > 0) lines.push(`  Memory:\t${bytesSize(res.memoryBytes)}`);
  }
  if (limits.nanoCPUs > 0 || limits.memoryBytes > 0) {
    lines.push(' Limits:');
    if (limits.nanoCPUs > 0) lines.push(`  CPU:\t\t${goFloat(limits.nanoCPUs / 1e9)}`);
    if (limits.memoryBytes > 0) lines.push(`  Memory:\t${bytesSize(limits.memoryBytes)}`);
  }

  // docker prints each network's name where it can resolve the id, else the id.
  const networks = (t.networks ?? []).map((n) => networkNames[n.target] ?? n.target);
  if (networks.length > 0) lines.push(`Networks: ${networks.join(' ')}`);
  lines.push(`Endpoint Mode:\t${spec.endpoint.mode}`);
  const ports = effectivePorts(service);
  if (ports.length > 0) {
    lines.push('Ports:');
    for (const p of ports) {
      lines.push(
        ` PublishedPort = ${p.publishedPort}`,
        `  Protocol = ${p.protocol}`,
        `  TargetPort = ${p.targetPort}`,
        `  PublishMode = ${p.publishMode}`,
      );
    }
  }
  const h = c.healthcheck;
  if (h) {
    lines.push(
      ' Healthcheck:',
      `  Interval = ${formatDuration(h.intervalMs ?? 0)}`,
      `  Retries = ${h.retries ?? 0}`,
      `  StartPeriod =\t${formatDuration(h.startPeriodMs ?? 0)}`,
      `  Timeout =\t${formatDuration(h.timeoutMs ?? 0)}`,
    );
    if (h.test.length > 0) lines.push('  Tests:', ...h.test.map((x) => `\t Test = ${x}`));
  }
  return lines.map((l) => l.replace(/ +$/, '')).join('\n');
}

/**
 * The whole output of `service inspect`. JSON: one array for all services,
 * "[]" when none. Pretty: each service's block as docker writes it, starting
 * with an empty line and followed by one.
 */
export function renderServiceInspect(services: readonly StoredService[], options: ServiceInspectOptions = {}): string {
  if (options.pretty) return services.map((s) => `${servicePrettyText(s, options.networkNames, options.now)}\n\n`).join('');
  if (services.length === 0) return '[]\n';
  return `${goIndentedJson(services.map(serviceInspectJson))}\n`;
}

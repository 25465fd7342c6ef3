import { convertAutoscale } from './autoscale';
import { defaultServiceSpec } from '../../api/service-defaults';
import {
  DEFAULT_RESTART_POLICY,
  type HealthCheck,
  type PortConfig,
  type RestartPolicy,
  type ServiceSpec,
  type UpdateConfig as SpecUpdateConfig,
} from '../../api/service-types';
import { DEFAULT_UPDATE_CONFIG } from '../../api/service-defaults';
import { parseNanoCpus } from '../../util/units';
import type { PathSegment } from '../errors';
import type { FileTarget } from '../../api/secret-types';
import type { FileObjectConfig, FileReference, HealthCheckConfig, LoadedStack, ServiceConfig, UpdateConfig } from '../types';
import { LABEL_IMAGE, LABEL_NAMESPACE } from './labels';
import { convertMounts } from './mounts';
import { serviceNetworks } from './networks';

// One compose service as a ServiceSpec, field by field as docker's
// convert/service.go: the entrypoint is the container's command and
// `command` its args; the environment sorted, a name with no value passed
// as `KEY` (the engine then leaves it unset); service labels are
// deploy.labels plus the stack's namespace and the image as written,
// container labels are `labels` plus the namespace. Go templates
// ({{.Task.Slot}}, {{.Node.ID}}, …) stay as written in hostname, environment
// and mounts; the worker expands them for each task.

export interface ServiceResult {
  spec: ServiceSpec;
  notices: string[];
  errors: { path: PathSegment[]; message: string }[];
}

function updateConfig(u: UpdateConfig | undefined): SpecUpdateConfig | undefined {
  if (!u) return undefined;
  return {
    parallelism: u.parallelism ?? 1,
    delayMs: u.delayMs,
    failureAction: (u.failure_action || DEFAULT_UPDATE_CONFIG.failureAction) as SpecUpdateConfig['failureAction'],
    monitorMs: u.monitorMs || DEFAULT_UPDATE_CONFIG.monitorMs,
    maxFailureRatio: u.max_failure_ratio,
    order: (u.order || DEFAULT_UPDATE_CONFIG.order) as SpecUpdateConfig['order'],
  };
}

/** deploy.restart_policy, else the `restart:` key (always and unless-stopped: any; no: none). */
function restartPolicy(s: ServiceConfig): { policy: RestartPolicy; notice?: string } {
  const rp = s.deploy.restart_policy;
  if (rp) {
    return {
      policy: {
        condition: (rp.condition || DEFAULT_RESTART_POLICY.condition) as RestartPolicy['condition'],
        delayMs: rp.delayMs ?? DEFAULT_RESTART_POLICY.delayMs,
        maxAttempts: rp.max_attempts ?? 0,
        windowMs: rp.windowMs ?? 0,
      },
    };
  }
  if (s.restart === '') return { policy: { ...DEFAULT_RESTART_POLICY } };
  const [name, count] = s.restart.split(':');
  const maxAttempts = count !== undefined && Number(count) > 0 ? Number(count) : 0;
  const condition: RestartPolicy['condition'] = name === 'no' ? 'none' : name === 'on-failure' ? 'on-failure' : 'any';
  return {
    policy: { ...DEFAULT_RESTART_POLICY, condition, maxAttempts },
    notice: `service ${s.name}: restart: ${s.restart} is used as the restart policy (condition ${condition}) since deploy.restart_policy is not given`,
  };
}

function healthcheck(h: HealthCheckConfig | undefined): HealthCheck | undefined {
  if (!h) return undefined;
  if (h.disable) return { test: ['NONE'] };
  const out: HealthCheck = { test: h.test };
  if (h.intervalMs) out.intervalMs = h.intervalMs;
  if (h.timeoutMs) out.timeoutMs = h.timeoutMs;
  if (h.retries) out.retries = h.retries;
  if (h.startPeriodMs) out.startPeriodMs = h.startPeriodMs;
  return out;
}

function cpus(text: string | undefined): number {
  return text ? parseNanoCpus(text) : 0;
}

function environment(env: Record<string, string | null>): string[] {
  const out = Object.entries(env).map(([k, v]) => (v === null ? k : `${k}=${v}`));
  // docker sorts with Go's byte order.
  return out.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** A secret's or config's name in the cluster: the file's `name:`, else `STACK_KEY` (docker's). */
export function objectName(declared: Record<string, FileObjectConfig>, namespace: string, key: string): string {
  const name = declared[key]?.name ?? '';
  return name !== '' ? name : `${namespace}_${key}`;
}

/**
 * docker's defaults: the target is the source's key; uid and gid "0"; mode
 * 0444. A secret's relative target is a file under /run/secrets (the node
 * puts it there); a config's is made absolute here, at the root.
 */
function fileTarget(r: FileReference, kind: 'secret' | 'config'): FileTarget {
  const target = r.target !== '' ? r.target : r.source;
  return { name: kind === 'config' && !target.startsWith('/') ? `/${target}` : target, uid: r.uid || '0', gid: r.gid || '0', mode: r.mode ?? 0o444 };
}

export function convertService(stack: LoadedStack, s: ServiceConfig, namespace: string): ServiceResult {
  const result: ServiceResult = { spec: defaultServiceSpec(`${namespace}_${s.name}`, s.image), notices: [], errors: [] };
  const spec = result.spec;
  const base: PathSegment[] = ['services', s.name];
  const d = s.deploy;

  spec.labels = { ...d.labels, [LABEL_NAMESPACE]: namespace, [LABEL_IMAGE]: s.image };
  if (d.mode === 'global') {
    spec.mode = 'global';
    spec.replicas = 0;
  } else if (d.mode === '' || d.mode === 'replicated') {
    spec.replicas = d.replicas ?? 1;
  } else {
    result.errors.push({ path: [...base, 'deploy', 'mode'], message: `mode ${d.mode} is not supported yet (use replicated or global)` });
  }

  const c = spec.task.container;
  if (s.entrypoint && s.entrypoint.length > 0) c.command = s.entrypoint;
  if (s.command && s.command.length > 0) c.args = s.command;
  c.env = environment(s.environment);
  c.labels = { ...s.labels, [LABEL_NAMESPACE]: namespace };
  if (s.working_dir) c.dir = s.working_dir;
  if (s.user) c.user = s.user;
  if (s.hostname) c.hostname = s.hostname;
  if (s.stopGracePeriodMs !== undefined) c.stopGracePeriodMs = s.stopGracePeriodMs;
  const health = healthcheck(s.healthcheck);
  if (health) c.healthcheck = health;
  const mounts = convertMounts(stack, s, namespace);
  c.mounts = mounts.mounts;
  result.notices.push(...mounts.notices);
  for (const e of mounts.errors) result.errors.push({ path: [...base, 'volumes', e.index], message: e.message });

  c.secrets = s.secrets.map((r) => ({ secretId: '', secretName: objectName(stack.secrets, namespace, r.source), file: fileTarget(r, 'secret') }));
  c.configs = s.configs.map((r) => ({ configId: '', configName: objectName(stack.configs, namespace, r.source), file: fileTarget(r, 'config') }));
  if (c.secrets.length === 0) delete c.secrets;
  if (c.configs.length === 0) delete c.configs;

  const limits = d.resources.limits;
  const reservations = d.resources.reservations;
  spec.task.resources = {
    limits: { nanoCPUs: cpus(limits?.cpus), memoryBytes: limits?.memoryBytes ?? 0 },
    reservations: { nanoCPUs: cpus(reservations?.cpus), memoryBytes: reservations?.memoryBytes ?? 0 },
  };
  const restart = restartPolicy(s);
  spec.task.restartPolicy = restart.policy;
  if (restart.notice) result.notices.push(restart.notice);
  spec.task.placement = {
    constraints: [...d.placement.constraints],
    preferences: d.placement.preferences.map((p) => ({ spread: p.spread })),
    maxReplicas: d.placement.max_replicas_per_node,
  };

  const ports: PortConfig[] = [];
  s.ports.forEach((p, i) => {
    if (p.hostIp) {
      result.notices.push(`service ${s.name}: ignoring IP-address (${p.hostIp}:${p.published}) service will listen on '0.0.0.0'`);
    }
    const protocol = p.protocol || 'tcp';
    if (protocol !== 'tcp' && protocol !== 'udp') {
      result.errors.push({ path: [...base, 'ports', i], message: `protocol ${protocol} is not supported yet (use tcp or udp)` });
      return;
    }
    ports.push({ protocol, targetPort: p.target, publishedPort: p.published, publishMode: p.mode === 'host' ? 'host' : 'ingress' });
  });
  // docker orders them by published port, then target, protocol and mode.
  ports.sort(
    (a, b) =>
      a.publishedPort - b.publishedPort ||
      a.targetPort - b.targetPort ||
      a.protocol.localeCompare(b.protocol) ||
      a.publishMode.localeCompare(b.publishMode),
  );
  spec.endpoint = { mode: d.endpoint_mode.toLowerCase() === 'dnsrr' ? 'dnsrr' : 'vip', ports };
  const networks = serviceNetworks(stack, s, namespace);
  spec.task.networks = networks.networks;
  result.notices.push(...networks.notices);
  const update = updateConfig(d.update_config);
  if (update) spec.update = update;
  const rollback = updateConfig(d.rollback_config);
  if (rollback) spec.rollback = rollback;
  result.errors.push(...convertAutoscale(s, spec));
  return result;
}

import { dictFrom } from '../plain';
import type {
  BuildConfig,
  DeployConfig,
  FileReference,
  HealthCheckConfig,
  ServiceConfig,
  ServicePortConfig,
  ServiceVolumeConfig,
  UpdateConfig,
} from '../types';

// Several `-c` files merge as docker merges them (cli/compose/loader/merge.go,
// mergo with override and append):
//   - a scalar of a later file replaces the earlier one, unless it is the
//     zero value ("", 0, false): mergo cannot tell "false" from "not given";
//   - optional values (replicas, durations, restart delays) replace when given;
//   - maps (environment, labels, deploy.labels, sysctls, networks, …) merge
//     key by key, the later file winning;
//   - ports merge by published port, secrets and configs by source, volumes
//     by target, each list then sorted by that key;
//   - command and entrypoint are replaced, other lists (cap_add, dns,
//     constraints, preferences, extra_hosts, …) appended;
//   - a logging driver replaces the earlier one unless it is the same, in
//     which case the options merge;
//   - top-level networks, volumes, secrets and configs are replaced whole.
// Two fixes over docker: unpublished ports do not collapse into one (docker
// keys them all by published port 0), and a healthcheck `test` replaces the
// earlier test instead of being appended to it.

function str(a: string, b: string): string {
  return b !== '' ? b : a;
}

function opt<T>(a: T | undefined, b: T | undefined): T | undefined {
  return b !== undefined ? b : a;
}

function nonZero(a: number, b: number): number {
  return b !== 0 ? b : a;
}

function map<V>(a: Record<string, V>, b: Record<string, V>): Record<string, V> {
  return dictFrom([...Object.entries(a), ...Object.entries(b)]) as Record<string, V>;
}

function byKey<T>(a: T[], b: T[], key: (t: T) => string, order: (x: T, y: T) => number): T[] {
  const m = new Map<string, T>();
  for (const t of a) m.set(key(t), t);
  for (const t of b) m.set(key(t), t);
  return [...m.values()].sort(order);
}

function portKey(p: ServicePortConfig): string {
  return p.published !== 0 ? String(p.published) : `unpublished ${p.target}/${p.protocol}/${p.mode}`;
}

function updateConfig(a: UpdateConfig | undefined, b: UpdateConfig | undefined): UpdateConfig | undefined {
  if (!a || !b) return b ?? a;
  return {
    parallelism: opt(a.parallelism, b.parallelism),
    delayMs: nonZero(a.delayMs, b.delayMs),
    failure_action: str(a.failure_action, b.failure_action),
    monitorMs: nonZero(a.monitorMs, b.monitorMs),
    max_failure_ratio: nonZero(a.max_failure_ratio, b.max_failure_ratio),
    order: str(a.order, b.order),
  };
}

function deploy(a: DeployConfig, b: DeployConfig): DeployConfig {
  const la = a.resources.limits;
  const lb = b.resources.limits;
  const ra = a.resources.reservations;
  const rb = b.resources.reservations;
  return {
    mode: str(a.mode, b.mode),
    replicas: opt(a.replicas, b.replicas),
    labels: map(a.labels, b.labels),
    update_config: updateConfig(a.update_config, b.update_config),
    rollback_config: updateConfig(a.rollback_config, b.rollback_config),
    resources: {
      limits: la && lb ? { cpus: str(la.cpus, lb.cpus), memoryBytes: nonZero(la.memoryBytes, lb.memoryBytes), pids: nonZero(la.pids, lb.pids) } : (lb ?? la),
      reservations:
        ra && rb
          ? {
              cpus: str(ra.cpus, rb.cpus),
              memoryBytes: nonZero(ra.memoryBytes, rb.memoryBytes),
              generic_resources: [...ra.generic_resources, ...rb.generic_resources],
            }
          : (rb ?? ra),
    },
    restart_policy:
      a.restart_policy && b.restart_policy
        ? {
            condition: str(a.restart_policy.condition, b.restart_policy.condition),
            delayMs: opt(a.restart_policy.delayMs, b.restart_policy.delayMs),
            max_attempts: opt(a.restart_policy.max_attempts, b.restart_policy.max_attempts),
            windowMs: opt(a.restart_policy.windowMs, b.restart_policy.windowMs),
          }
        : (b.restart_policy ?? a.restart_policy),
    placement: {
      constraints: [...a.placement.constraints, ...b.placement.constraints],
      preferences: [...a.placement.preferences, ...b.placement.preferences],
      max_replicas_per_node: nonZero(a.placement.max_replicas_per_node, b.placement.max_replicas_per_node),
    },
    endpoint_mode: str(a.endpoint_mode, b.endpoint_mode),
  };
}

function healthcheck(a: HealthCheckConfig | undefined, b: HealthCheckConfig | undefined): HealthCheckConfig | undefined {
  if (!a || !b) return b ?? a;
  return {
    test: b.test.length > 0 ? b.test : a.test,
    timeoutMs: opt(a.timeoutMs, b.timeoutMs),
    intervalMs: opt(a.intervalMs, b.intervalMs),
    retries: opt(a.retries, b.retries),
    startPeriodMs: opt(a.startPeriodMs, b.startPeriodMs),
    startIntervalMs: opt(a.startIntervalMs, b.startIntervalMs),
    disable: a.disable || b.disable,
  };
}

function networks(a: ServiceConfig['networks'], b: ServiceConfig['networks']): ServiceConfig['networks'] {
  const out = map(a, {});
  for (const [name, nb] of Object.entries(b)) {
    const na = Object.prototype.hasOwnProperty.call(out, name) ? out[name] : undefined;
    if (nb === null) {
      if (na === undefined) out[name] = null;
      continue;
    }
    out[name] = na
      ? {
          aliases: nb.aliases,
          driver_opts: map(na.driver_opts, nb.driver_opts),
          ipv4_address: str(na.ipv4_address, nb.ipv4_address),
          ipv6_address: str(na.ipv6_address, nb.ipv6_address),
        }
      : nb;
  }
  return out;
}

function build(a: BuildConfig | undefined, b: BuildConfig | undefined): BuildConfig | undefined {
  if (!a || !b) return b ?? a;
  return {
    context: opt(a.context, b.context),
    dockerfile: opt(a.dockerfile, b.dockerfile),
    args: a.args && b.args ? map(a.args, b.args) : (b.args ?? a.args),
    labels: a.labels && b.labels ? map(a.labels, b.labels) : (b.labels ?? a.labels),
    cache_from: a.cache_from && b.cache_from ? [...a.cache_from, ...b.cache_from] : (b.cache_from ?? a.cache_from),
    extra_hosts: a.extra_hosts && b.extra_hosts ? [...a.extra_hosts, ...b.extra_hosts] : (b.extra_hosts ?? a.extra_hosts),
    network: opt(a.network, b.network),
    target: opt(a.target, b.target),
  };
}

const bySource = (x: FileReference, y: FileReference) => (x.source < y.source ? -1 : x.source > y.source ? 1 : 0);
const byTarget = (x: ServiceVolumeConfig, y: ServiceVolumeConfig) => (x.target < y.target ? -1 : x.target > y.target ? 1 : 0);

export function mergeService(a: ServiceConfig, b: ServiceConfig): ServiceConfig {
  return {
    name: a.name,
    build: build(a.build, b.build),
    cap_add: [...a.cap_add, ...b.cap_add],
    cap_drop: [...a.cap_drop, ...b.cap_drop],
    cgroupns_mode: str(a.cgroupns_mode, b.cgroupns_mode),
    cgroup_parent: str(a.cgroup_parent, b.cgroup_parent),
    command: b.command && b.command.length > 0 ? b.command : a.command,
    configs: a.configs.length > 0 ? byKey(a.configs, b.configs, (c) => c.source, bySource) : b.configs,
    container_name: str(a.container_name, b.container_name),
    credential_spec: {
      config: str(a.credential_spec.config, b.credential_spec.config),
      file: str(a.credential_spec.file, b.credential_spec.file),
      registry: str(a.credential_spec.registry, b.credential_spec.registry),
    },
    depends_on: [...a.depends_on, ...b.depends_on],
    deploy: deploy(a.deploy, b.deploy),
    devices: [...a.devices, ...b.devices],
    dns: [...a.dns, ...b.dns],
    dns_search: [...a.dns_search, ...b.dns_search],
    domainname: str(a.domainname, b.domainname),
    entrypoint: b.entrypoint && b.entrypoint.length > 0 ? b.entrypoint : a.entrypoint,
    environment: map(a.environment, b.environment),
    env_file: [...a.env_file, ...b.env_file],
    expose: [...a.expose, ...b.expose],
    external_links: [...a.external_links, ...b.external_links],
    extra_hosts: [...a.extra_hosts, ...b.extra_hosts],
    hostname: str(a.hostname, b.hostname),
    healthcheck: healthcheck(a.healthcheck, b.healthcheck),
    image: str(a.image, b.image),
    init: opt(a.init, b.init),
    ipc: str(a.ipc, b.ipc),
    isolation: str(a.isolation, b.isolation),
    labels: map(a.labels, b.labels),
    links: [...a.links, ...b.links],
    logging:
      a.logging && b.logging && (a.logging.driver === b.logging.driver || a.logging.driver === '' || b.logging.driver === '')
        ? { driver: str(a.logging.driver, b.logging.driver), options: map(a.logging.options, b.logging.options) }
        : (b.logging ?? a.logging),
    mac_address: str(a.mac_address, b.mac_address),
    network_mode: str(a.network_mode, b.network_mode),
    networks: networks(a.networks, b.networks),
    pid: str(a.pid, b.pid),
    ports: a.ports.length > 0 ? byKey(a.ports, b.ports, portKey, (x, y) => x.published - y.published) : b.ports,
    privileged: a.privileged || b.privileged,
    read_only: a.read_only || b.read_only,
    restart: str(a.restart, b.restart),
    secrets: a.secrets.length > 0 ? byKey(a.secrets, b.secrets, (s) => s.source, bySource) : b.secrets,
    security_opt: [...a.security_opt, ...b.security_opt],
    shm_size: str(a.shm_size, b.shm_size),
    stdin_open: a.stdin_open || b.stdin_open,
    stopGracePeriodMs: opt(a.stopGracePeriodMs, b.stopGracePeriodMs),
    stop_signal: str(a.stop_signal, b.stop_signal),
    sysctls: map(a.sysctls, b.sysctls),
    tmpfs: [...a.tmpfs, ...b.tmpfs],
    tty: a.tty || b.tty,
    ulimits: map(a.ulimits, b.ulimits),
    user: str(a.user, b.user),
    oom_score_adj: nonZero(a.oom_score_adj, b.oom_score_adj),
    userns_mode: str(a.userns_mode, b.userns_mode),
    volumes: a.volumes.length > 0 ? byKey(a.volumes, b.volumes, (v) => v.target, byTarget) : b.volumes,
    working_dir: str(a.working_dir, b.working_dir),
    extras: map(a.extras, b.extras),
  };
}

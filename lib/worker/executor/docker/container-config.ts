// A task's spec in the engine's terms: what to create, and how to read back
// the ports the engine published. Pure functions, so they are tested without
// an engine.

import type Docker from 'dockerode';
import type { HealthCheck, PortConfig, Task } from '../../../api/service-types';
import { taskName } from '../../../api/service-types';
import type { FileMount } from '../tmpfs-files';
import { taskLabels } from './labels';

const NS_PER_MS = 1_000_000;

/** The ports the engine publishes for the task: host mode only (ingress ports are the routing mesh's). */
export function hostModePorts(task: Task): PortConfig[] {
  return task.ports.filter((p) => p.publishMode === 'host');
}

function portKey(p: { targetPort: number; protocol: string }): string {
  return `${p.targetPort}/${p.protocol}`;
}

export function healthConfig(h: HealthCheck): Docker.HealthConfig {
  const ns = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : ms * NS_PER_MS);
  return {
    Test: [...h.test],
    Interval: ns(h.intervalMs),
    Timeout: ns(h.timeoutMs),
    StartPeriod: ns(h.startPeriodMs),
    Retries: h.retries,
  };
}

export interface ContainerNetworkOptions {
  /** DNS servers (the cluster's DNS address): the container resolves service names through them. */
  dns?: string[];
}

export function containerConfig(task: Task, nodeId: string, net: ContainerNetworkOptions = {}, files: readonly FileMount[] = []): Docker.ContainerCreateOptions {
  const c = task.spec.container;
  const { limits, reservations } = task.spec.resources;
  const ports = hostModePorts(task);
  const exposed: Record<string, Record<string, never>> = {};
  const bindings: Record<string, Docker.PortBinding[]> = {};
  for (const p of ports) {
    exposed[portKey(p)] = {};
    // An empty HostPort lets the engine pick one, which status.ports then reports.
    (bindings[portKey(p)] ??= []).push({ HostPort: p.publishedPort === 0 ? '' : String(p.publishedPort) });
  }
  return {
    name: taskName(task),
    Image: c.image,
    // An entrypoint given without args drops the image's cmd, as `--entrypoint` does.
    Entrypoint: c.command !== undefined && c.command.length > 0 ? [...c.command] : undefined,
    Cmd: c.args !== undefined && c.args.length > 0 ? [...c.args] : undefined,
    Env: [...c.env],
    // Ours last: a container label in the spec cannot pose as another task or node.
    Labels: { ...c.labels, ...taskLabels(task, nodeId) },
    WorkingDir: c.dir,
    User: c.user,
    Hostname: c.hostname,
    // So that a plain `docker stop` by hand honours the task's grace period too.
    StopTimeout: Math.ceil(c.stopGracePeriodMs / 1000),
    Healthcheck: c.healthcheck !== undefined ? healthConfig(c.healthcheck) : undefined,
    ExposedPorts: ports.length > 0 ? exposed : undefined,
    HostConfig: {
      Mounts: c.mounts.map((m) => ({
        Type: m.type,
        Source: m.source,
        Target: m.target,
        ReadOnly: m.readOnly,
        // The engine creates a missing named volume with these labels (how a stack finds its volumes again).
        ...(m.type === 'volume' && m.labels
          ? { VolumeOptions: { NoCopy: false, Labels: { ...m.labels }, DriverConfig: { Name: 'local', Options: {} } } }
          : {}),
      })).concat(files.map((f) => ({ Type: 'bind' as const, Source: f.source, Target: f.target, ReadOnly: true }))),
      NanoCpus: limits.nanoCPUs > 0 ? limits.nanoCPUs : undefined,
      Memory: limits.memoryBytes > 0 ? limits.memoryBytes : undefined,
      MemoryReservation: reservations.memoryBytes > 0 ? reservations.memoryBytes : undefined,
      PortBindings: ports.length > 0 ? bindings : undefined,
      Dns: net.dns !== undefined && net.dns.length > 0 ? [...net.dns] : undefined,
      // As docker does for its own DNS: a bare service name is asked as written before the search domains.
      DnsOptions: net.dns !== undefined && net.dns.length > 0 ? ['ndots:0'] : undefined,
      // Restarts are the orchestrator's decision, made with a new task.
      RestartPolicy: { Name: 'no' },
    },
  };
}

/** The engine's NetworkSettings.Ports as host-mode PortConfigs, one per published port. */
export function publishedPorts(ports: Docker.ContainerInspectInfo['NetworkSettings']['Ports'] | null | undefined): PortConfig[] {
  const out: PortConfig[] = [];
  const seen = new Set<string>();
  for (const [key, bindings] of Object.entries(ports ?? {})) {
    const m = /^(\d+)\/(tcp|udp)$/.exec(key);
    if (m === null || bindings === null) continue;
    for (const b of bindings) {
      const published = Number(b.HostPort);
      // The engine lists IPv4 and IPv6 bindings of one port separately.
      const id = `${key}:${published}`;
      if (!Number.isInteger(published) || published <= 0 || seen.has(id)) continue;
      seen.add(id);
      out.push({ protocol: m[2] as 'tcp' | 'udp', targetPort: Number(m[1]), publishedPort: published, publishMode: 'host' });
    }
  }
  return out.sort((a, b) => a.targetPort - b.targetPort || a.protocol.localeCompare(b.protocol));
}

/** Requested host-mode ports the engine did not publish, as "80/tcp". */
export function unpublishedPorts(wanted: readonly PortConfig[], actual: readonly PortConfig[]): string[] {
  return wanted
    .filter(
      (w) =>
        !actual.some(
          (a) => a.targetPort === w.targetPort && a.protocol === w.protocol && (w.publishedPort === 0 || a.publishedPort === w.publishedPort),
        ),
    )
    .map(portKey);
}

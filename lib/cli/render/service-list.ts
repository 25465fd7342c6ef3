// `swarm service ls` output, laid out as `docker service ls` prints it.

import type { PortConfig, Service } from '../../api/service-types';
import type { DeepReadonly } from '../../util/deep-readonly';
import { shortId } from '../table';
import { naturalCompare } from './natural-order';
import { displayImage, goJsonLine } from './service-text';
import { renderDockerTable } from './tabwriter';

export type StoredService = DeepReadonly<Service>;

/** A service and its task counts, which the manager computes (docker's ServiceStatus). */
export interface ServiceListEntry {
  service: StoredService;
  /** Tasks of the service whose observed state is running. */
  running: number;
  /** Replicated: the replica count; global: the nodes that should run a task. */
  desired: number;
}

export interface ServiceListOptions {
  quiet?: boolean;
  format?: 'table' | 'json';
}

/** docker's `--format json` keys, sorted as Go emits a map's. */
export interface ServiceListJson {
  ID: string;
  Image: string;
  Mode: string;
  Name: string;
  Ports: string;
  Replicas: string;
}

const HEADERS = ['ID', 'NAME', 'MODE', 'REPLICAS', 'IMAGE', 'PORTS'];

/** "3/5", with docker's " (max 2 per node)" for a replicated service with a per-node limit. */
export function replicasText(entry: ServiceListEntry): string {
  const base = `${entry.running}/${entry.desired}`;
  const max = entry.service.spec.task.placement.maxReplicas;
  return entry.service.spec.mode === 'replicated' && max > 0 ? `${base} (max ${max} per node)` : base;
}

/**
 * docker's PORTS column: ingress-mode ports only (host-mode ports belong to
 * tasks and show in `service ps`), sorted by protocol then published port,
 * consecutive ones folded into ranges ("*:80-81->80-81/tcp"). The checks on
 * differences copy Go's unsigned arithmetic: a port below the range start
 * wraps to a huge difference and so starts a new range.
 */
export function servicePortsText(ports: readonly DeepReadonly<PortConfig>[]): string {
  const sorted = [...ports].sort((a, b) =>
    a.protocol === b.protocol ? a.publishedPort - b.publishedPort : a.protocol < b.protocol ? -1 : 1,
  );
  const out: string[] = [];
  let range: { pStart: number; pEnd: number; tStart: number; tEnd: number; protocol: string } | undefined;
  const text = (r: NonNullable<typeof range>) => {
    const pub = r.pEnd > r.pStart ? `${r.pStart}-${r.pEnd}` : `${r.pStart}`;
    const tgt = r.tEnd > r.tStart ? `${r.tStart}-${r.tEnd}` : `${r.tStart}`;
    return `*:${pub}->${tgt}/${r.protocol}`;
  };
  const gap = (a: number, b: number) => a < b || a - b > 1;
  for (const p of sorted) {
    if (p.publishMode !== 'ingress') continue;
    const isRange = range !== undefined && range.tEnd !== range.tStart;
    if (
      range === undefined ||
      p.protocol !== range.protocol ||
      gap(p.publishedPort, range.pEnd) ||
      gap(p.targetPort, range.tEnd) ||
      (isRange && p.targetPort <= range.tEnd)
    ) {
      // docker leaves out a range that has no published port yet.
      if (range !== undefined && range.pStart > 0) out.push(text(range));
      range = { pStart: p.publishedPort, pEnd: p.publishedPort, tStart: p.targetPort, tEnd: p.targetPort, protocol: p.protocol };
      continue;
    }
    range.pEnd = p.publishedPort;
    range.tEnd = p.targetPort;
  }
  if (range !== undefined && range.pStart > 0) out.push(text(range));
  return out.join(', ');
}

export function serviceListJson(entry: ServiceListEntry): ServiceListJson {
  const s = entry.service;
  return {
    ID: shortId(s.id),
    Image: displayImage(s.spec.task.container.image),
    Mode: s.spec.mode,
    Name: s.spec.name,
    // docker shows the allocated ports (Endpoint.Ports), so a port published
    // as 0 shows the one the leader picked; before it has, the spec's.
    Ports: servicePortsText(s.endpoint ? s.endpoint.ports : s.spec.endpoint.ports),
    Replicas: replicasText(entry),
  };
}

/** By name in natural order, as docker sorts them; the id breaks ties so the order is stable. */
export function sortServicesLikeDocker<T extends { service: StoredService }>(entries: readonly T[]): T[] {
  return [...entries].sort(
    (a, b) => naturalCompare(a.service.spec.name, b.service.spec.name) || naturalCompare(a.service.id, b.service.id),
  );
}

/**
 * The whole output of `service ls`, ending in a newline when not empty. As in
 * docker ids are always cut to 12 characters (there is no --no-trunc), and
 * `quiet` only shortens the table: with `format: 'json'` it is ignored.
 */
export function renderServiceList(entries: readonly ServiceListEntry[], options: ServiceListOptions = {}): string {
  const rows = sortServicesLikeDocker(entries).map(serviceListJson);
  if (options.format === 'json') return rows.map((r) => `${goJsonLine(r)}\n`).join('');
  if (options.quiet) return rows.map((r) => `${r.ID}\n`).join('');
  return renderDockerTable(
    HEADERS,
    rows.map((r) => [r.ID, r.Name, r.Mode, r.Replicas, r.Image, r.Ports]),
  );
}

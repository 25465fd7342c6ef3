// Helpers for the service tests: the CLI's JSON views, and the engine's
// containers of a service (the nodes share one engine; labels tell them apart).

import Docker from 'dockerode';
import { swarmOk } from './cli';

export interface PsRow {
  ID: string;
  Name: string;
  Image: string;
  Node: string;
  DesiredState: string;
  CurrentState: string;
  Error: string;
  Ports: string;
}

export async function psRows(dir: string, service: string, extra: string[] = []): Promise<PsRow[]> {
  const out = (await swarmOk(dir, ['service', 'ps', '--no-trunc', '--format', 'json', ...extra, service])).trim();
  return out ? out.split('\n').map((l) => JSON.parse(l) as PsRow) : [];
}

/** Tasks wanted running and running, counted per node name. */
export async function runningPerNode(dir: string, service: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const r of await psRows(dir, service)) {
    if (r.DesiredState === 'Running' && r.CurrentState.startsWith('Running')) out[r.Node] = (out[r.Node] ?? 0) + 1;
  }
  return out;
}

export const total = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0);

/** Resolves once exactly `n` tasks of the service run; returns them per node. */
export async function untilRunning(
  dir: string,
  service: string,
  n: number,
  wait: <T>(what: string, fn: () => Promise<T | undefined>, timeoutMs?: number, everyMs?: number) => Promise<T>,
  timeoutMs = 60_000,
): Promise<Record<string, number>> {
  return wait(
    `${n} running tasks of ${service}`,
    async () => {
      const c = await runningPerNode(dir, service);
      return total(c) === n ? c : undefined;
    },
    timeoutMs,
    200,
  );
}

export async function serviceId(dir: string, service: string): Promise<string> {
  const list = (await swarmOk(dir, ['service', 'inspect', service])) as string;
  return (JSON.parse(list) as { ID: string }[])[0].ID;
}

export async function containersOf(docker: Docker, serviceIdValue: string, opts: { running?: boolean } = {}): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: !opts.running, filters: { label: [`com.docker.swarm.service.id=${serviceIdValue}`] } });
}

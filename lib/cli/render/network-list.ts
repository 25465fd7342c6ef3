// `swarm network ls` output, laid out as `docker network ls` prints it.

import type { Network } from '../../api/network-types';
import type { DeepReadonly } from '../../util/deep-readonly';
import { shortId } from '../table';
import { goTimeString } from './docker-text';
import { naturalCompare } from './natural-order';
import { goJsonLine } from './service-text';
import { renderDockerTable } from './tabwriter';

export type StoredNetwork = DeepReadonly<Network>;

export interface NetworkListOptions {
  quiet?: boolean;
  format?: 'table' | 'json';
  /** Full ids instead of docker's 12 characters. */
  noTrunc?: boolean;
}

/** docker's `--format json` keys for a network, sorted as Go emits a map's; its booleans are strings there. */
export interface NetworkListJson {
  CreatedAt: string;
  Driver: string;
  ID: string;
  IPv4: string;
  IPv6: string;
  Internal: string;
  Labels: string;
  Name: string;
  Scope: string;
}

const HEADERS = ['NETWORK ID', 'NAME', 'DRIVER', 'SCOPE'];

/** By name in natural order, as docker sorts them; the id breaks ties so the order is stable. */
export function sortNetworksLikeDocker<N extends StoredNetwork>(networks: readonly N[]): N[] {
  return [...networks].sort((a, b) => naturalCompare(a.spec.name, b.spec.name) || naturalCompare(a.id, b.id));
}

/** docker joins labels as k=v with commas in Go's random map order; sorted here so the output is stable. */
function labelsText(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}

export function networkListJson(n: StoredNetwork, options: NetworkListOptions = {}): NetworkListJson {
  return {
    CreatedAt: goTimeString(n.meta.createdAt),
    Driver: n.spec.driver,
    ID: shortId(n.id, options.noTrunc),
    // Every network here is IPv4-only and spans the swarm.
    IPv4: 'true',
    IPv6: 'false',
    Internal: String(n.spec.internal),
    Labels: labelsText(n.spec.labels),
    Name: n.spec.name,
    Scope: 'swarm',
  };
}

/**
 * The whole output of `network ls`, ending in a newline when not empty. As in
 * docker, `quiet` only shortens the table: with `format: 'json'` it is ignored.
 */
export function renderNetworkList(networks: readonly StoredNetwork[], options: NetworkListOptions = {}): string {
  const rows = sortNetworksLikeDocker(networks).map((n) => networkListJson(n, options));
  if (options.format === 'json') return rows.map((r) => `${goJsonLine(r)}\n`).join('');
  if (options.quiet) return rows.map((r) => `${r.ID}\n`).join('');
  return renderDockerTable(
    HEADERS,
    rows.map((r) => [r.ID, r.Name, r.Driver, r.Scope]),
  );
}

// `swarm network inspect`: docker's JSON for a swarm-scoped network (moby's
// network.Inspect, as a manager answers for an overlay network), with
// `--verbose`'s per-service block. What docker fills from the engine's local
// view and we have no counterpart for is left empty (Containers, Options) or
// out (Peers), never invented.

import type { NetworkServiceView, NetworkView } from '../../api/network-api';
import { isTerminal, type TaskState } from '../../api/service-types';
import type { DeepReadonly } from '../../util/deep-readonly';
import { addressAt, formatIpv4, parseCidr } from '../../util/ipv4';
import { goEscape, goIndentedJson, sortedMap } from './go-json';
import type { StoredNetwork } from './network-list';

export interface NetworkInspectOptions {
  /** docker's -v: the services on the network, their VIPs and tasks. */
  verbose?: boolean;
  /** 'json': one compact line, as docker's `--format json`; otherwise indented. */
  format?: 'json';
  /** Node ids to their addresses, for the tasks' "Host IP" (from the node list); unknown nodes get no "Host IP". */
  nodeAddrs?: Readonly<Record<string, string>>;
}

interface ServiceTaskJson {
  Name: string;
  EndpointID: string;
  EndpointIP: string;
  Info: Record<string, string>;
}

interface ServiceJson {
  VIP: string;
  Ports: string[];
  LocalLBIndex: number;
  Tasks: ServiceTaskJson[];
}

export interface NetworkInspectJson {
  Name: string;
  Id: string;
  Created: string;
  Scope: 'swarm';
  Driver: string;
  EnableIPv4: boolean;
  EnableIPv6: boolean;
  IPAM: { Driver: string; Options: null; Config: { Subnet: string; Gateway: string }[] };
  Internal: boolean;
  Attachable: boolean;
  Ingress: boolean;
  ConfigFrom: { Network: string };
  ConfigOnly: boolean;
  Containers: Record<string, never>;
  Options: Record<string, never>;
  Labels: Record<string, string>;
  Services?: Record<string, ServiceJson>;
}

/** The subnet's first address, which docker reports as the gateway (ours is never used, only shown). */
export function gatewayOf(subnet: string): string {
  return formatIpv4(addressAt(parseCidr(subnet), 1));
}

/** An address as docker shows EndpointIP and VIP: without the prefix length. */
const bare = (addr: string): string => addr.replace(/\/\d+$/, '');

function hostInfo(addr: string | undefined): Record<string, string> {
  return addr ? { 'Host IP': addr } : {};
}

function serviceJson(s: DeepReadonly<NetworkServiceView>, nodeAddrs: Readonly<Record<string, string>>): ServiceJson {
  // docker lists the endpoints that exist: tasks holding an address that have not ended.
  const tasks = s.tasks.filter((t) => t.addr !== undefined && !isTerminal(t.state as TaskState));
  return {
    VIP: s.vip ? bare(s.vip) : '',
    // docker fills Ports and LocalLBIndex from the kernel's load balancer, which does not exist here.
    Ports: [],
    LocalLBIndex: 0,
    Tasks: [...tasks]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((t) => ({
        Name: t.name,
        EndpointID: '',
        EndpointIP: bare(t.addr ?? ''),
        Info: hostInfo(nodeAddrs[t.nodeId]),
      })),
  };
}

export function networkInspectJson(view: DeepReadonly<NetworkView>, options: NetworkInspectOptions = {}): NetworkInspectJson {
  const n: StoredNetwork = view.network;
  const json: NetworkInspectJson = {
    Name: n.spec.name,
    Id: n.id,
    Created: n.meta.createdAt,
    Scope: 'swarm',
    Driver: n.spec.driver,
    EnableIPv4: true,
    EnableIPv6: false,
    IPAM: { Driver: 'default', Options: null, Config: [{ Subnet: n.subnet, Gateway: gatewayOf(n.subnet) }] },
    Internal: n.spec.internal,
    Attachable: n.spec.attachable,
    Ingress: n.spec.ingress,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: {},
    Options: {},
    Labels: sortedMap(n.spec.labels),
  };
  if (options.verbose) {
    // Go writes a map with its keys sorted; services are keyed by name, as in docker.
    const byName = [...view.services].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    json.Services = Object.fromEntries(byName.map((s) => [s.name, serviceJson(s, options.nodeAddrs ?? {})]));
  }
  return json;
}

/** The whole output: one array for all networks, "[]" when none, as docker's inspect writes it. */
export function renderNetworkInspect(views: readonly DeepReadonly<NetworkView>[], options: NetworkInspectOptions = {}): string {
  const all = views.map((v) => networkInspectJson(v, options));
  if (options.format === 'json') return `${goEscape(JSON.stringify(all))}\n`;
  if (all.length === 0) return '[]\n';
  return `${goIndentedJson(all)}\n`;
}

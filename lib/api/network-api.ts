// What the control socket's network routes take and answer (the CLI on one
// side, lib/daemon/control-api.ts on the other).
//
//   POST /v1/networks                {spec: NetworkSpec}        -> Network
//   GET  /v1/networks                                           -> NetworkListView
//   GET  /v1/networks/:ref           (id, unique id prefix or name) -> NetworkView
//   POST /v1/networks/:ref/remove                               -> {id}
//
// Services name their networks in spec.task.networks[].target by id, id
// prefix or name; the manager stores the network's id. Stacks:
//
//   POST /v1/stacks/:name/deploy     {services, networks: StackNetworkRequest[], secrets, configs: StackBlobRequest[], prune, resolveImage}
//                                                               -> StackDeployResult
//   POST /v1/stacks/:name/remove                                -> StackRemoveResult
//
// where the stack's service specs name their networks by the networks' names.

import type { Network, NetworkSpec } from './network-types';

export interface NetworkListView {
  /** No quorum: this is the answering manager's last known state. */
  stale: boolean;
  networks: Network[];
}

/** One service on the network, for `network inspect --verbose`. */
export interface NetworkServiceView {
  id: string;
  name: string;
  /** Its VIP here without the prefix length; absent for dnsrr or before allocation. */
  vip?: string;
  /** Other names it answers to on this network. */
  aliases: string[];
  tasks: { id: string; name: string; nodeId: string; nodeName: string; addr?: string; state: string }[];
}

export interface NetworkView {
  stale: boolean;
  network: Network;
  services: NetworkServiceView[];
}

/** A network a stack declares (or its implicit `default`). */
export interface StackNetworkRequest {
  /** Its name in the cluster (`STACK_KEY`, or the file's `name:`). */
  name: string;
  /** external: true: it must exist already; the stack neither creates nor removes it. */
  external: boolean;
  /** What to create when it does not exist (not for external ones); labels carry the stack's namespace. */
  spec?: NetworkSpec;
}

export interface StackDeployResult {
  created: string[];
  updated: string[];
  unchanged: string[];
  removed: string[];
  /** Networks this deploy created, by name. */
  networksCreated: string[];
  /** Absent from a daemon that predates secrets. */
  secretsCreated?: string[];
  secretsUpdated?: string[];
  configsCreated?: string[];
  configsUpdated?: string[];
}

export interface StackRemoveResult {
  removed: string[];
  /** The stack's own networks (labelled with its namespace) that went with it. */
  networksRemoved: string[];
  /** The stack's own secrets and configs (not external ones) that went with it. */
  secretsRemoved?: string[];
  configsRemoved?: string[];
}

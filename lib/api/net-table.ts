import type { ServedPort } from './network-types';

// The network table a node holds: what its DNS server, virtual IPs and
// routing mesh need to know of the cluster, and nothing more. The leader's
// dispatcher derives it from the store and sends each node the part it
// needs (the networks its machine's tasks are on, plus every service that
// publishes ingress ports), first whole, then as changes.
//
// Addresses here are bare IPv4 addresses ("100.64.16.2"); subnets are CIDR.

export interface NetTableNetwork {
  kind: 'network';
  id: string;
  name: string;
  subnet: string;
  internal: boolean;
  ingress: boolean;
}

/** A service's place on one network: its VIP there (endpoint mode vip) and the names it answers to. */
export interface NetTableServiceNetwork {
  networkId: string;
  /** Absent for endpoint mode dnsrr, or until the leader allocated it. */
  vip?: string;
  /** Extra names on this network (a stack's compose service name, compose aliases). */
  aliases: string[];
}

/** A port published through the routing mesh: open on every node. */
export interface NetTableIngressPort {
  protocol: 'tcp' | 'udp';
  publishedPort: number;
  targetPort: number;
}

export interface NetTableService {
  kind: 'service';
  id: string;
  name: string;
  mode: 'vip' | 'dnsrr';
  networks: NetTableServiceNetwork[];
  ingress: NetTableIngressPort[];
  /** Target ports the service declares (its published ports' targets); tasks add what they serve. */
  ports: ServedPort[];
}

export interface NetTableTask {
  kind: 'task';
  id: string;
  serviceId: string;
  nodeId: string;
  /** `service.slot.id` (global tasks: `service.node.id`), a DNS name too as in docker. */
  name: string;
  /** Running (and healthy, where it has a check) and wanted running: it takes connections. */
  up: boolean;
  addrs: { networkId: string; addr: string }[];
  /** Its container's address on its engine: how nodes on the same machine recognize it as a peer. */
  containerAddr?: string;
  served: ServedPort[];
}

export interface NetTableNode {
  kind: 'node';
  id: string;
  /** host:port of its TLS port, where tunnels to its tasks go. */
  addr: string;
  hostKey: string;
}

export type NetEntry = NetTableNetwork | NetTableService | NetTableTask | NetTableNode;
export type NetEntryKind = NetEntry['kind'];
export interface NetRef {
  kind: NetEntryKind;
  id: string;
}

/**
 * One step of the table. `reset` starts a whole new table; a table (reset or
 * not) is complete once a message with `done` arrives, so a large one spans
 * several messages without a node ever using half of it.
 */
export interface NetUpdate {
  reset: boolean;
  done: boolean;
  set: NetEntry[];
  del: NetRef[];
}

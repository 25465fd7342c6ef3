import type { Meta } from './types';

// Networks and service endpoints in docker/swarmkit's shape. A network is a
// cluster object with a subnet; a service attached to it gets a virtual IP
// there (endpoint mode vip), and each of its tasks an address. Nothing of
// this is an address on a real interface: the nodes serve these addresses
// in userspace (see docs/networking.md), so a subnet is only a range the
// cluster hands out and the nodes answer on.

export interface NetworkSpec {
  name: string;
  labels: Record<string, string>;
  /** Only overlay: a network that spans the nodes. */
  driver: 'overlay';
  /** Recorded and shown, as docker does; no standalone containers join networks here. */
  attachable: boolean;
  /** Tasks on it reach only each other: nothing is published from it, no outside names resolve. */
  internal: boolean;
  /** The routing mesh's network, made by `swarm init`; services cannot name it. */
  ingress: boolean;
  /** CIDR given with --subnet; absent: one is taken from the cluster's address pool. */
  subnet?: string;
}

export interface Network {
  id: string;
  meta: Meta;
  spec: NetworkSpec;
  /** The subnet in use: the spec's, or the one allocated from the pool at creation. Never changes. */
  subnet: string;
}

/** A service's or task's place on a network, as it asks for it (docker's NetworkAttachmentConfig). */
export interface NetworkAttachmentConfig {
  /** The network's id (the manager resolves a name or prefix given by the user). */
  target: string;
  /** Other names the service answers to on this network (a stack adds the compose service name). */
  aliases: string[];
}

/** A virtual IP of a service on one network, as CIDR ("100.64.16.2/20"), as docker shows it. */
export interface VirtualIP {
  networkId: string;
  addr: string;
}

/**
 * What the leader allocated for a service: its virtual IPs (endpoint mode vip)
 * and its published ports as they are (a published port of 0 in ingress mode
 * gets one from 30000-32767). Kept across updates; released when the service goes.
 */
export interface ServiceEndpoint {
  virtualIPs: VirtualIP[];
  ports: import('./service-types').PortConfig[];
}

/** A task's addresses on one network (CIDR), allocated when it is scheduled. */
export interface NetworkAttachment {
  networkId: string;
  addresses: string[];
}

/** A port a task serves (its image's EXPOSE, or a socket it listens on). */
export interface ServedPort {
  protocol: 'tcp' | 'udp';
  port: number;
}

/** The cluster's address pool for networks created without --subnet (docker's --default-addr-pool). */
export interface AddressPoolSpec {
  /** CIDRs subnets are carved from, in order. */
  pools: string[];
  /** Prefix length of each subnet carved from the pools (docker's --default-addr-pool-mask-length). */
  subnetSize: number;
}

export const DEFAULT_ADDRESS_POOL: Readonly<AddressPoolSpec> = Object.freeze({ pools: ['100.64.0.0/10'], subnetSize: 20 });

/** Name of the routing mesh's network, created by `swarm init`. */
export const INGRESS_NETWORK = 'ingress';

/** The dynamic range for ingress ports published without a number (swarmkit's). */
export const DYNAMIC_PORT_RANGE: Readonly<{ start: number; end: number }> = Object.freeze({ start: 30000, end: 32767 });

// `swarm network create` options to a NetworkSpec, with docker's flag names.
// Only overlay networks exist here (they span the swarm's nodes), so the
// driver and scope flags accept just that; --opt encrypted is accepted and
// changes nothing, since traffic between nodes always goes over mutual TLS.

import type { NetworkSpec } from '../api/network-types';
import { parseCidr } from '../util/ipv4';
import { flagError } from './service-flags/errors';
import { parseLabels } from './service-flags/labels';

export interface NetworkCreateOptions {
  driver: string;
  attachable?: boolean;
  internal?: boolean;
  label: string[];
  subnet: string[];
  scope?: string;
  opt: string[];
}

// swarmkit's rule for object names: one DNS label.
const NETWORK_NAME = /^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$/;

/** Checks a network's name as the store would, so a bad one fails before anything is sent. */
export function checkNetworkName(name: string): void {
  if (name.length > 63 || !NETWORK_NAME.test(name)) {
    throw new Error(`invalid network name "${name}": use letters and digits with - or _ between them, at most 63 characters`);
  }
}

/** A --subnet value: an IPv4 CIDR with room for the gateway and at least one task. */
export function parseSubnetFlag(value: string): string {
  const bits = ((): number => {
    try {
      return parseCidr(value).bits;
    } catch (e) {
      throw flagError('subnet', value, (e as Error).message);
    }
  })();
  if (bits > 30) throw flagError('subnet', value, 'too small: a network needs its gateway and addresses for tasks (use /30 or larger)');
  return value;
}

export interface NetworkCreateResult {
  spec: NetworkSpec;
  /** Said on stderr: what an option the user gave does here. */
  notices: string[];
}

export function buildNetworkSpec(name: string, opts: NetworkCreateOptions): NetworkCreateResult {
  checkNetworkName(name);
  const notices: string[] = [];
  const driver = opts.driver.trim().toLowerCase();
  if (driver !== 'overlay') {
    throw flagError('driver', opts.driver, 'only overlay networks can be created on a swarm (leave out -d, or use -d overlay)');
  }
  if (opts.scope !== undefined && opts.scope !== 'swarm') {
    throw flagError('scope', opts.scope, 'networks here always span the swarm: the only scope is swarm');
  }
  for (const o of opts.opt) {
    const key = o.split('=')[0];
    if (key !== 'encrypted') throw flagError('opt', o, 'overlay networks here take no driver options except encrypted');
    const note = 'note: --opt encrypted changes nothing: traffic between nodes always goes over mutual TLS';
    if (!notices.includes(note)) notices.push(note);
  }
  if (opts.subnet.length > 1) throw flagError('subnet', opts.subnet[1], 'only one --subnet can be given (networks here are IPv4 only)');
  const spec: NetworkSpec = {
    name,
    labels: parseLabels('label', opts.label),
    driver: 'overlay',
    attachable: opts.attachable === true,
    internal: opts.internal === true,
    ingress: false,
  };
  if (opts.subnet.length === 1) spec.subnet = parseSubnetFlag(opts.subnet[0]);
  return { spec, notices };
}

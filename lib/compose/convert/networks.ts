import type { StackNetworkRequest } from '../../api/network-api';
import type { NetworkAttachmentConfig, NetworkSpec } from '../../api/network-types';
import { parseCidr } from '../../util/ipv4';
import type { PathSegment } from '../errors';
import type { LoadedStack, NetworkConfig, ServiceConfig } from '../types';
import { LABEL_NAMESPACE } from './labels';

// A stack's networks, as docker's convert.Networks and convertServiceNetworks
// make them: each network a service uses is `STACK_KEY` in the cluster (or
// the file's `name:`, or for an external one the name it already has); a
// service that names none joins `STACK_default`; on each of its networks a
// service answers to its compose aliases and to its compose name. The
// networks go to the manager as StackNetworkRequests, which it creates when
// missing (labelled with the stack's namespace, so `stack rm` finds them) or,
// for external ones, requires. What a network here cannot be (a bridge, a
// host network) is an error; what it cannot carry (driver options, extra
// IPAM pools) a notice.

const DEFAULT_NETWORK = 'default';

// swarmkit's rule for object names: one DNS label.
const NETWORK_NAME = /^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$/;

// The engine's own networks: docker attaches a service to them directly; here they do not exist.
const ENGINE_NETWORKS = ['host', 'bridge', 'none'];

export interface NetworkIssue {
  path: PathSegment[];
  message: string;
  /** Point at the key rather than its value. */
  key?: boolean;
}

/** The network's name in the cluster, as docker's Namespace.Scope gives it. */
function clusterName(stack: LoadedStack, namespace: string, key: string): string {
  const declared = stack.networks[key];
  return declared && declared.name !== '' ? declared.name : `${namespace}_${key}`;
}

/** The keys of the networks a service is on: the ones it names, or the stack's default. */
function networkKeys(s: ServiceConfig): string[] {
  const keys = Object.keys(s.networks);
  return keys.length > 0 ? keys : [DEFAULT_NETWORK];
}

/**
 * A service's attachments, sorted by network name as docker sorts them.
 * Aliases: the compose aliases, then the service's compose name (docker adds
 * it on every user-defined network), each once.
 */
export function serviceNetworks(stack: LoadedStack, s: ServiceConfig, namespace: string): { networks: NetworkAttachmentConfig[]; notices: string[] } {
  const notices: string[] = [];
  const networks = networkKeys(s).map((key) => {
    const cfg = s.networks[key] ?? null;
    if (cfg && Object.keys(cfg.driver_opts).length > 0) {
      notices.push(`service ${s.name}: network ${key}: driver_opts ${Object.keys(cfg.driver_opts).join(', ')} are ignored: networks here have no driver options`);
    }
    for (const [field, value] of [['ipv4_address', cfg?.ipv4_address], ['ipv6_address', cfg?.ipv6_address]] as const) {
      if (value) notices.push(`service ${s.name}: network ${key}: ${field} ${value} is ignored (as docker stack deploy ignores it): the cluster allocates each task's address`);
    }
    const aliases = [...(cfg?.aliases ?? []), s.name].filter((a, i, all) => all.indexOf(a) === i);
    return { target: clusterName(stack, namespace, key), aliases };
  });
  networks.sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0));
  return { networks, notices };
}

function driverOptsNotice(key: string, n: NetworkConfig): string | undefined {
  const opts = Object.keys(n.driver_opts);
  if (opts.length === 0) return undefined;
  const others = opts.filter((o) => o !== 'encrypted');
  if (others.length === 0) return `network ${key}: driver_opts encrypted is ignored: traffic between nodes always goes over mutual TLS here`;
  return `network ${key}: driver_opts ${opts.join(', ')} are ignored: overlay networks here have no driver options${opts.includes('encrypted') ? ' (and traffic between nodes is always encrypted)' : ''}`;
}

/** What to ask the manager for one network the stack uses (not external), with what is ignored and what cannot be. */
function createRequest(stack: LoadedStack, namespace: string, key: string, issues: NetworkIssue[], notices: string[]): StackNetworkRequest {
  const name = clusterName(stack, namespace, key);
  const n = stack.networks[key];
  const spec: NetworkSpec = {
    name,
    labels: { ...(n?.labels ?? {}), [LABEL_NAMESPACE]: namespace },
    driver: 'overlay',
    attachable: n?.attachable ?? false,
    internal: n?.internal ?? false,
    ingress: false,
  };
  if (name.length > 63 || !NETWORK_NAME.test(name)) {
    issues.push({
      path: ['networks', key],
      key: true,
      message: `network name ${name} is not valid: use letters and digits with - or _ between them, at most 63 characters`,
    });
  }
  if (!n) return { name, external: false, spec };
  // docker creates such a network, then its daemon refuses every service on it: only swarm-scoped networks can be used.
  if (n.driver !== '' && n.driver !== 'overlay') {
    issues.push({ path: ['networks', key, 'driver'], message: `network ${key}: driver ${n.driver} is not supported on a swarm; use overlay` });
  }
  const opts = driverOptsNotice(key, n);
  if (opts) notices.push(opts);
  if (n.ipam.driver !== '' && n.ipam.driver !== 'default') {
    notices.push(`network ${key}: ipam driver ${n.ipam.driver} is ignored: the cluster allocates the network's addresses`);
  }
  const [first, ...rest] = n.ipam.config;
  if (first) {
    try {
      parseCidr(first.subnet);
      spec.subnet = first.subnet;
    } catch (e) {
      issues.push({ path: ['networks', key, 'ipam', 'config', 0, 'subnet'], message: `network ${key}: ${(e as Error).message}` });
    }
  }
  if (rest.length > 0) {
    notices.push(`network ${key}: only the first ipam subnet is used; ${rest.map((c) => c.subnet).join(', ')} ignored (networks here have one IPv4 subnet)`);
  }
  return { name, external: false, spec };
}

/**
 * The networks the stack's services use, sorted by name: external ones to be
 * found, the others to be created when missing. As docker, a declared
 * network no service uses is neither created nor checked.
 */
export function stackNetworkRequests(stack: LoadedStack, namespace: string): { networks: StackNetworkRequest[]; notices: string[]; issues: NetworkIssue[] } {
  const used = new Set(stack.services.flatMap(networkKeys));
  const issues: NetworkIssue[] = [];
  const notices: string[] = [];
  const networks: StackNetworkRequest[] = [];
  for (const key of [...used].sort()) {
    const n = stack.networks[key];
    // Two keys may name one network (`name: shared` on both): it is asked for once, as docker's map of names does.
    if (networks.some((r) => r.name === clusterName(stack, namespace, key))) continue;
    if (n?.external.external) {
      if (ENGINE_NETWORKS.includes(n.name)) {
        issues.push({ path: ['networks', key], key: true, message: `network ${key}: the engine's ${n.name} network cannot be used on this swarm; use an overlay network` });
      }
      networks.push({ name: n.name, external: true });
      continue;
    }
    networks.push(createRequest(stack, namespace, key, issues, notices));
  }
  networks.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { networks, notices, issues };
}

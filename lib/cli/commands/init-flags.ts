// The options of `swarm init`, which the hidden `daemon` command takes too:
// a detached daemon is started with initArgs() of what the user gave, and
// must build the same cluster spec from them (tests/cli/init-flags.test.ts).

import { Command, Option } from 'commander';
import { DEFAULT_CLUSTER_SPEC } from '../../api/cluster-defaults';
import { DEFAULT_ADDRESS_POOL } from '../../api/network-types';
import type { ClusterSpec, NodeAvailability } from '../../api/types';
import { DEFAULT_LISTEN_ADDR, parseHostPort } from '../../net/address';
import { parseDuration } from '../../util/go-duration';
import { parseAddressPool } from '../network-node-flags';
import { flagError } from '../service-flags/errors';

export const AVAILABILITY = ['active', 'pause', 'drain'];
export const RUNTIMES = ['docker', 'process'];

export const PUBLISH_ADDR_HELP = 'IPv4 address this node opens ports published through the routing mesh on';

export const METRICS_ADDR_HELP = 'serve Prometheus metrics over plain HTTP at http://HOST:PORT/metrics (default: not served)';

/** --metrics-addr: checked by init and join before anything starts, so a typo is one line and nothing else happens. */
export function parseMetricsAddr(v: string): string {
  try {
    parseHostPort(v);
  } catch {
    throw flagError('metrics-addr', v, 'must be HOST:PORT with a port from 1 to 65535, such as 127.0.0.1:9323 (IPv6 as [addr]:port)');
  }
  return v.trim();
}

export interface InitFlags {
  runtime: 'docker' | 'process';
  listenAddr: string;
  advertiseAddr?: string;
  hostname?: string;
  availability: NodeAvailability;
  dockerHost?: string;
  dispatcherHeartbeat: string;
  raftTick: string;
  electionTick: number;
  heartbeatTick: number;
  snapshotInterval: number;
  /** --default-addr-pool, repeatable; none: DEFAULT_ADDRESS_POOL's. */
  defaultAddrPool: string[];
  defaultAddrPoolMaskLength?: string;
  publishAddr: string;
  metricsAddr?: string;
  /** --autolock: managers' data keys sealed by an unlock key (docs/encryption.md). */
  autolock?: boolean;
  foreground?: boolean;
  forceNewCluster?: boolean;
}

function intOption(name: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`invalid ${name} "${v}": a positive integer is needed`);
    return n;
  };
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

/** The arguments a detached `swarm daemon --init` needs to do what these flags asked. */
export function initArgs(f: InitFlags): string[] {
  const args = ['--init', '--listen-addr', f.listenAddr, '--availability', f.availability, '--runtime', f.runtime];
  args.push('--dispatcher-heartbeat', f.dispatcherHeartbeat, '--raft-tick', f.raftTick);
  args.push('--election-tick', String(f.electionTick), '--heartbeat-tick', String(f.heartbeatTick));
  args.push('--snapshot-interval', String(f.snapshotInterval));
  for (const pool of f.defaultAddrPool) args.push('--default-addr-pool', pool);
  if (f.defaultAddrPoolMaskLength !== undefined) args.push('--default-addr-pool-mask-length', f.defaultAddrPoolMaskLength);
  args.push('--publish-addr', f.publishAddr);
  if (f.metricsAddr) args.push('--metrics-addr', f.metricsAddr);
  if (f.autolock) args.push('--autolock');
  if (f.advertiseAddr) args.push('--advertise-addr', f.advertiseAddr);
  if (f.hostname) args.push('--hostname', f.hostname);
  if (f.dockerHost) args.push('--docker-host', f.dockerHost);
  return args;
}

export function addInitOptions(cmd: Command): Command {
  return cmd
    .option('--listen-addr <host:port>', 'address to listen on for cluster traffic', DEFAULT_LISTEN_ADDR)
    .option('--advertise-addr <host:port>', 'address other nodes dial (default: this machine\'s first IPv4 address)')
    .option('--hostname <name>', "this node's name in the cluster (default: the machine's)")
    .addOption(new Option('--availability <state>', 'availability of this node').choices(AVAILABILITY).default('active'))
    .option('--docker-host <url>', 'the Docker engine tasks run on (default: DOCKER_HOST or the local socket)')
    .addOption(new Option('--runtime <runtime>', 'how tasks run: containers on the Docker engine, or child processes').choices(RUNTIMES).default('docker'))
    .option('--dispatcher-heartbeat <duration>', 'how often nodes heartbeat', '5s')
    .option('--raft-tick <duration>', 'Raft tick', '100ms')
    .option('--election-tick <n>', 'Raft election timeout in ticks', intOption('election tick'), 10)
    .option('--heartbeat-tick <n>', 'Raft heartbeat in ticks', intOption('heartbeat tick'), 1)
    .option('--snapshot-interval <n>', 'log entries between Raft snapshots', intOption('snapshot interval'), 10_000)
    .option(
      '--default-addr-pool <cidr>',
      `address pool network subnets are taken from, repeatable (default ${DEFAULT_ADDRESS_POOL.pools.join(', ')})`,
      collect,
      [],
    )
    .option('--default-addr-pool-mask-length <n>', `prefix length of each subnet taken from the pool (default ${DEFAULT_ADDRESS_POOL.subnetSize})`)
    .option('--publish-addr <ip>', PUBLISH_ADDR_HELP, '0.0.0.0')
    .option('--metrics-addr <host:port>', METRICS_ADDR_HELP)
    .option('--autolock', "seal the managers' data keys with an unlock key: a restarted manager stays locked until 'swarm unlock'");
}

/** The cluster's settings from the flags; every bad value is one line, before anything starts. */
export function clusterSpec(f: InitFlags): ClusterSpec {
  const spec = structuredClone(DEFAULT_CLUSTER_SPEC);
  spec.dispatcherHeartbeatMs = parseDuration(f.dispatcherHeartbeat, 'dispatcher heartbeat');
  if (spec.dispatcherHeartbeatMs <= 0) throw new Error('the dispatcher heartbeat must be positive');
  spec.raft.tickMs = parseDuration(f.raftTick, 'raft tick');
  if (spec.raft.tickMs < 1) throw new Error('the raft tick must be at least 1ms');
  spec.raft.electionTick = f.electionTick;
  spec.raft.heartbeatTick = f.heartbeatTick;
  if (f.heartbeatTick >= f.electionTick) throw new Error('the heartbeat tick must be smaller than the election tick');
  spec.raft.snapshotEvery = f.snapshotInterval;
  spec.addressPool = parseAddressPool(f.defaultAddrPool, f.defaultAddrPoolMaskLength);
  if (f.autolock) spec.autolock = true;
  return spec;
}

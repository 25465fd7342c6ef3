import { existsSync, mkdtempSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Command } from 'commander';
import { addInitOptions, clusterSpec, initArgs, type InitFlags, parseMetricsAddr } from '../../lib/cli/commands/init-flags';
import { parseAddressPool, parsePublishAddr } from '../../lib/cli/network-node-flags';
import { runCli } from './helpers/fake-daemon';

// `swarm init --default-addr-pool… --publish-addr` and `swarm join --publish-addr`:
// what ends up in the cluster spec and the node's options, and what is refused.

/** The flags commander hands `init` (or the hidden `daemon` command) for these arguments. */
function parseInit(argv: string[], name = 'init'): InitFlags {
  let seen: InitFlags | undefined;
  const program = new Command().exitOverride().configureOutput({ writeErr: () => undefined });
  addInitOptions(program.command(name))
    .option('--init')
    .action((f: InitFlags) => {
      seen = f;
    });
  program.parse(['node', 'swarm', name, ...argv]);
  if (!seen) throw new Error('action not run');
  return seen;
}

describe('the address pool', () => {
  test('defaults: 100.64.0.0/10 carved into /20 subnets', () => {
    expect(clusterSpec(parseInit([])).addressPool).toEqual({ pools: ['100.64.0.0/10'], subnetSize: 20 });
  });

  test('several pools, in order, with a mask length', () => {
    const f = parseInit(['--default-addr-pool', '10.10.0.0/16', '--default-addr-pool', '10.20.0.0/16', '--default-addr-pool-mask-length', '24']);
    expect(clusterSpec(f).addressPool).toEqual({ pools: ['10.10.0.0/16', '10.20.0.0/16'], subnetSize: 24 });
  });

  test('a pool given without a mask length is carved at the default length', () => {
    expect(parseAddressPool(['172.20.0.0/14'], undefined)).toEqual({ pools: ['172.20.0.0/14'], subnetSize: 20 });
  });

  test.each<[string[], string | undefined, string]>([
    [['10.0.0.0/33'], undefined, 'invalid argument "10.0.0.0/33" for "--default-addr-pool" flag: invalid subnet "10.0.0.0/33": use a CIDR such as 10.0.1.0/24'],
    [['10.0.0.1/16'], undefined, 'invalid argument "10.0.0.1/16" for "--default-addr-pool" flag: invalid subnet "10.0.0.1/16": it has host bits set'],
    [['10.0.0.0/8', '10.5.0.0/16'], '24', 'invalid argument "10.5.0.0/16" for "--default-addr-pool" flag: it overlaps the pool 10.0.0.0/8'],
    [['10.0.0.0/16'], '8', 'invalid argument "8" for "--default-addr-pool-mask-length" flag: the pool 10.0.0.0/16 is smaller than one /8 subnet (use a mask length of at least 16, or a larger pool)'],
    [['10.0.0.0/24'], undefined, 'invalid argument "10.0.0.0/24" for "--default-addr-pool" flag: the pool 10.0.0.0/24 is smaller than one /20 subnet (use a mask length of at least 24, or a larger pool)'],
    [[], '30', 'invalid argument "30" for "--default-addr-pool-mask-length" flag: the mask length must be from 1 to 29'],
    [[], '0', 'the mask length must be from 1 to 29'],
    [[], 'x', 'invalid argument "x" for "--default-addr-pool-mask-length" flag: must be a prefix length such as 24'],
  ])('%j with mask length %s is refused', (pools, mask, message) => {
    expect(() => parseAddressPool(pools, mask)).toThrow(message);
  });
});

describe('--publish-addr', () => {
  test('an IPv4 address; 0.0.0.0 by default', () => {
    expect(parseInit([]).publishAddr).toBe('0.0.0.0');
    expect(parsePublishAddr('127.0.0.2')).toBe('127.0.0.2');
  });
  test.each(['localhost', '127.0.0.256', '::1', '10.0.0.1:80', ''])('%j is refused', (v) => {
    expect(() => parsePublishAddr(v)).toThrow(`invalid argument "${v}" for "--publish-addr" flag: must be an IPv4 address`);
  });
});

describe('--metrics-addr', () => {
  test('off unless given; HOST:PORT', () => {
    expect(parseInit([]).metricsAddr).toBeUndefined();
    expect(parseInit(['--metrics-addr', '127.0.0.1:9323']).metricsAddr).toBe('127.0.0.1:9323');
    expect(parseMetricsAddr('127.0.0.1:9323')).toBe('127.0.0.1:9323');
    expect(parseMetricsAddr('[::1]:9323')).toBe('[::1]:9323');
  });
  test.each(['9323', '127.0.0.1', '127.0.0.1:0', '127.0.0.1:65536', 'http://127.0.0.1:9323', ''])('%j is refused', (v) => {
    expect(() => parseMetricsAddr(v)).toThrow(`invalid argument "${v}" for "--metrics-addr" flag: must be HOST:PORT`);
  });
});

test('a detached daemon is given what init was given: the same cluster spec and publish address', () => {
  const given = parseInit([
    '--listen-addr', '127.0.0.1:4301', '--hostname', 'm1', '--default-addr-pool', '10.10.0.0/16', '--default-addr-pool', '10.20.0.0/16',
    '--default-addr-pool-mask-length', '22', '--publish-addr', '127.0.0.2', '--raft-tick', '50ms', '--metrics-addr', '127.0.0.1:9323',
  ]);
  const daemon = parseInit(initArgs(given).slice(1), 'daemon');
  expect(clusterSpec(daemon)).toEqual(clusterSpec(given));
  expect(clusterSpec(daemon).addressPool).toEqual({ pools: ['10.10.0.0/16', '10.20.0.0/16'], subnetSize: 22 });
  expect(daemon.publishAddr).toBe('127.0.0.2');
  expect(daemon.metricsAddr).toBe('127.0.0.1:9323');
  // Without pool flags the daemon falls back to the same default.
  const plain = parseInit([]);
  expect(clusterSpec(parseInit(initArgs(plain).slice(1), 'daemon'))).toEqual(clusterSpec(plain));
});

describe('bad values stop init and join before any daemon starts', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'swarm-init-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test.each([
    [['init', '--default-addr-pool', '10.0.0.0/16', '--default-addr-pool-mask-length', '12'], 'for "--default-addr-pool-mask-length" flag'],
    [['init', '--publish-addr', 'all'], 'invalid argument "all" for "--publish-addr" flag'],
    [['join', '--token', 'SWMTKN-x', '--publish-addr', '1.2.3', '127.0.0.1:4301'], 'invalid argument "1.2.3" for "--publish-addr" flag'],
    [['init', '--metrics-addr', '9323'], 'invalid argument "9323" for "--metrics-addr" flag'],
    [['join', '--token', 'SWMTKN-x', '--metrics-addr', 'localhost', '127.0.0.1:4301'], 'invalid argument "localhost" for "--metrics-addr" flag'],
  ])('%j', async (args, message) => {
    const run = await runCli(args, dir);
    expect(run.exitCode).toBe(1);
    expect(run.stderr.split('\n')).toEqual([expect.stringContaining(message), '']);
    expect(run.stderr.startsWith('Error: invalid argument')).toBe(true);
    // Nothing was started: no log, no pid file, no socket.
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(join(dir, 'swarm.sock'))).toBe(false);
  });
});

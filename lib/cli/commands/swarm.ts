// `swarm init`, `start`, `stop`, `info`, `join-token`, and the hidden
// `daemon` command that detached daemons run as.
//
// The daemon (Raft, certificates, dockerode) is loaded only by the commands
// that run one: every other command is a short-lived client, and loading it
// would double their start-up time.

import { Command, Option } from 'commander';
import { networkInterfaces } from 'os';
import { NodeAvailability } from '../../api/types';
import { AlreadyInSwarmError } from '../../daemon/errors';
import { layout } from '../../daemon/data-dir';
import { readIdentity } from '../../daemon/identity';
import { DataDirLockedError, lockHolder } from '../../daemon/pid-lock';
import { DaemonNotRunningError } from '../../daemon/control-client';
import { formatHostPort, parseHostPort, DEFAULT_LISTEN_ADDR } from '../../net/address';
import { parsePublishAddr } from '../network-node-flags';
import { action, CliContext, contextOf } from '../context';
import { renderInfo, SwarmInfo } from '../render';
import { daemonLogger, holdForeground, startDetached } from './daemon-process';
import { unlockKeyHelp } from './swarm-lock';
import { addInitOptions, AVAILABILITY, clusterSpec, initArgs, type InitFlags, METRICS_ADDR_HELP, parseMetricsAddr, PUBLISH_ADDR_HELP, RUNTIMES } from './init-flags';

/** The node daemon's entry points, loaded on first use. */
function daemon(): Promise<typeof import('../../daemon/node-daemon')> {
  return import('../../daemon/node-daemon');
}

/** The address others dial when none is given: the first non-loopback IPv4, as docker guesses it. */
function guessAdvertise(listenAddr: string): string {
  const { host, port } = parseHostPort(listenAddr, { allowPortZero: true });
  if (host !== '0.0.0.0' && host !== '::') return listenAddr;
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return formatHostPort(a.address, port);
  }
  return formatHostPort('127.0.0.1', port);
}

interface JoinFlags {
  runtime: 'docker' | 'process';
  token: string;
  availability: NodeAvailability;
  listenAddr: string;
  advertiseAddr?: string;
  hostname?: string;
  dockerHost?: string;
  publishAddr: string;
  metricsAddr?: string;
  foreground?: boolean;
}

async function printJoinHelp(cmd: Command, nodeId: string, autolock = false): Promise<void> {
  const ctx = contextOf(cmd);
  const t = await ctx.call<{ token: string; managerAddr: string }>('GET', '/v1/join-token/worker');
  ctx.out(
    `Swarm initialized: current node (${nodeId}) is now a manager.\n\n` +
      `To add a worker to this swarm, run the following command:\n\n    swarm join --token ${t.token} ${t.managerAddr}\n\n` +
      "To add a manager to this swarm, run 'swarm join-token manager' and follow the instructions.\n\n",
  );
  if (autolock) ctx.out(unlockKeyHelp((await ctx.call<{ key: string }>('GET', '/v1/unlock-key')).key));
}

export function registerSwarmCommands(program: Command): void {
  addInitOptions(program.command('init').description('create a new swarm with this node as its first manager'))
    .option('--foreground', 'run the daemon in this process instead of detaching it')
    .option('--force-new-cluster', "restart this manager as the only manager of its swarm, from its own data (after the quorum is lost for good)")
    .action(
      action(async (f: InitFlags, cmd: Command) => {
        const ctx = contextOf(cmd);
        if (f.forceNewCluster) return forceNewCluster(cmd, f);
        const spec = clusterSpec(f);
        parsePublishAddr(f.publishAddr);
        if (f.metricsAddr !== undefined) parseMetricsAddr(f.metricsAddr);
        // Checked here too, so a detached daemon that would refuse is not mistaken for a ready one.
        if (await readIdentity(layout(ctx.dataDir).identity)) throw new AlreadyInSwarmError(ctx.dataDir);
        await refuseRunningDaemon(ctx.dataDir);
        parseHostPort(f.listenAddr, { allowPortZero: true });
        const advertiseAddr = f.advertiseAddr ?? guessAdvertise(f.listenAddr);
        parseHostPort(advertiseAddr);
        if (f.foreground) {
          const d = await (await daemon()).initNode(
            ctx.dataDir,
            {
              listenAddr: f.listenAddr,
              advertiseAddr,
              hostname: f.hostname,
              availability: f.availability,
              dockerHost: f.dockerHost,
              runtime: f.runtime,
              publishAddr: f.publishAddr,
              metricsAddr: f.metricsAddr,
              spec,
            },
            daemonLogger(),
          );
          await printJoinHelp(cmd, d.node.nodeId, spec.autolock);
          await holdForeground(() => d.stop(), d.done);
          return;
        }
        await startDetached(ctx.dataDir, initArgs({ ...f, advertiseAddr }));
        const info = await ctx.call<{ nodeId: string }>('GET', '/v1/info');
        await printJoinHelp(cmd, info.nodeId, spec.autolock);
      }),
    );

  program
    .command('join')
    .description('join a swarm as a worker or a manager, as the token says')
    .argument('<host:port>', 'a manager of the swarm')
    .requiredOption('--token <token>', 'the join token (swarm join-token worker|manager)')
    .option('--listen-addr <host:port>', 'address to listen on for cluster traffic', DEFAULT_LISTEN_ADDR)
    .option('--advertise-addr <host:port>', "address other nodes dial (default: this machine's first IPv4 address)")
    .option('--hostname <name>', "this node's name in the cluster (default: the machine's)")
    .addOption(new Option('--availability <state>', 'availability of this node').choices(AVAILABILITY).default('active'))
    .option('--docker-host <url>', 'the Docker engine tasks run on (default: DOCKER_HOST or the local socket)')
    .addOption(new Option('--runtime <runtime>', 'how tasks run: containers on the Docker engine, or child processes').choices(RUNTIMES).default('docker'))
    .option('--publish-addr <ip>', PUBLISH_ADDR_HELP, '0.0.0.0')
    .option('--metrics-addr <host:port>', METRICS_ADDR_HELP)
    .option('--foreground', 'run the daemon in this process instead of detaching it')
    .action(
      action(async (managerAddr: string, f: JoinFlags, cmd: Command) => {
        const ctx = contextOf(cmd);
        parseHostPort(managerAddr);
        parsePublishAddr(f.publishAddr);
        if (f.metricsAddr !== undefined) parseMetricsAddr(f.metricsAddr);
        parseHostPort(f.listenAddr, { allowPortZero: true });
        const advertiseAddr = f.advertiseAddr ?? guessAdvertise(f.listenAddr);
        parseHostPort(advertiseAddr);
        if (await readIdentity(layout(ctx.dataDir).identity)) throw new AlreadyInSwarmError(ctx.dataDir);
        await refuseRunningDaemon(ctx.dataDir);
        const o = {
          token: f.token,
          managerAddr,
          listenAddr: f.listenAddr,
          advertiseAddr,
          hostname: f.hostname,
          dockerHost: f.dockerHost,
          availability: f.availability,
          runtime: f.runtime,
          publishAddr: f.publishAddr,
          metricsAddr: f.metricsAddr,
        };
        if (f.foreground) {
          const d = await (await daemon()).joinNode(ctx.dataDir, o, daemonLogger());
          ctx.out(`This node joined a swarm as a ${d.node.role}.\n`);
          await holdForeground(() => d.stop(), d.done);
          return;
        }
        // The token travels in the environment: a command line is visible to every user in ps.
        const args = ['--join', managerAddr, '--listen-addr', f.listenAddr, '--advertise-addr', advertiseAddr, '--availability', f.availability, '--runtime', f.runtime];
        args.push('--publish-addr', f.publishAddr);
        if (f.metricsAddr) args.push('--metrics-addr', f.metricsAddr);
        if (f.hostname) args.push('--hostname', f.hostname);
        if (f.dockerHost) args.push('--docker-host', f.dockerHost);
        await startDetached(ctx.dataDir, args, 90_000, { SWARM_JOIN_TOKEN: f.token });
        const info = await ctx.call<{ role: string }>('GET', '/v1/info');
        ctx.out(`This node joined a swarm as a ${info.role}.\n`);
      }),
    );

  program
    .command('start')
    .description("start this node's daemon again from its data dir (after 'swarm stop', a crash or a reboot)")
    .option('--foreground', 'run the daemon in this process instead of detaching it')
    .action(
      action(async (f: { foreground?: boolean }, cmd: Command) => {
        const ctx = contextOf(cmd);
        if (f.foreground) {
          const d = await (await daemon()).startNode(ctx.dataDir, daemonLogger());
          await holdForeground(() => d.stop(), d.done);
          return;
        }
        await refuseRunningDaemon(ctx.dataDir);
        await startDetached(ctx.dataDir, []);
        const info = await ctx.call<{ nodeId: string; hostname: string; state: string }>('GET', '/v1/info');
        ctx.out(`Node ${info.nodeId} (${info.hostname}) started.\n`);
        if (info.state === 'locked') ctx.out("It is an autolocked manager: it does nothing until 'swarm unlock' is given the unlock key.\n");
      }),
    );

  program
    .command('stop')
    .description("stop this node's daemon without leaving the swarm")
    .action(
      action(async (_f: unknown, cmd: Command) => {
        const ctx = contextOf(cmd);
        await ctx.call('POST', '/v1/stop');
        await waitDaemonGone(ctx);
        ctx.out('Node stopped.\n');
      }),
    );

  program
    .command('leave')
    .description('leave the swarm (the node stays listed as a Down worker until swarm node rm)')
    .option('-f, --force', 'leave even as the last manager, or when the remaining managers would lack a quorum')
    .action(
      action(async (f: { force?: boolean }, cmd: Command) => {
        const ctx = contextOf(cmd);
        await ctx.call('POST', '/v1/leave', { force: f.force === true }, 60_000);
        await waitDaemonGone(ctx);
        ctx.out('Node left the swarm.\n');
      }),
    );

  program
    .command('info')
    .description('display the swarm as this node sees it')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(
      action(async (f: { format: 'text' | 'json' }, cmd: Command) => {
        const ctx = contextOf(cmd);
        const info = await ctx.call<SwarmInfo>('GET', '/v1/info');
        ctx.out(renderInfo({ ...info, swarmVersion: programVersion(cmd) }, { format: f.format }));
      }),
    );

  program
    .command('join-token')
    .description('print (or rotate) the command a node runs to join as a worker or a manager')
    .argument('<role>', 'worker or manager')
    .option('-q, --quiet', 'print the token only')
    .option('--rotate', 'replace the token: the old one no longer joins')
    .action(
      action(async (role: string, f: { quiet?: boolean; rotate?: boolean }, cmd: Command) => {
        const ctx = contextOf(cmd);
        if (role !== 'worker' && role !== 'manager') throw new Error(`unknown role "${role}": use worker or manager`);
        const t = await ctx.call<{ token: string; managerAddr: string }>('GET', `/v1/join-token/${role}${f.rotate ? '?rotate=1' : ''}`);
        if (f.quiet) {
          ctx.out(`${t.token}\n`);
          return;
        }
        if (f.rotate) ctx.out(`Successfully rotated ${role} join token.\n\n`);
        ctx.out(`To add a ${role} to this swarm, run the following command:\n\n    swarm join --token ${t.token} ${t.managerAddr}\n\n`);
      }),
    );

  // What detached daemons run; not for people.
  addInitOptions(program.command('daemon', { hidden: true }))
    .option('--init', 'create a new cluster')
    .option('--force-new-cluster', 'restart as the only manager')
    .option('--join <host:port>', 'join the swarm of this manager')
    .action(
      action(async (f: InitFlags & { init?: boolean; join?: string }, cmd: Command) => {
        const ctx = contextOf(cmd);
        const log = daemonLogger();
        if (f.join) {
          const d = await (await daemon()).joinNode(
            ctx.dataDir,
            {
              token: process.env.SWARM_JOIN_TOKEN ?? '',
              managerAddr: f.join,
              listenAddr: f.listenAddr,
              advertiseAddr: f.advertiseAddr ?? guessAdvertise(f.listenAddr),
              hostname: f.hostname,
              dockerHost: f.dockerHost,
              availability: f.availability,
              runtime: f.runtime,
              publishAddr: parsePublishAddr(f.publishAddr),
              metricsAddr: f.metricsAddr,
            },
            log,
          );
          await holdForeground(() => d.stop(), d.done);
          return;
        }
        const d = f.init
          ? await (await daemon()).initNode(
              ctx.dataDir,
              {
                listenAddr: f.listenAddr,
                advertiseAddr: f.advertiseAddr ?? guessAdvertise(f.listenAddr),
                hostname: f.hostname,
                availability: f.availability,
                dockerHost: f.dockerHost,
                runtime: f.runtime,
                publishAddr: parsePublishAddr(f.publishAddr),
                metricsAddr: f.metricsAddr,
                spec: clusterSpec(f),
              },
              log,
            )
          : await (await daemon()).startNode(ctx.dataDir, log, { forceNewCluster: f.forceNewCluster === true });
        await holdForeground(() => d.stop(), d.done);
      }),
    );
}

/**
 * `swarm init --force-new-cluster`: on a manager whose swarm lost its quorum
 * for good. Its running daemon (if any) is stopped, its Raft log rewritten to
 * a one-member configuration, and it starts again as the only manager, with
 * every node, service and task it knew; the other managers become workers.
 */
async function forceNewCluster(cmd: Command, f: InitFlags): Promise<void> {
  const ctx = contextOf(cmd);
  const identity = await readIdentity(layout(ctx.dataDir).identity);
  if (!identity) throw new Error(`data dir ${ctx.dataDir} holds no swarm node: --force-new-cluster recovers an existing manager`);
  if (identity.role !== 'manager') throw new Error("this node is a worker: --force-new-cluster must run on a manager, which holds the swarm's data");
  if (await lockHolder(ctx.dataDir)) {
    await ctx.call('POST', '/v1/stop');
    await waitDaemonGone(ctx);
  }
  if (f.foreground) {
    const d = await (await daemon()).startNode(ctx.dataDir, daemonLogger(), { forceNewCluster: true });
    await printJoinHelp(cmd, d.node.nodeId);
    await holdForeground(() => d.stop(), d.done);
    return;
  }
  await startDetached(ctx.dataDir, ['--force-new-cluster']);
  await printJoinHelp(cmd, identity.nodeId);
}

/**
 * Returns once the daemon's socket is gone and its data dir lock released
 * (the last thing it does), so a `swarm start` or `join` right after works.
 */
async function waitDaemonGone(ctx: CliContext): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await ctx.call('GET', '/v1/info', undefined, 1000);
    } catch (e) {
      if (e instanceof DaemonNotRunningError && !(await lockHolder(ctx.dataDir))) return;
    }
    if (Date.now() > deadline) throw new Error('the daemon did not stop within 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function refuseRunningDaemon(dataDir: string): Promise<void> {
  const holder = await lockHolder(dataDir);
  if (holder) throw new DataDirLockedError(holder.pid, dataDir);
}

function programVersion(cmd: Command): string {
  let root = cmd;
  while (root.parent) root = root.parent;
  return root.version() ?? '';
}

// `swarm network create | ls | inspect | rm`: overlay networks, cluster
// objects the manager stores (routes in lib/api/network-api.ts). The
// nodes serve them in userspace; see docs/networking.md.

import { Command, Option } from 'commander';
import type { NetworkListView, NetworkView } from '../../api/network-api';
import type { Network } from '../../api/network-types';
import { DaemonError } from '../../daemon/control-client';
import { action, CliContext, contextOf, STALE_WARNING } from '../context';
import { buildNetworkSpec, type NetworkCreateOptions } from '../network-create-flags';
import { filterNetworks, renderNetworkInspect, renderNetworkList, type StoredNode } from '../render';

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

const path = (ref: string) => `/v1/networks/${encodeURIComponent(ref)}`;

/** A failure on one of several networks: its own "Error: ..." line, as docker prints each, and exit status 1 at the end. */
function reportFailure(message: string): void {
  process.stderr.write(`Error: ${message}\n`);
  process.exitCode = 1;
}

/** Node ids to addresses, for `inspect --verbose`'s "Host IP" of each task. */
async function nodeAddrs(ctx: CliContext): Promise<Record<string, string>> {
  const a = await ctx.call<{ nodes: StoredNode[] }>('GET', '/v1/nodes');
  return Object.fromEntries(a.nodes.filter((n) => n.status.addr).map((n) => [n.id, n.status.addr as string]));
}

export function registerNetworkCommands(program: Command): void {
  const network = program.command('network').description('manage overlay networks (on a manager)');

  network
    .command('create')
    .description('create an overlay network that spans the swarm')
    .argument('<network>', 'network name')
    .option('-d, --driver <driver>', 'driver to manage the network (only overlay)', 'overlay')
    .option('--attachable', 'enable manual container attachment (recorded and shown)')
    .option('--internal', 'restrict external access to the network')
    .option('--label <key=value>', 'set metadata on a network (repeatable)', collect, [])
    .option('--subnet <cidr>', 'subnet in CIDR format (default: the next free one from the address pool)', collect, [])
    .option('--scope <scope>', 'network scope (only swarm)')
    .option('-o, --opt <key=value>', 'driver options (only encrypted, which changes nothing here)', collect, [])
    .action(
      action(async (name: string, f: NetworkCreateOptions, cmd: Command) => {
        const ctx = contextOf(cmd);
        const { spec, notices } = buildNetworkSpec(name, f);
        for (const n of notices) process.stderr.write(`${n}\n`);
        const created = await ctx.call<Network>('POST', '/v1/networks', { spec });
        ctx.out(`${created.id}\n`);
      }),
    );

  network
    .command('ls')
    .alias('list')
    .description('list networks')
    .option('-q, --quiet', 'only display network ids')
    .option('--no-trunc', 'do not truncate the output')
    .option('-f, --filter <key=value>', 'filter output (name, id, driver, scope, type, label)', collect, [])
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(
      action(async (f: { quiet?: boolean; trunc: boolean; filter: string[]; format: 'table' | 'json' }, cmd: Command) => {
        const ctx = contextOf(cmd);
        // Filters are checked before asking, so a bad one sends nothing.
        filterNetworks([], f.filter);
        const a = await ctx.call<NetworkListView>('GET', '/v1/networks');
        if (a.stale) process.stderr.write(STALE_WARNING);
        ctx.out(renderNetworkList(filterNetworks(a.networks, f.filter), { quiet: f.quiet, format: f.format, noTrunc: !f.trunc }));
      }),
    );

  network
    .command('inspect')
    .description('display detailed information on one or more networks')
    .argument('<network...>', 'network name, id or id prefix')
    .addOption(new Option('--format <format>', "'json': one compact line").choices(['json']))
    .option('-v, --verbose', 'also show the services on the network, their virtual IPs and tasks')
    .action(
      action(async (refs: string[], f: { format?: 'json'; verbose?: boolean }, cmd: Command) => {
        const ctx = contextOf(cmd);
        const found: NetworkView[] = [];
        const errors: string[] = [];
        for (const ref of refs) {
          try {
            found.push(await ctx.call<NetworkView>('GET', path(ref)));
          } catch (e) {
            if (e instanceof DaemonError && e.status === 404) errors.push(`No such network: ${ref}`);
            else throw e;
          }
        }
        if (found.some((v) => v.stale)) process.stderr.write(STALE_WARNING);
        const needAddrs = f.verbose === true && found.some((v) => v.services.some((s) => s.tasks.length > 0));
        const addrs = needAddrs ? await nodeAddrs(ctx) : {};
        // As docker: what was found is printed, then each one that was not.
        ctx.out(renderNetworkInspect(found, { verbose: f.verbose, format: f.format, nodeAddrs: addrs }));
        for (const e of errors) reportFailure(e);
      }),
    );

  network
    .command('rm')
    .alias('remove')
    .description('remove one or more networks (refused while a service uses one)')
    .argument('<network...>', 'network name, id or id prefix')
    .option('-f, --force', 'do not error if the network does not exist')
    .action(
      action(async (refs: string[], f: { force?: boolean }, cmd: Command) => {
        const ctx = contextOf(cmd);
        // docker tries every one, prints each name removed and each failure on its own line.
        for (const ref of refs) {
          try {
            await ctx.call<{ id: string }>('POST', `${path(ref)}/remove`, {});
            ctx.out(`${ref}\n`);
          } catch (e) {
            if (f.force && e instanceof DaemonError && e.status === 404) continue;
            if (!(e instanceof DaemonError)) throw e;
            reportFailure(e.message);
          }
        }
      }),
    );
}

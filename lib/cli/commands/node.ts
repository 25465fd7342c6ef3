// `swarm node ls | inspect | update | promote | demote | rm`.

import { Command, Option } from 'commander';
import { action, contextOf, forEachRef, STALE_WARNING } from '../context';
import { filterNodes, renderNodeInspect, renderNodeList, StoredNode } from '../render';

interface NodeListAnswer {
  nodes: StoredNode[];
  selfId: string;
  leaderNodeId?: string;
  reachability: Record<string, 'reachable' | 'unreachable'>;
  stale: boolean;
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

/** `k=v` for --label-add; `k` alone means an empty value, as docker takes it. */
function parseLabel(text: string): [string, string] {
  const eq = text.indexOf('=');
  const k = eq < 0 ? text : text.slice(0, eq);
  if (k.length === 0) throw new Error(`invalid label "${text}": the key is empty`);
  return [k, eq < 0 ? '' : text.slice(eq + 1)];
}

export function registerNodeCommands(program: Command): void {
  const node = program.command('node').description('manage the nodes of the swarm (on a manager)');

  node
    .command('ls')
    .alias('list')
    .description('list the nodes of the swarm')
    .option('-q, --quiet', 'only display ids')
    .option('-f, --filter <key=value>', 'filter output (role, id, name, node.label, label, membership)', collect, [])
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(
      action(async (f: { quiet?: boolean; filter: string[]; format: 'table' | 'json' }, cmd: Command) => {
        const ctx = contextOf(cmd);
        const a = await ctx.call<NodeListAnswer>('GET', '/v1/nodes');
        if (a.stale) process.stderr.write(STALE_WARNING);
        const nodes = filterNodes(a.nodes, f.filter);
        ctx.out(
          renderNodeList(nodes, {
            selfId: a.selfId,
            leaderNodeId: a.leaderNodeId,
            reachability: (n) => a.reachability[n.id],
            quiet: f.quiet,
            format: f.format,
          }),
        );
      }),
    );

  node
    .command('inspect')
    .description('display detailed information on one or more nodes (self for this node)')
    .argument('<node...>', 'node id, unique id prefix, hostname, or self')
    .option('--pretty', 'print in a human-friendly format')
    .action(
      action(async (refs: string[], f: { pretty?: boolean }, cmd: Command) => {
        const ctx = contextOf(cmd);
        const found: StoredNode[] = [];
        let leaderNodeId: string | undefined;
        let reach: Record<string, 'reachable' | 'unreachable'> = {};
        for (const ref of refs) {
          const target = ref === 'self' ? (await ctx.call<{ nodeId: string }>('GET', '/v1/info')).nodeId : ref;
          const a = await ctx.call<{
            node: StoredNode;
            leaderNodeId?: string;
            reachability: Record<string, 'reachable' | 'unreachable'>;
            stale: boolean;
          }>(
            'GET',
            `/v1/nodes/${encodeURIComponent(target)}`,
          );
          if (a.stale && found.length === 0) process.stderr.write(STALE_WARNING);
          found.push(a.node);
          leaderNodeId = a.leaderNodeId;
          reach = a.reachability;
        }
        ctx.out(renderNodeInspect(found, { pretty: f.pretty, leaderNodeId, reachability: (n) => reach[n.id] }));
      }),
    );

  node
    .command('rm')
    .alias('remove')
    .description('remove one or more nodes from the swarm (a worker that is Down, or any worker with --force)')
    .argument('<node...>', 'node id, unique id prefix or hostname')
    .option('-f, --force', 'remove a node that is not down')
    .action(
      action(async (refs: string[], f: { force?: boolean }, cmd: Command) => {
        const ctx = contextOf(cmd);
        await forEachRef(refs, async (ref) => {
          await ctx.call('POST', `/v1/nodes/${encodeURIComponent(ref)}/remove`, { force: f.force === true });
          ctx.out(`${ref}\n`);
        });
      }),
    );

  for (const [verb, done, already] of [
    ['promote', (r: string) => `Node ${r} promoted to a manager in the swarm.`, (r: string) => `Node ${r} is already a manager.`],
    ['demote', (r: string) => `Manager ${r} demoted in the swarm.`, (r: string) => `Node ${r} is already a worker.`],
  ] as const) {
    node
      .command(verb)
      .description(verb === 'promote' ? 'make workers managers (their certificates are reissued)' : 'make managers workers (refused for the last manager or when quorum would be lost)')
      .argument('<node...>', 'node id, unique id prefix or hostname')
      .action(
        action(async (refs: string[], _f: unknown, cmd: Command) => {
          const ctx = contextOf(cmd);
          await forEachRef(refs, async (ref) => {
            const a = await ctx.call<{ result: 'changed' | 'unchanged' }>('POST', `/v1/nodes/${encodeURIComponent(ref)}/${verb}`, {});
            ctx.out(`${a.result === 'changed' ? done(ref) : already(ref)}\n`);
          });
        }),
      );
  }

  node
    .command('update')
    .description('update availability or labels of a node')
    .argument('<node>', 'node id, unique id prefix or hostname')
    .addOption(new Option('--availability <state>', 'availability of the node').choices(['active', 'pause', 'drain']))
    .option('--label-add <key=value>', 'add or update a node label (repeatable)', collect, [])
    .option('--label-rm <key>', 'remove a node label (repeatable)', collect, [])
    .action(
      action(async (ref: string, f: { availability?: string; labelAdd: string[]; labelRm: string[] }, cmd: Command) => {
        const ctx = contextOf(cmd);
        if (!f.availability && f.labelAdd.length === 0 && f.labelRm.length === 0) {
          throw new Error('nothing to update: give --availability, --label-add or --label-rm');
        }
        const labelAdd = Object.fromEntries(f.labelAdd.map(parseLabel));
        const n = await ctx.call<StoredNode>('POST', `/v1/nodes/${encodeURIComponent(ref)}/update`, {
          availability: f.availability,
          labelAdd,
          labelRm: f.labelRm,
        });
        ctx.out(`${n.id}\n`);
      }),
    );
}

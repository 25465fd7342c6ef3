// `swarm stack deploy | ls | ps | services | rm | config`: a compose file is
// loaded and converted here (lib/compose), at the edge; the manager stores
// the stack's service specs all at once or not at all.

import { Command, Option } from 'commander';
import type { StackDeployResult, StackRemoveResult } from '../../api/network-api';
import { Service, Task } from '../../api/service-types';
import { action, CliContext, contextOf, forEachRef, STALE_WARNING } from '../context';
import { renderServiceList, renderServicePs, ServiceListEntry } from '../render';
import { renderDockerTable } from '../render/tabwriter';
import { waitForConvergence } from './service-progress-wait';

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

interface DeployFlags {
  composeFile: string[];
  envFile?: string;
  prune?: boolean;
  detach?: boolean;
  quiet?: boolean;
  resolveImage: 'always' | 'never';
}

/** The compose loader (YAML, schemas, ajv) is loaded only by the commands that read files. */
function compose(): Promise<typeof import('../../compose')> {
  return import('../../compose');
}

async function loadFiles(files: string[], envFile?: string) {
  const { loadStack, readStackInput } = await compose();
  const stack = loadStack(readStackInput({ composeFiles: files, envFile, env: process.env }));
  for (const w of stack.warnings) process.stderr.write(`${w}\n`);
  return stack;
}

async function waitTasksGone(ctx: CliContext, name: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await ctx.call<{ services: number; tasks: number }>('GET', `/v1/stacks/${encodeURIComponent(name)}/status`);
    if (s.services === 0 && s.tasks === 0) return;
    if (Date.now() > deadline) throw new Error(`stack ${name}: ${s.tasks} tasks still stopping after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export function registerStackCommands(program: Command): void {
  const stack = program.command('stack').description('manage stacks deployed from compose files (on a manager)');

  stack
    .command('deploy')
    .alias('up')
    .description('deploy a new stack or update an existing one')
    .argument('<stack>', 'stack name')
    .requiredOption('-c, --compose-file <file>', 'path to a compose file, or "-" to read from stdin (repeatable)', collect, [])
    .option('--env-file <file>', 'read variables from this file (default: .env beside the first compose file)')
    .option('--prune', 'remove services that are no longer referenced')
    .option('-d, --detach', 'exit once the specs are stored instead of waiting for the services to converge')
    .option('-q, --quiet', 'suppress progress output')
    .addOption(new Option('--resolve-image <when>', 'check that images exist before deploying').choices(['always', 'never']).default('always'))
    .action(
      action(async (name: string, f: DeployFlags, cmd: Command) => {
        const ctx = contextOf(cmd);
        const { convertStack, readStackObjects, validateStackName } = await compose();
        validateStackName(name);
        const loaded = await loadFiles(f.composeFile, f.envFile);
        const converted = convertStack(loaded, name);
        const { secrets, configs } = readStackObjects(loaded, converted);
        for (const n of converted.notices) process.stderr.write(`${n}\n`);
        const r = await ctx.call<StackDeployResult>(
          'POST',
          `/v1/stacks/${encodeURIComponent(name)}/deploy`,
          {
            services: converted.services,
            networks: converted.networks,
            secrets,
            configs,
            prune: f.prune === true,
            resolveImage: f.resolveImage === 'always',
          },
          120_000,
        );
        // docker's order: pruned services, then the secrets, configs and networks it created, then the services.
        for (const s of r.removed) ctx.out(`Removing service ${s}\n`);
        for (const n of r.secretsCreated ?? []) ctx.out(`Creating secret ${n}\n`);
        for (const n of r.secretsUpdated ?? []) ctx.out(`Updating secret ${n}\n`);
        for (const n of r.configsCreated ?? []) ctx.out(`Creating config ${n}\n`);
        for (const n of r.configsUpdated ?? []) ctx.out(`Updating config ${n}\n`);
        for (const n of r.networksCreated) ctx.out(`Creating network ${n}\n`);
        for (const s of r.created) ctx.out(`Creating service ${s}\n`);
        for (const s of r.updated) ctx.out(`Updating service ${s}\n`);
        for (const s of r.unchanged) ctx.out(`Service ${s} is up to date\n`);
        if (f.detach) return;
        for (const s of [...r.created, ...r.updated]) {
          if (!f.quiet) ctx.out(`${s}\n`);
          await waitForConvergence(ctx, s, { quiet: f.quiet === true });
        }
      }),
    );

  stack
    .command('ls')
    .alias('list')
    .description('list stacks')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(
      action(async (f: { format: 'table' | 'json' }, cmd: Command) => {
        const ctx = contextOf(cmd);
        const a = await ctx.call<{ stale: boolean; stacks: { name: string; services: number }[] }>('GET', '/v1/stacks');
        if (a.stale) process.stderr.write(STALE_WARNING);
        if (f.format === 'json') {
          ctx.out(a.stacks.map((s) => `${JSON.stringify({ Name: s.name, Services: String(s.services) })}\n`).join(''));
          return;
        }
        ctx.out(renderDockerTable(['NAME', 'SERVICES'], a.stacks.map((s) => [s.name, String(s.services)])));
      }),
    );

  stack
    .command('ps')
    .description('list the tasks of a stack')
    .argument('<stack>', 'stack name')
    .option('--no-trunc', 'do not truncate output')
    .option('-q, --quiet', 'only display task ids')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(
      action(async (name: string, f: { trunc: boolean; quiet?: boolean; format: 'table' | 'json' }, cmd: Command) => {
        const ctx = contextOf(cmd);
        const a = await ctx.call<{ stale: boolean; services: Service[]; tasks: Task[]; nodeNames: Record<string, string> }>(
          'GET',
          `/v1/tasks?stack=${encodeURIComponent(name)}`,
        );
        if (a.stale) process.stderr.write(STALE_WARNING);
        const nodeNames = new Map(Object.entries(a.nodeNames));
        ctx.out(renderServicePs(a.tasks, { now: Date.now(), nodeNames, services: a.services, noTrunc: !f.trunc, quiet: f.quiet, format: f.format }));
      }),
    );

  stack
    .command('services')
    .description('list the services of a stack')
    .argument('<stack>', 'stack name')
    .option('-q, --quiet', 'only display ids')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(
      action(async (name: string, f: { quiet?: boolean; format: 'table' | 'json' }, cmd: Command) => {
        const ctx = contextOf(cmd);
        const a = await ctx.call<{ stale: boolean; services: ServiceListEntry[] }>('GET', `/v1/services?stack=${encodeURIComponent(name)}`);
        if (a.stale) process.stderr.write(STALE_WARNING);
        if (a.services.length === 0) throw new Error(`nothing found in stack: ${name}`);
        ctx.out(renderServiceList(a.services, { quiet: f.quiet, format: f.format }));
      }),
    );

  stack
    .command('rm')
    .aliases(['remove', 'down'])
    .description("remove stacks: their services, networks, secrets and configs, their tasks' containers and the volumes they created")
    .argument('<stack...>', 'stack names')
    .option('-d, --detach', 'do not wait for the containers to be gone')
    .action(
      action(async (names: string[], f: { detach?: boolean }, cmd: Command) => {
        const ctx = contextOf(cmd);
        const removed: string[] = [];
        await forEachRef(
          names,
          async (name) => {
            const r = await ctx.call<StackRemoveResult>('POST', `/v1/stacks/${encodeURIComponent(name)}/remove`, {});
            const networks = r.networksRemoved;
            const secrets = r.secretsRemoved ?? [];
            const configs = r.configsRemoved ?? [];
            if (r.removed.length === 0 && networks.length === 0 && secrets.length === 0 && configs.length === 0) {
              process.stderr.write(`Nothing found in stack: ${name}\n`);
              return;
            }
            // As docker: the services by name, then the stack's secrets, configs and networks.
            for (const s of [...r.removed].sort()) ctx.out(`Removing service ${s}\n`);
            for (const n of [...secrets].sort()) ctx.out(`Removing secret ${n}\n`);
            for (const n of [...configs].sort()) ctx.out(`Removing config ${n}\n`);
            for (const n of [...networks].sort()) ctx.out(`Removing network ${n}\n`);
            removed.push(name);
          },
          async () => {
            if (!f.detach) for (const name of removed) await waitTasksGone(ctx, name);
          },
        );
      }),
    );

  stack
    .command('config')
    .description('print the merged, interpolated and normalized stack file, as deploy would read it')
    .requiredOption('-c, --compose-file <file>', 'path to a compose file, or "-" to read from stdin (repeatable)', collect, [])
    .option('--env-file <file>', 'read variables from this file (default: .env beside the first compose file)')
    .action(
      action(async (f: { composeFile: string[]; envFile?: string }, cmd: Command) => {
        const { renderStackConfig } = await compose();
        contextOf(cmd).out(renderStackConfig(await loadFiles(f.composeFile, f.envFile)));
      }),
    );
}

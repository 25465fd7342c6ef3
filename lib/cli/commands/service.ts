// `swarm service create | ls | ps | inspect | update | rollback | scale | rm | logs`.

import { Command, Option } from 'commander';
import { Service, ServiceSpec, Task } from '../../api/service-types';
import { DaemonError } from '../../daemon/control-client';
import { action, CliContext, contextOf, forEachRef, STALE_WARNING } from '../context';
import { renderServiceInspect, renderServiceList, renderServicePs, ServiceListEntry } from '../render';
import {
  addServiceSpecOptions,
  applyServiceUpdate,
  buildServiceSpec,
  CreateOptions,
  defaultFlagContext,
  isRollbackRequest,
  parseScaleArg,
  UpdateOptions,
} from '../service-flags';
import { randomServiceName } from './service-names';
import { waitForConvergence } from './service-progress-wait';
import { streamServiceLogs } from './service-logs';
import { addServiceStatsCommand } from './service-stats';

interface ServiceView {
  service: Service;
  running: number;
  desired: number;
  tasks: Task[];
  nodeNames: Record<string, string>;
  activeNodeIds: string[];
  /** The names of the networks the service's attachments name by id (network ids to names). */
  networkNames?: Record<string, string>;
  stale: boolean;
}

export function getService(ctx: CliContext, ref: string): Promise<ServiceView> {
  return ctx.call<ServiceView>('GET', `/v1/services/${encodeURIComponent(ref)}`);
}

/** Attempts at a read-modify-write whose read went stale. */
const UPDATE_ATTEMPTS = 4;

/**
 * Reads the service, computes its new spec from what was read, and writes it
 * conditioned on that read. The leader also writes services (their VIPs and
 * published ports, right after a create or an update), so a write may find
 * the service changed meanwhile: then the edit is computed again on the fresh
 * read, as a user retrying would (docker answers "update out of sequence").
 */
export async function updateService(ctx: CliContext, ref: string, edit: (view: ServiceView) => ServiceSpec): Promise<Service> {
  for (let attempt = 1; ; attempt++) {
    const view = await getService(ctx, ref);
    const current = view.service;
    try {
      await ctx.call('POST', `/v1/services/${encodeURIComponent(current.id)}/update`, { spec: edit(view), version: current.meta.version });
      return current;
    } catch (e) {
      if (attempt < UPDATE_ATTEMPTS && e instanceof DaemonError && e.status === 409 && /changed since it was read/.test(e.message)) continue;
      throw e;
    }
  }
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

/**
 * Without -d: the live progress until the service converges (or its update
 * pauses or rolls back); Ctrl-C stops waiting, not the service. `read` is
 * the service as the command read it before writing.
 */
async function settle(ctx: CliContext, ref: string, f: { detach?: boolean; quiet?: boolean }, read?: Service, rollback = false): Promise<void> {
  if (f.detach) return;
  await waitForConvergence(ctx, ref, { quiet: f.quiet === true, readVersion: read?.meta.version, rollback });
}

/** `service rollback` and `service update --rollback`: the manager swaps the spec with the previous one. */
async function rollbackService(ctx: CliContext, ref: string): Promise<Service> {
  const { service } = await getService(ctx, ref);
  await ctx.call('POST', `/v1/services/${encodeURIComponent(service.id)}/rollback`, { version: service.meta.version });
  return service;
}

export function registerServiceCommands(program: Command): void {
  const service = program.command('service').description('manage services (on a manager)');

  addServiceSpecOptions(
    service
      .command('create')
      .description('create a new service')
      .argument('<image>', 'the image tasks run')
      .argument('[command...]', 'command and arguments for the container')
      .option('--no-resolve-image', 'do not check that the image exists before creating the service')
      // Words after IMAGE belong to the container, as with docker (--rm in `sh -c` is not ours).
      .passThroughOptions(),
    'create',
  ).action(
    action(async (image: string, args: string[], f: CreateOptions & { resolveImage?: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const spec: ServiceSpec = buildServiceSpec(f, image, args);
      if (!spec.name) spec.name = randomServiceName();
      const created = await ctx.call<Service>('POST', '/v1/services', { spec, resolveImage: f.resolveImage !== false });
      ctx.out(`${created.id}\n`);
      await settle(ctx, created.id, f);
    }),
  );

  service
    .command('ls')
    .alias('list')
    .description('list services')
    .option('-q, --quiet', 'only display ids')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(
      action(async (f: { quiet?: boolean; format: 'table' | 'json' }, cmd: Command) => {
        const ctx = contextOf(cmd);
        const a = await ctx.call<{ stale: boolean; services: ServiceListEntry[] }>('GET', '/v1/services');
        if (a.stale) process.stderr.write(STALE_WARNING);
        ctx.out(renderServiceList(a.services, { quiet: f.quiet, format: f.format }));
      }),
    );

  service
    .command('ps')
    .description('list the tasks of one or more services')
    .argument('<service...>', 'service name, id or id prefix')
    .option('--no-trunc', 'do not truncate output')
    .option('-q, --quiet', 'only display task ids')
    .option('-f, --filter <key=value>', 'filter output (desired-state=running|shutdown|accepted, node=NODE, id=ID, name=NAME)', collect, [])
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(
      action(async (refs: string[], f: { trunc: boolean; quiet?: boolean; filter: string[]; format: 'table' | 'json' }, cmd: Command) => {
        const ctx = contextOf(cmd);
        const q = refs.map((r) => `service=${encodeURIComponent(r)}`).join('&');
        const a = await ctx.call<{ stale: boolean; services: Service[]; tasks: Task[]; nodeNames: Record<string, string> }>('GET', `/v1/tasks?${q}`);
        if (a.stale) process.stderr.write(STALE_WARNING);
        const nodeNames = new Map(Object.entries(a.nodeNames));
        const tasks = a.tasks.filter(taskFilter(f.filter, nodeNames));
        ctx.out(renderServicePs(tasks, { now: Date.now(), nodeNames, services: a.services, noTrunc: !f.trunc, quiet: f.quiet, format: f.format }));
      }),
    );

  service
    .command('inspect')
    .description('display detailed information on one or more services')
    .argument('<service...>', 'service name, id or id prefix')
    .option('--pretty', 'print the information in a human friendly format')
    .action(
      action(async (refs: string[], f: { pretty?: boolean }, cmd: Command) => {
        const ctx = contextOf(cmd);
        const found: Service[] = [];
        const networkNames: Record<string, string> = {};
        for (const ref of refs) {
          const view = await getService(ctx, ref);
          found.push(view.service);
          Object.assign(networkNames, view.networkNames);
        }
        ctx.out(renderServiceInspect(found, { pretty: f.pretty, networkNames }));
      }),
    );

  addServiceSpecOptions(
    service.command('update').description('update a service').argument('<service>', 'service name, id or id prefix'),
    'update',
  ).action(
    action(async (ref: string, f: UpdateOptions, cmd: Command) => {
      const ctx = contextOf(cmd);
      if (isRollbackRequest(f)) {
        const read = await rollbackService(ctx, ref);
        ctx.out(`${ref}\n`);
        await settle(ctx, read.id, f, read, true);
        return;
      }
      const read = await updateService(ctx, ref, (view) => applyServiceUpdate(view.service.spec, f, defaultFlagContext(), view.networkNames ?? {}));
      ctx.out(`${ref}\n`);
      await settle(ctx, read.id, f, read);
    }),
  );

  service
    .command('rollback')
    .description("revert changes to a service's configuration")
    .argument('<service>', 'service name, id or id prefix')
    .option('-d, --detach', 'exit immediately instead of waiting for the service to converge')
    .option('-q, --quiet', 'suppress progress output')
    .action(
      action(async (ref: string, f: { detach?: boolean; quiet?: boolean }, cmd: Command) => {
        const ctx = contextOf(cmd);
        const read = await rollbackService(ctx, ref);
        ctx.out(`${ref}\n`);
        await settle(ctx, read.id, f, read, true);
      }),
    );

  service
    .command('scale')
    .description('scale one or more replicated services (SERVICE=REPLICAS)')
    .argument('<service=replicas...>', 'services and their new replica counts')
    .option('-d, --detach', 'exit immediately instead of waiting for the services to converge')
    .action(
      action(async (pairs: string[], f: { detach?: boolean }, cmd: Command) => {
        const ctx = contextOf(cmd);
        const wanted = new Map(pairs.map(parseScaleArg).map((w) => [w.service, w.replicas]));
        const scaled: Service[] = [];
        await forEachRef(
          [...wanted.keys()],
          async (ref) => {
            const replicas = wanted.get(ref) as number;
            let note = '';
            const read = await updateService(ctx, ref, ({ service }) => {
              if (service.spec.mode !== 'replicated') throw new Error(`scale can only be used with replicated mode (${ref} is global)`);
              note = autoscaleNote(ref, service.spec, replicas);
              return { ...service.spec, replicas };
            });
            ctx.out(`${ref} scaled to ${replicas}\n`);
            if (note) process.stderr.write(note);
            scaled.push(read);
          },
          async () => {
            for (const read of scaled) await settle(ctx, read.id, f, read);
          },
        );
      }),
    );

  service
    .command('rm')
    .alias('remove')
    .description('remove one or more services')
    .argument('<service...>', 'service name, id or id prefix')
    .action(
      action(async (refs: string[], _f: unknown, cmd: Command) => {
        const ctx = contextOf(cmd);
        await forEachRef(refs, async (ref) => {
          await ctx.call('POST', `/v1/services/${encodeURIComponent(ref)}/remove`, {});
          ctx.out(`${ref}\n`);
        });
      }),
    );

  addServiceStatsCommand(service);

  service
    .command('logs')
    .description('fetch the logs of a service or a task, from every node')
    .argument('<service|task>', 'service name, id or id prefix, or a task id')
    .option('-f, --follow', 'follow log output')
    .option('--tail <n>', 'number of lines to show from the end of the logs (default all)')
    .option('-t, --timestamps', 'show timestamps')
    .option('--no-task-ids', 'do not include task ids in output')
    .option('--raw', 'do not neatly format logs')
    .action(
      action(async (ref: string, f: { follow?: boolean; tail?: string; timestamps?: boolean; taskIds: boolean; raw?: boolean }, cmd: Command) => {
        const ctx = contextOf(cmd);
        let tail: number | undefined;
        if (f.tail !== undefined && f.tail !== 'all') {
          tail = Number(f.tail);
          if (!Number.isInteger(tail) || tail < 0) throw new Error(`invalid --tail "${f.tail}": a non-negative integer or "all" is needed`);
        }
        await streamServiceLogs(ctx, ref, { follow: f.follow === true, tail, timestamps: f.timestamps === true, taskIds: f.taskIds, raw: f.raw === true });
      }),
    );
}

/**
 * A manual scale of an autoscaled service: refused outside the policy's
 * bounds (the manager would refuse it too), else accepted with a word that it
 * holds only until the autoscaler's next decision.
 */
export function autoscaleNote(ref: string, spec: ServiceSpec, replicas: number): string {
  const p = spec.autoscale;
  if (!p) return '';
  if (replicas < p.min || replicas > p.max) {
    throw new Error(
      `${ref} autoscales between ${p.min} and ${p.max} replicas: scale within those bounds, change them (service update --autoscale-min/--autoscale-max), or stop autoscaling (service update --autoscale-off)`,
    );
  }
  return `${ref} autoscales between ${p.min} and ${p.max} replicas: the autoscaler will overrule this at its next decision if the load asks for another count\n`;
}

/** docker's `service ps --filter`: desired-state, node, id, name; several values of one key are ORed. */
function taskFilter(filters: readonly string[], nodeNames: ReadonlyMap<string, string>): (t: Task) => boolean {
  const by = new Map<string, string[]>();
  for (const f of filters) {
    const eq = f.indexOf('=');
    if (eq <= 0) throw new Error(`bad format of filter (expected name=value): ${f}`);
    const key = f.slice(0, eq);
    if (!['desired-state', 'node', 'id', 'name'].includes(key)) throw new Error(`invalid filter '${key}'`);
    by.set(key, [...(by.get(key) ?? []), f.slice(eq + 1)]);
  }
  for (const v of by.get('desired-state') ?? []) {
    if (!['running', 'shutdown', 'accepted'].includes(v)) throw new Error(`invalid desired-state filter '${v}': use running, shutdown or accepted`);
  }
  return (t) => {
    const desired = by.get('desired-state');
    if (desired) {
      // docker: "running" matches tasks wanted running (or accepted), "shutdown" everything wanted stopped.
      const group = t.desiredState === 'running' ? 'running' : t.desiredState === 'accepted' ? 'accepted' : 'shutdown';
      if (!desired.includes(group)) return false;
    }
    const nodes = by.get('node');
    if (nodes && !nodes.some((n) => t.nodeId === n || (t.nodeId && nodeNames.get(t.nodeId) === n))) return false;
    const ids = by.get('id');
    if (ids && !ids.some((i) => t.id.startsWith(i))) return false;
    const names = by.get('name');
    if (names && !names.some((n) => `${t.serviceName}.${t.slot ?? t.nodeId}`.startsWith(n))) return false;
    return true;
  };
}

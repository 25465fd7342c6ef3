// `swarm service ps` output, laid out as `docker service ps` prints it.

import type { PortConfig, Service, Task } from '../../api/service-types';
import type { DeepReadonly } from '../../util/deep-readonly';
import { shortId } from '../table';
import { prettyPrint } from './docker-text';
import { naturalCompare } from './natural-order';
import { displayImage, ellipsis, goJsonLine } from './service-text';
import { renderDockerTable } from './tabwriter';
import { humanDuration } from './units';

export type StoredTask = DeepReadonly<Task>;

export interface ServicePsOptions {
  /** The time "Running 5 seconds ago" is measured from (ms since the epoch, or a Date). */
  now: number | Date;
  /**
   * Node id to the name to show: docker shows the node's spec name if set,
   * else its hostname. A node missing here shows as its id, as in docker.
   */
  nodeNames?: ReadonlyMap<string, string>;
  /** The services, for their current names; a task's own serviceName is used for others. */
  services?: readonly DeepReadonly<Service>[];
  /** Full ids and images, errors not cut to 30 columns. */
  noTrunc?: boolean;
  /** Show service and node ids instead of names (docker's --no-resolve). */
  noResolve?: boolean;
  quiet?: boolean;
  format?: 'table' | 'json';
}

/** docker's `--format json` keys, sorted as Go emits a map's. */
export interface ServicePsJson {
  CurrentState: string;
  DesiredState: string;
  Error: string;
  ID: string;
  Image: string;
  Name: string;
  Node: string;
  Ports: string;
}

const HEADERS = ['ID', 'NAME', 'IMAGE', 'NODE', 'DESIRED STATE', 'CURRENT STATE', 'ERROR', 'PORTS'];
const MAX_ERROR_WIDTH = 30;

/** docker's names for the tasks' rows: SERVICE.SLOT, or SERVICE.NODEID for a global task. */
function rowNames(tasks: readonly StoredTask[], options: ServicePsOptions): Map<StoredTask, string> {
  const serviceNames = new Map((options.services ?? []).map((s) => [s.id, s.spec.name]));
  return new Map(
    tasks.map((task) => {
      const service = options.noResolve ? task.serviceId : (serviceNames.get(task.serviceId) ?? task.serviceName);
      return [task, `${service}.${task.slot !== undefined && task.slot !== 0 ? task.slot : (task.nodeId ?? '')}`];
    }),
  );
}

function nodeName(task: StoredTask, options: ServicePsOptions): string {
  if (!task.nodeId) return '';
  if (options.noResolve) return task.nodeId;
  return options.nodeNames?.get(task.nodeId) ?? task.nodeId;
}

/** "Running 5 seconds ago": the state, then go-units' HumanDuration in lower case. */
export function currentStateText(task: StoredTask, now: number | Date): string {
  const since = (typeof now === 'number' ? now : now.getTime()) - Date.parse(task.status.timestamp);
  return `${prettyPrint(task.status.state)} ${humanDuration(since).toLowerCase()} ago`;
}

/** Host-mode ports as the task published them: "*:8080->80/tcp", comma-separated. */
export function taskPortsText(ports: readonly DeepReadonly<PortConfig>[] | undefined): string {
  return (ports ?? []).map((p) => `*:${p.publishedPort}->${p.targetPort}/${p.protocol}`).join(',');
}

/** By name in natural order (so web.2 before web.10), newest task first within a slot; stable. */
export function sortTasksLikeDocker(tasks: readonly StoredTask[], options: ServicePsOptions): StoredTask[] {
  const names = rowNames(tasks, options);
  return tasks
    .map((task) => ({ task, name: names.get(task) ?? '', created: Date.parse(task.meta.createdAt) }))
    .sort((a, b) => (a.name !== b.name ? naturalCompare(a.name, b.name) : b.created - a.created))
    .map((x) => x.task);
}

function psJson(task: StoredTask, name: string, options: ServicePsOptions, trunc: boolean): ServicePsJson {
  const err = task.status.err ?? '';
  const shownErr = trunc ? ellipsis(err, MAX_ERROR_WIDTH) : err;
  return {
    CurrentState: currentStateText(task, options.now),
    DesiredState: prettyPrint(task.desiredState),
    Error: shownErr === '' ? '' : `"${shownErr}"`,
    ID: shortId(task.id, !trunc),
    Image: trunc ? displayImage(task.spec.container.image) : task.spec.container.image,
    Name: name,
    Node: nodeName(task, options),
    Ports: taskPortsText(task.status.ports),
  };
}

/**
 * The whole output of `service ps`, ending in a newline when not empty. In
 * the table an older task of the same slot is listed under the current one as
 * " \_ web.1". As in docker, -q prints full ids, and with -q the JSON rows
 * carry full ids too (docker turns on --no-trunc for -q before choosing the format).
 */
export function renderServicePs(tasks: readonly StoredTask[], options: ServicePsOptions): string {
  const trunc = !(options.noTrunc || options.quiet);
  const sorted = sortTasksLikeDocker(tasks, options);
  const names = rowNames(tasks, options);
  if (options.format === 'json') {
    return sorted.map((t) => `${goJsonLine(psJson(t, names.get(t) ?? '', options, trunc))}\n`).join('');
  }
  if (options.quiet) return sorted.map((t) => `${t.id}\n`).join('');
  let previous = '';
  const rows = sorted.map((t) => {
    const name = names.get(t) ?? '';
    const shown = name === previous ? ` \\_ ${name}` : name;
    previous = name;
    const r = psJson(t, shown, options, trunc);
    return [r.ID, r.Name, r.Image, r.Node, r.DesiredState, r.CurrentState, r.Error, r.Ports];
  });
  return renderDockerTable(HEADERS, rows);
}

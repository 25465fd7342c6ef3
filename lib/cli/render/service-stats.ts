// `swarm service stats` output, in the shape and words of `docker stats`
// (docker/cli's stats formatter): CPU and memory percentages with two
// decimals, MEM USAGE / LIMIT in binary units, NET and BLOCK I/O in decimal
// ones, per task rather than per container, with its node.

import type { TaskStatsEntry } from '../../api/metrics-types';
import { shortId } from '../table';
import { goJsonLine } from './service-text';
import { renderDockerTable } from './tabwriter';
import { bytesSize, formatSignificant } from './units';

/** The --format json keys, sorted as docker's are; every value a string, as docker prints them. */
export interface StatsJson {
  BlockIO: string;
  CPUPerc: string;
  ID: string;
  MemPerc: string;
  MemUsage: string;
  Name: string;
  NetIO: string;
  Node: string;
  PIDs: string;
  Service: string;
}

/** Template fields and their table headers, in the default table's order. */
const FIELDS: readonly (readonly [keyof StatsJson, string])[] = [
  ['ID', 'ID'],
  ['Name', 'NAME'],
  ['Node', 'NODE'],
  ['CPUPerc', 'CPU %'],
  ['MemUsage', 'MEM USAGE / LIMIT'],
  ['MemPerc', 'MEM %'],
  ['NetIO', 'NET I/O'],
  ['BlockIO', 'BLOCK I/O'],
  ['PIDs', 'PIDS'],
];
const HEADERS = new Map<string, string>([...FIELDS, ['Service', 'SERVICE']]);
export const DEFAULT_STATS_FORMAT = `table ${FIELDS.map(([k]) => `{{.${k}}}`).join('\t')}`;

/** docker stats' placeholder for a figure not known yet. */
const NONE = '--';

/** go-units HumanSizeWithPrecision(n, 3): decimal units, three significant digits ("1.23kB"). */
export function humanSize(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
  let size = n;
  let i = 0;
  while (size >= 1000 && i < units.length - 1) {
    size /= 1000;
    i++;
  }
  return formatSignificant(size, 3) + units[i];
}

function percent(x: number): string {
  return `${x.toFixed(2)}%`;
}

export function statsJson(e: TaskStatsEntry): StatsJson {
  const s = e.sample;
  const pair = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? NONE : `${humanSize(a)} / ${humanSize(b)}`);
  return {
    BlockIO: s ? pair(s.blockReadBytes ?? 0, s.blockWriteBytes ?? 0) : NONE,
    CPUPerc: s ? percent(s.cpuPercent) : NONE,
    ID: e.taskId,
    MemPerc: s ? percent(s.memoryLimitBytes > 0 ? (s.memoryBytes / s.memoryLimitBytes) * 100 : 0) : NONE,
    MemUsage: s ? `${bytesSize(s.memoryBytes)} / ${bytesSize(s.memoryLimitBytes)}` : NONE,
    Name: e.name,
    NetIO: s ? (s.netRxBytes === undefined && s.netTxBytes === undefined ? NONE : pair(s.netRxBytes ?? 0, s.netTxBytes ?? 0)) : NONE,
    Node: e.node,
    PIDs: s?.pids !== undefined ? String(s.pids) : NONE,
    Service: e.serviceName,
  };
}

export interface StatsRenderOptions {
  /** 'table' (the default), 'json' (one object a line), or a template such as `table {{.Name}}\t{{.CPUPerc}}`. */
  format?: string;
  noTrunc?: boolean;
}

/** Throws on a template naming a field that does not exist, before anything is shown. */
export function checkStatsFormat(format: string): void {
  if (format === 'table' || format === 'json') return;
  for (const m of format.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) {
    const field = /^\.([A-Za-z]+)$/.exec(m[1])?.[1];
    if (field === undefined || !HEADERS.has(field)) {
      throw new Error(`invalid --format: ${m[0]} is not a field; use ${[...HEADERS.keys()].map((k) => `{{.${k}}}`).join(', ')}`);
    }
  }
}

export function renderServiceStats(entries: readonly TaskStatsEntry[], o: StatsRenderOptions = {}): string {
  const format = o.format ?? 'table';
  checkStatsFormat(format);
  const rows = entries.map(statsJson).map((r) => (o.noTrunc ? r : { ...r, ID: shortId(r.ID) }));
  if (format === 'json') return rows.map((r) => `${goJsonLine(r)}\n`).join('');
  const template = (format === 'table' ? DEFAULT_STATS_FORMAT : format).replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  const fill = (t: string, value: (k: keyof StatsJson) => string) => t.replace(/\{\{\s*\.([A-Za-z]+)\s*\}\}/g, (_m, k: string) => value(k as keyof StatsJson));
  if (!template.startsWith('table')) return rows.map((r) => `${fill(template, (k) => r[k])}\n`).join('');
  // As docker's "table" templates: a header from the fields, columns aligned on the tabs.
  const body = template.replace(/^table\s*/, '');
  const headers = fill(body, (k) => HEADERS.get(k) ?? k).split('\t');
  return renderDockerTable(
    headers,
    rows.map((r) => fill(body, (k) => r[k]).split('\t')),
  );
}

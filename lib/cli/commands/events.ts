// `swarm events`: what changed in the cluster, as docker's `docker events`
// prints it on a swarm manager. Times and filters are checked here first, so
// a typo fails at once with a clear error instead of an empty stream.

import { Command, Option } from 'commander';
import { ClusterEvent, EventStreamItem, filterWords, formatEventLine, isGap, parseEventFilters, parseEventTime } from '../../api/cluster-events';
import { streamDaemon } from '../../daemon/control-client';
import { layout } from '../../daemon/data-dir';
import { action, contextOf } from '../context';

export interface EventsFlags {
  since?: string;
  until?: string;
  filter: string[];
  format: 'text' | 'json';
}

/** The query string for /v1/events; throws on a bad time or filter. Times go as Unix seconds, read against this clock. */
export function eventsQuery(f: EventsFlags, nowMs: number): URLSearchParams {
  const q = new URLSearchParams();
  const since = f.since === undefined ? undefined : parseEventTime(f.since, nowMs, '--since');
  const until = f.until === undefined ? undefined : parseEventTime(f.until, nowMs, '--until');
  if (since !== undefined && until !== undefined && until < since) throw new Error('--until is before --since: no event can match');
  if (since !== undefined) q.set('since', (since / 1000).toFixed(3));
  if (until !== undefined) q.set('until', (until / 1000).toFixed(3));
  for (const w of filterWords(parseEventFilters(f.filter))) q.append('filter', w);
  return q;
}

export function formatEventItem(item: EventStreamItem, format: EventsFlags['format']): { out?: string; err?: string } {
  if (isGap(item)) return { err: `warning: ${item.gap}\n` };
  return { out: `${format === 'json' ? JSON.stringify(item satisfies ClusterEvent) : formatEventLine(item)}\n` };
}

export function registerEventsCommand(program: Command): void {
  program
    .command('events')
    .description('stream the cluster events (services, nodes, tasks, networks) from this manager, live until Ctrl-C or --until')
    .option('--since <time>', 'show kept events from this time: RFC 3339, Unix seconds, or a duration before now (10m)')
    .option('--until <time>', 'stop streaming at this time (a time past ends at once)')
    .option('-f, --filter <key=value>', 'keep only matching events (type, event, service, node, network, secret, config, scope); repeatable', collect, [])
    .addOption(new Option('--format <format>', 'output format: docker\'s text line, or one JSON object per line').choices(['text', 'json']).default('text'))
    .action(
      action(async (f: EventsFlags, cmd: Command) => {
        const ctx = contextOf(cmd);
        const q = eventsQuery(f, Date.now());
        const onSigint = () => process.exit(0);
        process.once('SIGINT', onSigint);
        try {
          await streamDaemon(layout(ctx.dataDir).socket, ctx.dataDir, `/v1/events?${q.toString()}`, (raw) => {
            const { out, err } = formatEventItem(raw as EventStreamItem, f.format);
            if (out) process.stdout.write(out);
            if (err) process.stderr.write(err);
          });
        } finally {
          process.off('SIGINT', onSigint);
        }
      }),
    );
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

// `swarm service stats [SERVICE...]`: docker stats for a service's tasks,
// wherever they run. The figures come from the leader, which hears every
// node's samples (lib/worker/metrics); live, the table is drawn again every
// second until Ctrl-C, as docker stats does.

import { Command } from 'commander';
import type { StatsView } from '../../api/metrics-types';
import { action, CliContext, contextOf } from '../context';
import { checkStatsFormat, renderServiceStats } from '../render/service-stats';

/** Samples arrive every 5 s per node; redrawing each second shows each one soon after it lands. */
const REFRESH_MS = 1_000;
const CLEAR_SCREEN = '\x1b[2J\x1b[H';

interface StatsFlags {
  stream: boolean;
  trunc: boolean;
  format: string;
}

function fetchStats(ctx: CliContext, refs: readonly string[]): Promise<StatsView> {
  const q = refs.map((r) => `service=${encodeURIComponent(r)}`).join('&');
  return ctx.call<StatsView>('GET', `/v1/stats${q ? `?${q}` : ''}`);
}

export function addServiceStatsCommand(service: Command): void {
  service
    .command('stats')
    .description("display a live stream of the resource use of services' tasks (all services when none is named)")
    .argument('[service...]', 'service name, id or id prefix')
    .option('--no-stream', 'print the current figures once and exit')
    .option('--no-trunc', 'do not truncate task ids')
    .option('--format <format>', 'table, json (one object a line), or a template such as "table {{.Name}}\\t{{.CPUPerc}}"', 'table')
    .action(
      action(async (refs: string[], f: StatsFlags, cmd: Command) => {
        const ctx = contextOf(cmd);
        checkStatsFormat(f.format);
        const render = (v: StatsView) => renderServiceStats(v.tasks, { format: f.format, noTrunc: !f.trunc });
        if (!f.stream) {
          ctx.out(render(await fetchStats(ctx, refs)));
          return;
        }
        process.once('SIGINT', () => process.exit(0));
        // Redrawn in place on a terminal; piped, each refresh follows the last.
        const clear = process.stdout.isTTY ? CLEAR_SCREEN : '';
        for (;;) {
          const view = await fetchStats(ctx, refs);
          ctx.out(clear + render(view));
          await new Promise((r) => setTimeout(r, REFRESH_MS));
        }
      }),
    );
}

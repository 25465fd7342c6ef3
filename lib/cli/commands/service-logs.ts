// `swarm service logs`: the lines of every task of a service (or of one
// task), from every node, as docker prints them: `name.slot.taskid@node | line`.

import { layout } from '../../daemon/data-dir';
import { streamDaemon } from '../../daemon/control-client';
import { CliContext } from '../context';

export interface LogFlags {
  follow: boolean;
  tail?: number;
  timestamps: boolean;
  /** false: no task ids in the prefix (docker's --no-task-ids). */
  taskIds: boolean;
  /** No prefix at all (docker's --raw). */
  raw: boolean;
}

interface LogItem {
  warning?: string;
  task: string;
  name: string;
  node: string;
  stream: 'stdout' | 'stderr';
  timestamp: string;
  line: string;
}

export async function streamServiceLogs(ctx: CliContext, ref: string, f: LogFlags): Promise<void> {
  const q = new URLSearchParams({ ref });
  if (f.follow) q.set('follow', '1');
  if (f.tail !== undefined) q.set('tail', String(f.tail));
  const onSigint = () => process.exit(0);
  process.once('SIGINT', onSigint);
  try {
    await streamDaemon(layout(ctx.dataDir).socket, ctx.dataDir, `/v1/logs?${q.toString()}`, (raw) => {
      const item = raw as LogItem;
      if (item.warning) {
        process.stderr.write(`warning: ${item.warning}\n`);
        return;
      }
      const prefix = f.raw ? '' : `${f.taskIds ? `${item.name}.${item.task.slice(0, 12)}` : item.name}@${item.node}    | `;
      const ts = f.timestamps ? `${item.timestamp} ` : '';
      (item.stream === 'stderr' ? process.stderr : process.stdout).write(`${ts}${prefix}${item.line}\n`);
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
}

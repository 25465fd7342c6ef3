// `service logs` on the leader: one request per node that runs tasks of the
// service, over that node's dispatcher session; lines come back as they are
// read and are handed to the reader. A node without a session, or whose
// session ends mid-stream, is reported to the reader instead of hanging it.

import { randomBytes } from 'crypto';
import { WireLogLine } from '../../api/dispatcher-protocol';
import { AsyncQueue } from '../../util/async-queue';
import type { AgentSession } from './agent-session';

export type LogEvent = { kind: 'line'; nodeId: string; line: WireLogLine } | { kind: 'warning'; message: string };

export interface LogQuery {
  nodeIds: readonly string[];
  taskIds?: string[];
  serviceId?: string;
  follow: boolean;
  tail?: number;
}

interface Stream {
  session: AgentSession;
  reader: Reader;
}

interface Reader {
  queue: AsyncQueue<LogEvent>;
  open: Set<string>;
}

export class LogBroker {
  private readonly streams = new Map<string, Stream>();

  constructor(private readonly sessionOf: (nodeId: string) => AgentSession | undefined) {}

  subscribe(q: LogQuery, signal: AbortSignal): AsyncIterable<LogEvent> {
    const reader: Reader = { queue: new AsyncQueue(), open: new Set() };
    for (const nodeId of q.nodeIds) {
      const s = this.sessionOf(nodeId);
      if (!s?.answered || !s.isOpen) {
        reader.queue.push({ kind: 'warning', message: `node ${nodeId} is not connected: its logs are not available` });
        continue;
      }
      const requestId = randomBytes(12).toString('hex');
      this.streams.set(requestId, { session: s, reader });
      reader.open.add(requestId);
      s.send({ v: 1, type: 'logsRequest', requestId, taskIds: q.taskIds, serviceId: q.serviceId, follow: q.follow, tail: q.tail });
    }
    const cancel = (): void => {
      for (const id of reader.open) {
        this.streams.get(id)?.session.send({ v: 1, type: 'logsCancel', requestId: id });
        this.streams.delete(id);
      }
      reader.open.clear();
      reader.queue.end();
    };
    if (signal.aborted) cancel();
    else signal.addEventListener('abort', cancel, { once: true });
    if (reader.open.size === 0) reader.queue.end();
    return reader.queue;
  }

  onLines(s: AgentSession, requestId: string, lines: readonly WireLogLine[]): void {
    const st = this.streams.get(requestId);
    if (!st || st.session !== s) return;
    for (const line of lines) st.reader.queue.push({ kind: 'line', nodeId: s.nodeId, line });
  }

  onEnd(s: AgentSession, requestId: string, error?: string): void {
    const st = this.streams.get(requestId);
    if (!st || st.session !== s) return;
    if (error) st.reader.queue.push({ kind: 'warning', message: `node ${s.nodeId}: ${error}` });
    this.finish(requestId, st);
  }

  onSessionClosed(s: AgentSession): void {
    for (const [id, st] of this.streams) {
      if (st.session !== s) continue;
      st.reader.queue.push({ kind: 'warning', message: `node ${s.nodeId}: its session ended; some of its logs may be missing` });
      this.finish(id, st);
    }
  }

  /** Every stream ends, as when this manager stops leading. */
  closeAll(): void {
    for (const [id, st] of this.streams) {
      st.reader.queue.push({ kind: 'warning', message: 'this manager stopped leading; run the command again' });
      this.finish(id, st);
    }
  }

  private finish(id: string, st: Stream): void {
    this.streams.delete(id);
    st.reader.open.delete(id);
    if (st.reader.open.size === 0) st.reader.queue.end();
  }
}

// A process task's output: each line appended to output.log as JSON with its
// stream and timestamp, and handed to whoever follows the task live. Appends
// are synchronous, so a follower that reads the file and subscribes in one
// turn of the event loop sees every line exactly once.

import { appendFileSync, readFileSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { fixedTimestamp } from '../status';
import type { LogLine } from '../types';

interface StoredLine {
  t: string;
  s: 'stdout' | 'stderr';
  l: string;
}

interface TaskRef {
  taskId: string;
  serviceId: string;
}

/** The lines of a task's log file, the last `tail` of them when given. */
export function readLogFile(file: string, task: TaskRef, tail: number | undefined): LogLine[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const out: LogLine[] = [];
  for (const raw of text.split('\n')) {
    if (raw === '') continue;
    try {
      const s = JSON.parse(raw) as StoredLine;
      out.push({ taskId: task.taskId, serviceId: task.serviceId, stream: s.s, line: s.l, timestamp: s.t });
    } catch {
      // A line torn by a crash mid-append is skipped.
    }
  }
  return tail === undefined ? out : out.slice(Math.max(0, out.length - Math.max(0, Math.floor(tail))));
}

/** Cuts a byte stream into lines; a multi-byte character split across chunks stays whole. */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  push(chunk: Buffer): string[] {
    const lines = (this.pending + this.decoder.write(chunk)).split('\n');
    this.pending = lines.pop() ?? '';
    return lines;
  }

  /** The last line, when the output did not end with a line break. */
  flush(): string[] {
    const rest = this.pending + this.decoder.end();
    this.pending = '';
    return rest === '' ? [] : [rest];
  }
}

export class OutputLog {
  private readonly followers = new Set<(line: LogLine) => void>();
  private readonly enders = new Set<() => void>();
  private ended = false;

  constructor(
    private readonly file: string,
    private readonly task: TaskRef,
  ) {}

  append(stream: 'stdout' | 'stderr', lines: readonly string[]): void {
    if (lines.length === 0) return;
    const t = fixedTimestamp();
    appendFileSync(this.file, lines.map((l) => JSON.stringify({ t, s: stream, l } satisfies StoredLine)).join('\n') + '\n');
    for (const l of lines) {
      const line: LogLine = { taskId: this.task.taskId, serviceId: this.task.serviceId, stream, line: l, timestamp: t };
      for (const f of this.followers) f(line);
    }
  }

  /** No more output: the process exited and its pipes are drained. */
  end(): void {
    this.ended = true;
    for (const done of [...this.enders]) done();
  }

  follow(tail: number | undefined, push: (line: LogLine) => void, signal: AbortSignal): Promise<void> {
    for (const line of readLogFile(this.file, this.task, tail)) push(line);
    if (this.ended || signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        this.followers.delete(push);
        this.enders.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.followers.add(push);
      this.enders.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

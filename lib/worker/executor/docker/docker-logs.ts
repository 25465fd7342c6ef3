// A container's output as log lines. Containers run without a TTY, so the
// engine multiplexes stdout and stderr into frames: [stream, 0, 0, 0, size
// (u32 big-endian)] then the payload. Asked for timestamps, it writes each log
// entry as one frame "2006-01-02T15:04:05.000000000Z text\n".

import type Docker from 'dockerode';
import type { LogSource } from '../controller';
import { fixedTimestamp } from '../status';
import type { LogLine } from '../types';

const HEADER_BYTES = 8;
const STDERR = 2;

/** Reassembles frames from chunks that may split them anywhere. */
export class FrameDecoder {
  private buffered: Buffer = Buffer.alloc(0);

  constructor(private readonly onFrame: (stream: 'stdout' | 'stderr', payload: string) => void) {}

  push(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    let offset = 0;
    while (offset + HEADER_BYTES <= this.buffered.length) {
      const size = this.buffered.readUInt32BE(offset + 4);
      if (offset + HEADER_BYTES + size > this.buffered.length) break;
      const stream = this.buffered[offset] === STDERR ? 'stderr' : 'stdout';
      this.onFrame(stream, this.buffered.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + size).toString('utf8'));
      offset += HEADER_BYTES + size;
    }
    this.buffered = this.buffered.subarray(offset);
  }
}

const TIMESTAMPED = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) ?(.*)$/s;

/** The lines of one timestamped frame; a line without its own timestamp takes the frame's. */
export function frameLines(
  payload: string,
  stream: 'stdout' | 'stderr',
  task: { taskId: string; serviceId: string },
): LogLine[] {
  const text = payload.endsWith('\n') ? payload.slice(0, -1) : payload;
  const out: LogLine[] = [];
  let timestamp = fixedTimestamp();
  for (const piece of text.split('\n')) {
    const m = TIMESTAMPED.exec(piece);
    if (m !== null) timestamp = fixedTimestamp(m[1]);
    out.push({ taskId: task.taskId, serviceId: task.serviceId, stream, line: m !== null ? m[2] : piece, timestamp });
  }
  return out;
}

function tailOption(tail: number | undefined): { tail?: number } {
  return tail !== undefined ? { tail: Math.max(0, Math.floor(tail)) } : {};
}

export class DockerLogSource implements LogSource {
  constructor(
    private readonly container: Docker.Container,
    readonly taskId: string,
    readonly serviceId: string,
  ) {}

  async read(tail: number | undefined): Promise<LogLine[]> {
    const buffer = await this.container.logs({ stdout: true, stderr: true, timestamps: true, follow: false, ...tailOption(tail) });
    const out: LogLine[] = [];
    new FrameDecoder((stream, payload) => out.push(...frameLines(payload, stream, this))).push(buffer);
    return out;
  }

  async follow(tail: number | undefined, push: (line: LogLine) => void, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    const stream = await this.container.logs({ stdout: true, stderr: true, timestamps: true, follow: true, ...tailOption(tail) });
    const decoder = new FrameDecoder((s, payload) => frameLines(payload, s, this).forEach(push));
    await new Promise<void>((resolve, reject) => {
      const finish = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
        finish();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      stream.on('data', (chunk: Buffer) => decoder.push(chunk));
      stream.on('end', finish);
      stream.on('close', finish);
      stream.on('error', (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) resolve();
        else reject(e instanceof Error ? e : new Error(String(e)));
      });
    });
  }
}

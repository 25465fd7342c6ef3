// Reading several tasks' output as one stream. Without follow: every task's
// lines, merged in timestamp order. With follow: lines as they arrive, from
// every task at once, until each task's output ends or the reader stops.

import { Doorbell, isAbortError } from './abort';
import type { LogSource } from './controller';
import type { LogLine, LogOptions } from './types';

/** How long a follower waits without news before looking again (a safety net, not a poll). */
const IDLE_WAKE_MS = 60_000;

export async function* readLogs(sources: readonly LogSource[], options: LogOptions): AsyncGenerator<LogLine> {
  if (options.signal?.aborted) return;
  if (options.follow !== true) {
    const all = (await Promise.all(sources.map((s) => s.read(options.tail)))).flat();
    // Array.prototype.sort is stable: lines of one task with equal timestamps keep their order.
    all.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
    for (const line of all) {
      if (options.signal?.aborted) return;
      yield line;
    }
    return;
  }
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const buffered: LogLine[] = [];
  const bell = new Doorbell();
  let open = sources.length;
  let failure: unknown;
  for (const source of sources) {
    source
      .follow(
        options.tail,
        (line) => {
          buffered.push(line);
          bell.ring();
        },
        stop.signal,
      )
      .catch((e: unknown) => {
        if (!isAbortError(e)) failure ??= e;
      })
      .finally(() => {
        open--;
        bell.ring();
      });
  }
  try {
    for (;;) {
      for (const line of buffered.splice(0)) yield line;
      if (failure !== undefined) throw failure;
      if (open === 0) return;
      try {
        await bell.wait(stop.signal, IDLE_WAKE_MS);
      } catch (e) {
        if (isAbortError(e)) return;
        throw e;
      }
    }
  } finally {
    // Also reached when the reader breaks out of its loop: the sources close their streams.
    stop.abort();
    options.signal?.removeEventListener('abort', onAbort);
  }
}

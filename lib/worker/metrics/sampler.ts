// Every METRICS_INTERVAL_MS the node reads its running tasks' counters and
// sends the samples over its dispatcher session. One round at a time: while a
// slow engine keeps a round busy, the next ones are skipped rather than
// queued, so samples never pile up. Samples that find no session are dropped:
// a late figure is worth nothing, the next round brings a fresh one.

import { METRICS_INTERVAL_MS, TaskMetricsSample } from '../../api/metrics-types';
import { MAX_METRICS_SAMPLES } from '../../api/dispatcher-protocol';
import { toSample, UsageReading } from './usage';

export interface MetricsSamplerOptions {
  /** The counters of the tasks running now (Executor.usage). */
  read(): Promise<Map<string, UsageReading>>;
  /** Sends one message's worth; false when there is no session. */
  send(samples: TaskMetricsSample[]): boolean;
  intervalMs?: number;
  logger?: { warn(msg: string): void };
}

export interface SamplerStats {
  rounds: number;
  /** Rounds not started because the previous one was still reading. */
  skipped: number;
  sent: number;
}

export class MetricsSampler {
  private prev = new Map<string, UsageReading>();
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private lastError: string | undefined;
  readonly stats: SamplerStats = { rounds: 0, skipped: 0, sent: 0 };

  constructor(private readonly o: MetricsSamplerOptions) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.round(), this.o.intervalMs ?? METRICS_INTERVAL_MS);
    // The daemon's other handles keep it alive; a sampler alone must not.
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One round: read, turn into samples against the previous readings, send. */
  async round(): Promise<void> {
    if (this.busy) {
      this.stats.skipped++;
      return;
    }
    this.busy = true;
    this.stats.rounds++;
    try {
      const samples = this.advance(await this.o.read());
      for (let i = 0; i < samples.length; i += MAX_METRICS_SAMPLES) {
        const chunk = samples.slice(i, i + MAX_METRICS_SAMPLES);
        if (!this.o.send(chunk)) break;
        this.stats.sent += chunk.length;
      }
      this.lastError = undefined;
    } catch (e) {
      // Said once, not every 5 s while the engine is away.
      const msg = e instanceof Error ? e.message : String(e);
      if (msg !== this.lastError) this.o.logger?.warn(`task metrics: cannot read the tasks' use: ${msg}`);
      this.lastError = msg;
    } finally {
      this.busy = false;
    }
  }

  /** Samples for `readings`; they become the base of the next round (tasks not read are forgotten). */
  advance(readings: ReadonlyMap<string, UsageReading>): TaskMetricsSample[] {
    const out: TaskMetricsSample[] = [];
    for (const [taskId, cur] of readings) {
      const s = toSample(taskId, this.prev.get(taskId), cur);
      if (s) out.push(s);
    }
    this.prev = new Map(readings);
    return out;
  }
}

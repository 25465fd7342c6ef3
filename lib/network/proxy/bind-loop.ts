// Binding a listener until it works. Failing to bind is normal here: another
// node process on the same machine may hold the address and port (it serves
// the same containers; we take over when it goes), or the local route for the
// address may not be there yet. So: retry at an interval, count the failures,
// and say so once per listener rather than once per attempt.

import { errorCode } from '../dial-error';
import type { ProxyLogger } from './types';

export interface BindLoopOptions {
  /** e.g. "tcp 10.0.0.2:80 (vip:web:80)", for the log. */
  what: string;
  retryMs: number;
  logger?: ProxyLogger;
  /** One bind; rejects with the socket error when it fails. */
  attempt(): Promise<void>;
}

export class BindLoop {
  /** Failed attempts so far. */
  failures = 0;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private reported = false;

  constructor(private readonly o: BindLoopOptions) {}

  start(): void {
    void this.tryOnce();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async tryOnce(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.o.attempt();
      if (this.reported) this.o.logger?.info?.(`proxy ${this.o.what}: listening after ${this.failures} failed attempts`);
    } catch (err) {
      if (this.stopped) return;
      this.failures++;
      if (!this.reported) {
        this.reported = true;
        this.report(err);
      }
      this.timer = setTimeout(() => void this.tryOnce(), this.o.retryMs);
      // A retry alone must not keep the process alive.
      this.timer.unref();
    }
  }

  private report(err: unknown): void {
    const every = `retrying every ${this.o.retryMs} ms`;
    const code = errorCode(err);
    if (code === 'EADDRINUSE') this.o.logger?.info?.(`proxy ${this.o.what}: address in use (another node on this machine serves it?); ${every}`);
    else if (code === 'EADDRNOTAVAIL') this.o.logger?.info?.(`proxy ${this.o.what}: address not available yet (no local route?); ${every}`);
    else this.o.logger?.warn(`proxy ${this.o.what}: cannot bind: ${(err as Error).message}; ${every}`);
  }
}

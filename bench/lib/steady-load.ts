// An open-loop HTTP load: requests start at a fixed rate whether or not the
// earlier ones have answered (as real users arrive), so the work asked of a
// service does not shrink when it slows down; a cap on requests in flight
// keeps a stalled service from piling up sockets. Each request is a new
// connection (busybox httpd closes every one).

import * as http from 'http';

export interface LoadTally {
  started: number;
  ok: number;
  failed: number;
  /** Not started: the cap on requests in flight was reached. */
  skipped: number;
}

export class SteadyLoad {
  readonly tally: LoadTally = { started: 0, ok: 0, failed: 0, skipped: 0 };
  private timer?: NodeJS.Timeout;
  private inFlight = 0;
  private readonly agent = new http.Agent({ keepAlive: false });

  constructor(
    private readonly target: { host: string; port: number; path: string },
    private readonly maxInFlight = 64,
    private readonly timeoutMs = 10_000,
  ) {}

  /** Starts `perSecond` requests a second, spread evenly (ticks of 10 ms carry what is due). */
  start(perSecond: number): void {
    this.stop();
    const t0 = Date.now();
    let due = 0;
    this.timer = setInterval(() => {
      const wanted = Math.floor(((Date.now() - t0) / 1000) * perSecond);
      for (; due < wanted; due++) this.one();
    }, 10);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  close(): void {
    this.stop();
    this.agent.destroy();
  }

  private one(): void {
    if (this.inFlight >= this.maxInFlight) {
      this.tally.skipped++;
      return;
    }
    this.inFlight++;
    this.tally.started++;
    let settled = false;
    const done = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      this.inFlight--;
      if (ok) this.tally.ok++;
      else this.tally.failed++;
    };
    const req = http.get({ ...this.target, agent: this.agent, timeout: this.timeoutMs }, (res) => {
      res.resume();
      res.once('end', () => done(res.statusCode === 200));
      res.once('error', () => done(false));
    });
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', () => done(false));
  }
}

/** One request, timed (for calibrating the cost of a request on an idle service). */
export function timedGet(target: { host: string; port: number; path: string }, timeoutMs = 10_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = http.get({ ...target, agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.once('end', () => (res.statusCode === 200 ? resolve(Number(process.hrtime.bigint() - t0) / 1e6) : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', reject);
  });
}

// A bench's life: a hard overall deadline, Ctrl-C, and cleanup steps that run
// whatever happened (success, error, deadline, signal), newest first, each
// bounded so that a hung step cannot keep the bench alive.

/** Set once the bench gives up: helpers refuse to start new work after it. */
export const benchAbort = new AbortController();

export function checkNotAborted(): void {
  if (benchAbort.signal.aborted) throw new Error('the bench is shutting down');
}

/** A bench that cannot run here, for a reason its message gives in full: printed without a stack. */
export class CannotRun extends Error {
  override name = 'CannotRun';
}

export function log(line: string): void {
  // Progress goes to stderr, so stdout ends with the JSON line alone.
  process.stderr.write(`${new Date().toISOString().slice(11, 23)} ${line}\n`);
}

export function withTimeout<T>(what: string, p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

interface Step {
  what: string;
  fn: () => Promise<void>;
  timeoutMs: number;
}

export class Cleanup {
  private readonly steps: Step[] = [];

  /** Registers a step; steps run in reverse order of registration. */
  add(what: string, fn: () => Promise<void>, timeoutMs = 60_000): void {
    this.steps.push({ what, fn, timeoutMs });
  }

  private running: Promise<void> | undefined;

  /** Runs the steps left; a second caller while they run (the deadline and the body's finally) waits for the same run. */
  run(): Promise<void> {
    this.running ??= this.runSteps().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async runSteps(): Promise<void> {
    // Cleanup must not be refused by the abort check, so the steps call lower-level helpers.
    while (this.steps.length > 0) {
      const s = this.steps.pop() as Step;
      try {
        await withTimeout(s.what, s.fn(), s.timeoutMs);
      } catch (e) {
        log(`cleanup: ${s.what} failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
}

/** How long an aborted body may take to notice (every wait polls the abort; a CLI call is bounded by 60 s). */
const SETTLE_MS = 70_000;

/**
 * Runs a bench with a deadline; cleans up in every case, then prints the
 * body's result as the last line (after the cleanup's own messages) and
 * exits the process (dockerode's keep-alive sockets would otherwise hold it open).
 * On the deadline or a signal the body is first left to notice the abort and
 * settle: something it started meanwhile (a daemon whose pid is only read once
 * `swarm init` returns) then has its cleanup step registered before the cleanup runs.
 */
export function runBench(name: string, deadlineMs: number, body: (cleanup: Cleanup) => Promise<object>): void {
  const cleanup = new Cleanup();
  let exiting = false;
  const exit = async (code: number, result?: object): Promise<void> => {
    if (exiting) return;
    exiting = true;
    await cleanup.run();
    if (result !== undefined) process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(code);
  };
  // After an abort, abort() does the exit, with its own code.
  const settled = body(cleanup).then(
    (result) => {
      if (!benchAbort.signal.aborted) void exit(0, result);
    },
    (e: unknown) => {
      if (benchAbort.signal.aborted) return;
      log(`${name}: ${e instanceof CannotRun ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      void exit(1);
    },
  );
  const abort = (why: string, code: number): void => {
    if (benchAbort.signal.aborted || exiting) return;
    log(`${name}: ${why}, cleaning up`);
    benchAbort.abort();
    const late = new Promise<void>((r) => setTimeout(r, SETTLE_MS));
    void Promise.race([settled, late]).then(() => exit(code));
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => abort(sig, 130));
  setTimeout(() => abort(`the bench did not finish within ${deadlineMs / 1000} s`, 1), deadlineMs);
}

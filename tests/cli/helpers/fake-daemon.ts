import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { CommanderError } from 'commander';
import { ControlError, ControlServer } from '../../../lib/daemon/control-server';
import { buildProgram } from '../../../lib/cli/program';

// A control socket in a temporary data dir that answers from a table, and
// records what the CLI sent: commands are then run in-process against it,
// so a test sees exactly the requests, the output and the exit status.

export interface SentRequest {
  method: string;
  path: string;
  body: unknown;
}

/** An answer: a body (status 200), or an error with the status and one-line message the manager would give. */
export type Answer = { body: unknown } | { status: number; error: string };

export interface FakeDaemon {
  dataDir: string;
  sent: SentRequest[];
  stop(): Promise<void>;
}

/** `routes` maps "METHOD /path" to an answer; anything else is a 404 naming the route. */
export async function startFakeDaemon(routes: Record<string, Answer | ((body: unknown) => Answer | Promise<Answer>)>): Promise<FakeDaemon> {
  const dataDir = mkdtempSync(join(tmpdir(), 'swarm-cli-'));
  const sent: SentRequest[] = [];
  const server = new ControlServer(join(dataDir, 'swarm.sock'), async (req) => {
    sent.push({ method: req.method, path: req.path, body: req.body });
    const route = routes[`${req.method} ${req.path}`];
    if (!route) throw new ControlError(404, `no route ${req.method} ${req.path} in this test`);
    const answer = typeof route === 'function' ? await route(req.body) : route;
    if ('error' in answer) throw new ControlError(answer.status, answer.error);
    return { status: 200, body: answer.body };
  });
  await server.start();
  return {
    dataDir,
    sent,
    stop: async () => {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `swarm --data-dir DIR ARGS` in-process and waits for its action.
 * Commands write through process.stdout/stderr and set process.exitCode, so
 * those are captured for the run and restored after it.
 */
export async function runCli(args: string[], dataDir: string): Promise<CliRun> {
  const run: CliRun = { exitCode: 0, stdout: '', stderr: '' };
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    run.stdout += String(s);
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    run.stderr += String(s);
    return true;
  });
  const savedExit = process.exitCode;
  process.exitCode = undefined;
  try {
    const program = buildProgram()
      .exitOverride()
      .configureOutput({ writeOut: (s) => (run.stdout += s), writeErr: (s) => (run.stderr += s) });
    // Before the command: after `service create IMAGE` it would be the container's.
    await program.parseAsync(['--data-dir', dataDir, ...args], { from: 'user' });
    run.exitCode = typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    run.exitCode = e.exitCode;
  } finally {
    process.exitCode = savedExit;
    out.mockRestore();
    err.mockRestore();
  }
  return run;
}

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CommanderError } from 'commander';
import { buildProgram } from '../../lib/cli/program';

const REPO_ROOT = resolve(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };

interface Run {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Drives the CLI in-process; exitOverride turns commander's process.exit into a throw. */
function runCli(args: string[]): Run {
  const run: Run = { exitCode: 0, stdout: '', stderr: '' };
  const program = buildProgram()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => (run.stdout += s),
      writeErr: (s) => (run.stderr += s),
    });
  try {
    program.parse(args, { from: 'user' });
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    run.exitCode = err.exitCode;
  }
  return run;
}

describe('swarm CLI', () => {
  test.each([['--version'], ['-v']])('%s prints the version from package.json', (flag) => {
    const run = runCli([flag]);
    expect(run).toEqual({ exitCode: 0, stdout: `${manifest.version}\n`, stderr: '' });
  });

  test('--help describes swarm and is honest about what exists', () => {
    const run = runCli(['--help']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/^Usage: swarm/);
    expect(run.stdout).toContain('Docker Swarm-style cluster orchestrator');
    for (const cmd of ['init', 'join', 'start', 'stop', 'info', 'join-token', 'node', 'service', 'network', 'stack', 'secret', 'config', 'events']) expect(run.stdout).toMatch(new RegExp(`\\n  ${cmd}\\b`));
    // Secrets and configs exist now: no longer promised for later.
    expect(run.stdout).not.toMatch(/later\s+releases/);
    expect(run.stdout).not.toMatch(/Overlay networks[^.]*later/);
  });

  test('with no arguments prints the help', () => {
    const run = runCli([]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/^Usage: swarm/);
  });

  test('an unknown command is an error that names it', () => {
    const run = runCli(['frobnicate']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain("unknown command 'frobnicate'");
  });

  test('an unknown option is an error', () => {
    const run = runCli(['--frobnicate']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain("unknown option '--frobnicate'");
  });
});

// The shim runs the compiled CLI, so this needs `npm run build` (CI builds before testing).
const compiledCli = join(REPO_ROOT, 'dist', 'bin', 'cli.js');
const describeShim = existsSync(compiledCli) ? describe : describe.skip;
const shimTitle = existsSync(compiledCli)
  ? 'bin/swarm'
  : 'bin/swarm [skipped: dist/bin/cli.js not built; run npm run build]';

describeShim(shimTitle, () => {
  test('node bin/swarm --version prints the version and exits 0', () => {
    const child = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'swarm'), '--version'], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(child.error).toBeUndefined();
    expect({ status: child.status, stdout: child.stdout }).toEqual({ status: 0, stdout: `${manifest.version}\n` });
  });
});

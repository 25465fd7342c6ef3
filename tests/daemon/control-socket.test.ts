import { spawn } from 'child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { callDaemon, DaemonError, DaemonNotRunningError } from '../../lib/daemon/control-client';
import { ControlError, ControlServer } from '../../lib/daemon/control-server';

describe('the control socket', () => {
  let dir: string;
  let server: ControlServer | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'swarm-ctl-'));
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  test('only the owner may open it, and requests round-trip JSON', async () => {
    const sock = join(dir, 'swarm.sock');
    server = new ControlServer(sock, async (req) => ({ status: 200, body: { method: req.method, path: req.path, got: req.body } }));
    await server.start();
    expect(statSync(sock).mode & 0o777).toBe(0o600);
    const r = await callDaemon<{ method: string; path: string; got: unknown }>(sock, dir, 'POST', '/v1/echo', { a: 1 });
    expect(r).toEqual({ method: 'POST', path: '/v1/echo', got: { a: 1 } });
  });

  test("a handler's ControlError reaches the CLI as the same one-line message and status", async () => {
    const sock = join(dir, 'swarm.sock');
    server = new ControlServer(sock, async () => {
      throw new ControlError(409, 'node web-1 is not down: use --force to remove it');
    });
    await server.start();
    const err = await callDaemon(sock, dir, 'DELETE', '/v1/nodes/web-1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DaemonError);
    expect((err as DaemonError).status).toBe(409);
    expect((err as Error).message).toBe('node web-1 is not down: use --force to remove it');
  });

  test('without a daemon the CLI says which data dir has none and how to start one', async () => {
    const err = await callDaemon(join(dir, 'swarm.sock'), dir, 'GET', '/v1/info').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DaemonNotRunningError);
    expect((err as Error).message).toContain(dir);
    expect((err as Error).message).toMatch(/swarm (init|start)/);
  });

  test('a stale socket file left by a killed daemon does not block a new one', async () => {
    const sock = join(dir, 'swarm.sock');
    // A real kill -9: the child listens on the socket and dies without unlinking it.
    const child = spawn(
      process.execPath,
      ['-e', `require('net').createServer().listen(${JSON.stringify(sock)}, () => process.stdout.write('up'))`],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    await new Promise((r) => child.stdout?.once('data', r));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(existsSync(sock)).toBe(true);
    server = new ControlServer(sock, async () => ({ status: 200, body: 2 }));
    await server.start();
    expect(await callDaemon(sock, dir, 'GET', '/')).toBe(2);
  });
});

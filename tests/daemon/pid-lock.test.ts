import { ChildProcess, spawn } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { layout } from '../../lib/daemon/data-dir';
import { kernelLocksSupported, lockKey, lockName } from '../../lib/daemon/kernel-lock';
import { acquirePidLock, DataDirLockedError, lockHolder } from '../../lib/daemon/pid-lock';
import { isSwarmDaemonCommand } from '../../lib/daemon/process-check';

/** Polls `check` every 20 ms until it holds, failing after `timeoutMs`. */
async function waitFor(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Whether /proc shows `pid` as a zombie all of whose threads are gone: exited, but not reaped. */
function zombie(pid: number): boolean {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return /^State:\s*Z/m.test(status) && /^Threads:\s*1$/m.test(status);
  } catch {
    return false;
  }
}

// What another daemon does with the lock: listen on the data dir's lock name and write its pid file.
const HOLDER = `
const [name, pidFile] = process.argv.slice(2);
require('net').createServer().listen('\\0' + name, () => {
  require('fs').writeFileSync(pidFile, process.pid + '\\n');
  process.stdout.write('up');
});
`;

describe('the data dir lock', () => {
  let dir: string;
  const children: ChildProcess[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'swarm-pid-'));
  });
  afterEach(() => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  function child(cmd: string, args: string[]): ChildProcess {
    const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(c);
    return c;
  }

  /**
   * Another process takes the lock. With `zombie`, it runs under a shell that
   * then becomes `sleep`, which never reaps it: killed, it stays a zombie for
   * as long as the test lasts, as a daemon does under a slow pid 1.
   */
  async function holder(zombie: boolean): Promise<number> {
    const script = join(dir, 'holder.js');
    writeFileSync(script, HOLDER);
    const name = (await lockName(dir, await lockKey(layout(dir).lockKey))).slice(1);
    const c = zombie
      ? child('sh', ['-c', '"$0" "$1" "$2" "$3" & exec sleep 60', process.execPath, script, name, layout(dir).pid])
      : child(process.execPath, [script, name, layout(dir).pid]);
    await new Promise((r) => c.stdout?.once('data', r));
    return Number(readFileSync(layout(dir).pid, 'utf8'));
  }

  test('writes our pid with mode 0600 and removes it on release, which frees the lock', async () => {
    const lock = await acquirePidLock(dir);
    expect(readFileSync(layout(dir).pid, 'utf8').trim()).toBe(String(process.pid));
    expect(statSync(layout(dir).pid).mode & 0o777).toBe(0o600);
    await lock.release();
    expect(existsSync(layout(dir).pid)).toBe(false);
    expect(await lockHolder(dir)).toBeUndefined();
    await (await acquirePidLock(dir)).release();
  });

  test('a pid file naming a live process that is not a swarm daemon does not block', async () => {
    const sleeper = child('sleep', ['60']);
    writeFileSync(layout(dir).pid, `${sleeper.pid}\n`);
    expect(await lockHolder(dir)).toBeUndefined();
    const lock = await acquirePidLock(dir);
    expect(readFileSync(layout(dir).pid, 'utf8').trim()).toBe(String(process.pid));
    await lock.release();
  });

  test("a pid file naming a live swarm daemon for this data dir blocks (a daemon from before the kernel lock), another data dir's does not", async () => {
    // The command line is all that identifies it: a node process running a `swarm` script as `daemon`.
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'bin', 'swarm'), 'setTimeout(() => {}, 60000); process.stdout.write("up");');
    const mine = child(process.execPath, [join(dir, 'bin', 'swarm'), 'daemon', '--data-dir', dir]);
    const other = child(process.execPath, [join(dir, 'bin', 'swarm'), 'daemon', '--data-dir', join(dir, 'elsewhere')]);
    await Promise.all([mine, other].map((c) => new Promise((r) => c.stdout?.once('data', r))));

    writeFileSync(layout(dir).pid, `${other.pid}\n`);
    await (await acquirePidLock(dir)).release();

    writeFileSync(layout(dir).pid, `${mine.pid}\n`);
    expect(await lockHolder(dir)).toEqual({ pid: mine.pid });
    const err = await acquirePidLock(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataDirLockedError);
    expect((err as Error).message).toContain(`pid ${mine.pid}`);
  });

  (kernelLocksSupported ? describe : describe.skip)('held by the kernel (Linux)', () => {
    test('a live holder is refused, naming its pid and the data dir, and its pid file is left alone', async () => {
      const pid = await holder(false);
      expect(await lockHolder(dir)).toEqual({ pid });
      const err = await acquirePidLock(dir).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DataDirLockedError);
      expect((err as Error).message).toBe(`a swarm daemon (pid ${pid}) is already running with data dir ${dir}`);
      expect(readFileSync(layout(dir).pid, 'utf8').trim()).toBe(String(pid));
    });

    test('a holder killed with SIGKILL is taken over at once, though it lingers as a zombie', async () => {
      const pid = await holder(true);
      process.kill(pid, 'SIGKILL');
      await waitFor(`pid ${pid} to become a zombie`, () => zombie(pid));
      // What fooled the pid check: signal 0 still reaches a zombie.
      expect(() => process.kill(pid, 0)).not.toThrow();
      expect(await lockHolder(dir)).toBeUndefined();
      const lock = await acquirePidLock(dir);
      expect(readFileSync(layout(dir).pid, 'utf8').trim()).toBe(String(process.pid));
      expect(zombie(pid)).toBe(true);
      await lock.release();
    });

    test('of two daemons starting at once on a new data dir, exactly one gets the lock', async () => {
      const results = await Promise.allSettled([acquirePidLock(dir), acquirePidLock(dir)]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0].reason).toBeInstanceOf(DataDirLockedError);
      await (won[0] as PromiseFulfilledResult<{ release(): Promise<void> }>).value.release();
    });

    test('the lock key is private to the data dir owner', async () => {
      await (await acquirePidLock(dir)).release();
      expect(statSync(layout(dir).lockKey).mode & 0o777).toBe(0o600);
    });
  });
});

describe("a swarm daemon's command line", () => {
  const dir = '/var/lib/swarm-a';
  test.each([
    [['node', '/usr/lib/swarm/bin/swarm', 'daemon', '--data-dir', dir], true],
    [['/usr/bin/node', '/opt/swarm/dist/bin/cli.js', 'daemon', `--data-dir=${dir}`, '--init'], true],
    [['node', '--enable-source-maps', '/usr/local/bin/swarm', 'start', '--foreground'], true],
    [['node', '/usr/local/bin/swarm', 'daemon', '--data-dir', '/var/lib/swarm-b'], false],
    [['node', '/usr/local/bin/swarm', 'node', 'ls', '--data-dir', dir], false],
    [['sleep', '60'], false],
    [['python3', '/usr/local/bin/swarm', 'daemon'], false],
    [[], false],
  ])('%j: %s', (argv, expected) => {
    expect(isSwarmDaemonCommand(argv, dir)).toBe(expected);
  });
});

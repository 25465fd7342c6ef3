import { spawn } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { acquirePidLock, DataDirLockedError } from '../../lib/daemon/pid-lock';

describe('the data dir pid lock', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'swarm-pid-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('writes our pid with mode 0600 and removes it on release', async () => {
    const file = join(dir, 'swarm.pid');
    const lock = await acquirePidLock(file, dir);
    expect(readFileSync(file, 'utf8').trim()).toBe(String(process.pid));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    await lock.release();
    expect(existsSync(file)).toBe(false);
  });

  test('a second daemon on the same data dir is refused, naming the running pid', async () => {
    const file = join(dir, 'swarm.pid');
    // A live process other than us holds the lock.
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      writeFileSync(file, `${other.pid}\n`);
      const err = await acquirePidLock(file, dir).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DataDirLockedError);
      expect((err as Error).message).toContain(`pid ${other.pid}`);
      expect((err as Error).message).toContain(dir);
      expect(readFileSync(file, 'utf8').trim()).toBe(String(other.pid));
    } finally {
      other.kill('SIGKILL');
    }
  });

  test('a pid file left by a dead daemon is taken over', async () => {
    const file = join(dir, 'swarm.pid');
    const dead = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await new Promise((r) => dead.once('exit', r));
    writeFileSync(file, `${dead.pid}\n`);
    const lock = await acquirePidLock(file, dir);
    expect(readFileSync(file, 'utf8').trim()).toBe(String(process.pid));
    await lock.release();
  });
});

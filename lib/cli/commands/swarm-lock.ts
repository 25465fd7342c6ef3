// Autolock (docs/encryption.md): `swarm unlock`, `swarm unlock-key` and
// `swarm update --autolock`, with docker's wording.

import { Command } from 'commander';
import { DaemonNotRunningError } from '../../daemon/control-client';
import { layout } from '../../daemon/data-dir';
import { lockHolder } from '../../daemon/pid-lock';
import { action, CliContext, contextOf } from '../context';

export function unlockKeyHelp(key: string): string {
  return (
    'To unlock a swarm manager after it restarts, run the `swarm unlock`\n' +
    'command and provide the following key:\n\n' +
    `    ${key}\n\n` +
    'Please remember to store this key in a password manager, since without it you\n' +
    'will not be able to restart the manager.\n'
  );
}

/** The key from the terminal (not echoed) or, piped, the first line of stdin. */
async function readUnlockKey(): Promise<string> {
  const stdin = process.stdin;
  if (stdin.isTTY) {
    process.stderr.write('Enter unlock key: ');
    stdin.setRawMode(true);
    try {
      return await new Promise<string>((resolve, reject) => {
        let typed = '';
        const onData = (chunk: Buffer) => {
          for (const ch of chunk.toString('utf8')) {
            if (ch === '\r' || ch === '\n') return done(() => resolve(typed));
            if (ch === '\u0003') return done(() => reject(new Error('interrupted')));
            if (ch === '\u007f') typed = typed.slice(0, -1);
            else typed += ch;
          }
        };
        const done = (then: () => void) => {
          stdin.off('data', onData);
          stdin.pause();
          process.stderr.write('\n');
          then();
        };
        stdin.on('data', onData);
        stdin.resume();
      });
    } finally {
      stdin.setRawMode(false);
    }
  }
  let text = '';
  for await (const chunk of stdin) text += (chunk as Buffer).toString('utf8');
  return text.split('\n')[0].trim();
}

/** Until the manager that took over from the locked daemon answers (its Raft replayed). */
async function waitUnlocked(ctx: CliContext): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const info = await ctx.call<{ state: string }>('GET', '/v1/info', undefined, 2000);
      if (info.state !== 'locked') return;
    } catch (e) {
      // Between the locked daemon's socket and the manager's, unless the daemon is gone.
      if (e instanceof DaemonNotRunningError && !(await lockHolder(ctx.dataDir))) {
        throw new Error(`the manager stopped after it was unlocked; see ${layout(ctx.dataDir).log}`);
      }
    }
    if (Date.now() > deadline) throw new Error('the manager did not start within 60 s of being unlocked; see its swarm.log');
    await new Promise((r) => setTimeout(r, 100));
  }
}

function parseBool(flag: string): (v: string) => boolean {
  return (v) => {
    if (v === 'true') return true;
    if (v === 'false') return false;
    throw new Error(`invalid argument "${v}" for "--${flag}" flag: use true or false`);
  };
}

export function registerLockCommands(program: Command): void {
  program
    .command('unlock')
    .description('unlock an autolocked manager after a restart; the key is read from the terminal, or from stdin when piped')
    .action(
      action(async (_f: unknown, cmd: Command) => {
        const ctx = contextOf(cmd);
        const info = await ctx.call<{ state: string }>('GET', '/v1/info');
        if (info.state !== 'locked') throw new Error('this node is not locked: nothing to unlock');
        const key = await readUnlockKey();
        if (key === '') throw new Error('no unlock key was given');
        await ctx.call('POST', '/v1/unlock', { key });
        await waitUnlocked(ctx);
      }),
    );

  program
    .command('unlock-key')
    .description("print (or rotate) the key that unlocks an autolocked manager")
    .option('-q, --quiet', 'print the key only')
    .option('--rotate', 'replace the key; the previous one still unlocks a manager that has not seen the new one yet')
    .action(
      action(async (f: { quiet?: boolean; rotate?: boolean }, cmd: Command) => {
        const ctx = contextOf(cmd);
        const { key } = await ctx.call<{ key: string }>('GET', `/v1/unlock-key${f.rotate ? '?rotate=1' : ''}`);
        if (f.quiet) return ctx.out(`${key}\n`);
        if (f.rotate) ctx.out('Successfully rotated manager unlock key.\n\n');
        ctx.out(unlockKeyHelp(key));
      }),
    );

  program
    .command('update')
    .description("update the swarm's settings")
    .requiredOption('--autolock <bool>', 'seal the managers\' data keys with an unlock key: true or false', parseBool('autolock'))
    .action(
      action(async (f: { autolock: boolean }, cmd: Command) => {
        const ctx = contextOf(cmd);
        const r = await ctx.call<{ key?: string; changed: boolean }>('POST', '/v1/swarm/update', { autolock: f.autolock });
        ctx.out('Swarm updated.\n');
        if (f.autolock && r.changed && r.key) ctx.out(unlockKeyHelp(r.key));
      }),
    );
}

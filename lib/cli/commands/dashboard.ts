// `swarm dashboard`: the web dashboard as a foreground process, like
// `kubectl proxy`. It serves the page and relays the page's calls to this data
// dir's daemon, so it can do what that daemon's control socket allows (the
// socket is the data dir owner's only). Loopback by default; any other
// address gets a token and needs HTTPS.

import { randomBytes } from 'crypto';
import { readFileSync } from 'fs';
import { Command } from 'commander';
import { layout } from '../../daemon/data-dir';
import { isLoopback, parseListen } from '../../dashboard/access';
import { loadAssets, pageWeight } from '../../dashboard/assets';
import { DashboardServer } from '../../dashboard/server';
import { action, contextOf } from '../context';

interface DashboardFlags {
  listen: string;
  cert?: string;
  key?: string;
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new Error(`cannot read the ${what} ${path}: ${(e as Error).message}`);
  }
}

export function registerDashboardCommand(program: Command): void {
  program
    .command('dashboard')
    .description('serve the web dashboard for this node\'s daemon until Ctrl-C (loopback by default; elsewhere with a token and HTTPS)')
    .option('--listen <host:port>', 'where to serve it; a non-loopback address needs --cert and --key', '127.0.0.1:8080')
    .option('--cert <file>', 'PEM certificate to serve HTTPS with')
    .option('--key <file>', 'PEM private key of --cert')
    .action(
      action(async (f: DashboardFlags, cmd: Command) => {
        const ctx = contextOf(cmd);
        const { host, port } = parseListen(f.listen);
        if ((f.cert === undefined) !== (f.key === undefined)) throw new Error('--cert and --key go together');
        const loopback = isLoopback(host);
        if (!loopback && f.cert === undefined) {
          throw new Error(
            `--listen ${f.listen} is not a loopback address: anyone who reaches it could drive the swarm, so it needs HTTPS; give --cert FILE --key FILE (or listen on 127.0.0.1 and reach it through an SSH tunnel)`,
          );
        }
        const tls = f.cert !== undefined && f.key !== undefined ? { cert: readPem(f.cert, 'certificate'), key: readPem(f.key, 'key') } : undefined;
        // Fails early and plainly when no daemon runs for this data dir.
        await ctx.call('GET', '/v1/info');
        const assets = loadAssets();
        const token = loopback ? undefined : randomBytes(24).toString('base64url');
        const server = new DashboardServer({ ctx, socketPath: layout(ctx.dataDir).socket, host, port, token, tls, assets });
        await server.start();
        const url = token ? `${server.url}?token=${token}` : server.url;
        ctx.out(`Dashboard for ${ctx.dataDir} at ${url}\n`);
        ctx.out(`(page ${Math.round(pageWeight(assets) / 1024)} KiB; Ctrl-C stops it)\n`);
        await new Promise<void>((resolve) => {
          const stop = () => {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            void server.stop().then(resolve);
          };
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
      }),
    );
}

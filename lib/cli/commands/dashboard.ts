// `swarm dashboard`: the web dashboard as a foreground process, like
// `kubectl proxy`. It serves the page and relays the page's calls to this data
// dir's daemon, so it can do what that daemon's control socket allows (the
// socket is the data dir owner's only). Loopback by default; any other
// address gets a token and HTTPS: with --cert/--key, or else a server-only
// certificate the local manager signs with the cluster's CA.

import { randomBytes } from 'crypto';
import { readFileSync } from 'fs';
import { Command } from 'commander';
import { layout } from '../../daemon/data-dir';
import { isLoopback, parseListen } from '../../dashboard/access';
import { loadAssets, pageWeight } from '../../dashboard/assets';
import { DashboardServer } from '../../dashboard/server';
import { ClusterCertificate, clusterCertificate, renewalDelayMs } from '../../dashboard/cluster-cert';
import { caCertPath } from '../../daemon/credentials';
import { action, CliContext, contextOf } from '../context';

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

/** Fetches a new certificate before the current one expires; a failure is said and retried in a minute. */
function renewCertificate(ctx: CliContext, host: string, server: DashboardServer, notAfter: Date): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const schedule = (delay: number) => {
    if (!stopped) timer = setTimeout(() => void renew(), delay);
  };
  const renew = async () => {
    try {
      const next = await clusterCertificate(ctx, host);
      server.setCertificate(next);
      schedule(renewalDelayMs(next.notAfter));
    } catch (e) {
      process.stderr.write(`warning: could not renew the dashboard's certificate (retrying in a minute): ${(e as Error).message}\n`);
      schedule(60_000);
    }
  };
  schedule(renewalDelayMs(notAfter));
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

export function registerDashboardCommand(program: Command): void {
  program
    .command('dashboard')
    .description('serve the web dashboard for this node\'s daemon until Ctrl-C (loopback by default; elsewhere with a token and HTTPS)')
    .option('--listen <host:port>', 'where to serve it; a non-loopback address gets a token and HTTPS', '127.0.0.1:8080')
    .option('--cert <file>', 'PEM certificate to serve HTTPS with (default off loopback: one from the cluster\'s CA)')
    .option('--key <file>', 'PEM private key of --cert')
    .action(
      action(async (f: DashboardFlags, cmd: Command) => {
        const ctx = contextOf(cmd);
        const { host, port } = parseListen(f.listen);
        if ((f.cert === undefined) !== (f.key === undefined)) throw new Error('--cert and --key go together');
        const loopback = isLoopback(host);
        let tls = f.cert !== undefined && f.key !== undefined ? { cert: readPem(f.cert, 'certificate'), key: readPem(f.key, 'key') } : undefined;
        // Fails early and plainly when no daemon runs for this data dir.
        await ctx.call('GET', '/v1/info');
        // Off loopback without a certificate of one's own: one from the cluster's CA.
        let fromCa: ClusterCertificate | undefined;
        if (!loopback && tls === undefined) {
          fromCa = await clusterCertificate(ctx, host);
          tls = { cert: Buffer.from(fromCa.cert), key: Buffer.from(fromCa.key) };
        }
        const assets = loadAssets();
        const token = loopback ? undefined : randomBytes(24).toString('base64url');
        const server = new DashboardServer({ ctx, socketPath: layout(ctx.dataDir).socket, host, port, token, tls, assets });
        await server.start();
        const url = token ? `${server.url}?token=${token}` : server.url;
        ctx.out(`Dashboard for ${ctx.dataDir} at ${url}\n`);
        if (fromCa) {
          ctx.out(`(HTTPS certificate from the cluster's CA, renewed before it expires; for a browser to trust it, import ${caCertPath(layout(ctx.dataDir).certs)}, SHA-256 ${fromCa.caFingerprint})\n`);
        }
        ctx.out(`(page ${Math.round(pageWeight(assets) / 1024)} KiB; Ctrl-C stops it)\n`);
        const renewal = fromCa ? renewCertificate(ctx, host, server, fromCa.notAfter) : undefined;
        await new Promise<void>((resolve) => {
          const stop = () => {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            renewal?.stop();
            void server.stop().then(resolve);
          };
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
      }),
    );
}

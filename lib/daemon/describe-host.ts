// What a node tells the cluster about itself: hostname, platform, resources,
// and its Docker engine when one answers (the engine is optional until tasks run).

import Docker from 'dockerode';
import { arch, cpus, hostname as osHostname, platform, totalmem } from 'os';
import { NodeDescription } from '../api/types';
import { hostKey } from '../network/host-key';
import { withTimeout } from '../util/with-timeout';

/** docker's architecture names (uname -m), which constraints like node.platform.arch use. */
const ARCH: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', arm: 'armv7l', ia32: 'i386' };

export async function describeHost(opts: {
  hostname?: string;
  dockerHost?: string;
  timeoutMs?: number;
  /** host:port other nodes reach this node's TLS port at, for tunnels to its tasks. */
  dataPathAddr?: string;
}): Promise<NodeDescription> {
  const d: NodeDescription = {
    hostname: opts.hostname ?? osHostname(),
    platform: { os: platform(), arch: ARCH[arch()] ?? arch() },
    resources: { nanoCPUs: cpus().length * 1e9, memoryBytes: totalmem() },
  };
  if (opts.dataPathAddr !== undefined) d.dataPath = { addr: opts.dataPathAddr, hostKey: hostKey() };
  try {
    const docker = dockerFor(opts.dockerHost);
    const info = (await withTimeout(docker.info() as Promise<{ ServerVersion?: string; Labels?: string[] }>, opts.timeoutMs ?? 2000, 'the Docker engine')) ?? {};
    const labels: Record<string, string> = {};
    for (const l of info.Labels ?? []) {
      const eq = l.indexOf('=');
      if (eq > 0) labels[l.slice(0, eq)] = l.slice(eq + 1);
    }
    d.engine = { version: info.ServerVersion ?? '', labels };
  } catch {
    // No engine (yet): the node still joins; tasks will not be placed on it until one answers.
  }
  return d;
}

export function dockerFor(dockerHost: string | undefined): Docker {
  const host = dockerHost ?? process.env.DOCKER_HOST;
  if (!host) return new Docker({ socketPath: '/var/run/docker.sock' });
  if (host.startsWith('unix://')) return new Docker({ socketPath: host.slice('unix://'.length) });
  const u = new URL(host.replace(/^tcp:/, 'http:'));
  return new Docker({ host: u.hostname, port: Number(u.port || 2375) });
}

// What a process-runtime task is given instead of our DNS, which cannot reach
// a host process: the services it may call as environment variables (fixed at
// its start), and a hosts-format file the node keeps current.

import type { NetIndex } from './table';

/** A service name as part of an environment variable: upper case, anything but letters and digits as '_'. */
export function envName(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** `SWARM_SERVICE_<NAME>=<VIP>` for each service (and alias) on these networks; the first network's VIP wins. */
export function serviceEnv(index: NetIndex, networkIds: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const net of networkIds) {
    for (const s of index.data.services.values()) {
      const a = s.networks.find((x) => x.networkId === net);
      if (a?.vip === undefined) continue;
      for (const name of [s.name, ...a.aliases]) env[`SWARM_SERVICE_${envName(name)}`] ??= a.vip;
    }
  }
  return env;
}

/** Every VIP of the table with its service's names, one line each, sorted. */
export function hostsFileText(index: NetIndex): string {
  const lines = new Set<string>();
  for (const s of index.data.services.values()) {
    for (const a of s.networks) if (a.vip !== undefined) lines.add(`${a.vip}\t${[s.name, ...a.aliases].join(' ')}`);
  }
  return `# swarm: the services this machine's tasks may call (kept current by the node)\n${[...lines].sort().join('\n')}\n`;
}

// A real client in a container on the engine's default bridge asks the server,
// as a task will: the server's address is on a local route (docs/networking.md,
// Addresses), reached through the bridge's gateway.
import { execFileSync } from 'node:child_process';
import type Docker from 'dockerode';
import { DnsServer } from '../../../lib/network/dns/server';
import { testImageName } from '../../../lib/testing/test-image';
import { describeWithDocker, withTimeout } from '../../helpers/docker';
import { demuxLogs } from '../../helpers/docker-logs';

const ROUTE = '100.127.250.0/24';
const DNS_ADDRESS = '100.127.250.2';
const API_ADDRESS = '100.127.250.77';
const RUN_TIMEOUT_MS = 20_000;

function ipv4ToInt(address: string): number {
  return address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

function inSubnet(address: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(ipv4ToInt(address) / size) === Math.floor(ipv4ToInt(base) / size);
}

function routeExists(): boolean {
  return execFileSync('ip', ['route', 'show', 'table', 'local', ROUTE], { encoding: 'utf8' }).trim() !== '';
}

async function runToCompletion(docker: Docker, cmd: string[]) {
  const container = await docker.createContainer({
    Image: testImageName(),
    Cmd: cmd,
    HostConfig: {
      Dns: [DNS_ADDRESS],
      // No search domain copied from the host: busybox's nslookup would ask only
      // NAME.DOMAIN for a name without a dot, and never NAME alone.
      DnsSearch: ['.'],
    },
    Labels: { 'swarm.test': 'dns' },
  });
  try {
    await container.start();
    const result = (await withTimeout(container.wait(), RUN_TIMEOUT_MS, 'nslookup to exit')) as { StatusCode: number };
    return { exitCode: result.StatusCode, ...demuxLogs(await container.logs({ stdout: true, stderr: true })) };
  } finally {
    await container.remove({ force: true });
  }
}

describeWithDocker('dns server asked from a container', (docker) => {
  let addedRoute = false;

  beforeAll(() => {
    // Another run may have the route already; then it is theirs to remove.
    if (routeExists()) return;
    execFileSync('ip', ['route', 'add', 'local', ROUTE, 'dev', 'lo']);
    addedRoute = true;
  });

  afterAll(() => {
    if (addedRoute) execFileSync('ip', ['route', 'del', 'local', ROUTE, 'dev', 'lo']);
  });

  test("busybox nslookup resolves a cluster name, and the lookup sees the container's bridge address", async () => {
    const seen: Array<{ peer: string; name: string }> = [];
    const server = await DnsServer.start({
      address: DNS_ADDRESS,
      port: 53,
      upstreams: [],
      lookup: (peer, name) => {
        seen.push({ peer, name });
        return name === 'api' ? { kind: 'records', addresses: [API_ADDRESS], ttlSeconds: 5 } : { kind: 'nxdomain' };
      },
    });
    try {
      const run = await runToCompletion(docker, ['nslookup', 'api']);
      expect(run.stdout).toContain(`Address: ${API_ADDRESS}`);
      expect(run.exitCode).toBe(0);

      const bridge = await docker.getNetwork('bridge').inspect();
      const subnet = bridge.IPAM?.Config?.[0]?.Subnet;
      if (subnet === undefined) throw new Error('the engine reports no subnet for its default bridge');
      expect(seen.length).toBeGreaterThan(0);
      for (const { peer, name } of seen) {
        expect(name).toBe('api');
        expect({ peer, inBridge: inSubnet(peer, subnet) }).toEqual({ peer, inBridge: true });
      }
    } finally {
      await server.close();
    }
  });
});

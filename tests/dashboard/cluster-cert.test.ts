// `swarm dashboard` off loopback without --cert/--key: HTTPS with a
// certificate its daemon signs with the cluster's CA, so a client that trusts
// only that CA connects without any certificate exception. The daemon here is
// a fake control socket signing with an in-process CA (the route itself is
// tested on a real manager in tests/daemon/dashboard-cert-route.test.ts).

import { ChildProcess, spawn } from 'child_process';
import { X509Certificate } from 'crypto';
import { get as httpsGet, RequestOptions } from 'https';
import type { TLSSocket } from 'tls';
import { join } from 'path';
import { RootCA, createRootCA, signDashboardCertificate } from '../../lib/ca';
import { renewalDelayMs } from '../../lib/dashboard/cluster-cert';
import { freePort } from '../../lib/raft/process/process-cluster';
import { eventually } from '../../lib/util/eventually';
import { FakeDaemon, startFakeDaemon } from '../cli/helpers/fake-daemon';

jest.setTimeout(60_000);

const BIN = join(__dirname, '..', '..', 'bin', 'swarm');

interface Got {
  status: number;
  body: string;
  peer: X509Certificate;
}

function fetchTls(url: string, options: RequestOptions): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = httpsGet(url, options, (res) => {
      const peer = new X509Certificate((res.socket as TLSSocket).getPeerCertificate().raw);
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, peer }));
    });
    req.on('error', reject);
  });
}

describe('swarm dashboard with a certificate from the cluster CA', () => {
  let ca: RootCA;
  let daemon: FakeDaemon;
  let child: ChildProcess | undefined;
  let out = '';

  beforeAll(async () => {
    ca = await createRootCA({ clusterId: 'c1' });
    daemon = await startFakeDaemon({
      'GET /v1/info': { body: { clusterId: 'c1' } },
      'POST /v1/dashboard/certificate': async (body) => {
        const b = body as { csrPem: string; hosts: string[] };
        return { body: { certPem: await signDashboardCertificate({ ca, csrPem: b.csrPem, hosts: b.hosts, clusterId: 'c1' }), caPem: ca.certPem } };
      },
    });
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await daemon.stop();
  });

  test('serves HTTPS that a client trusting only the cluster CA accepts, and says which CA to trust', async () => {
    const port = await freePort();
    child = spawn(process.execPath, [BIN, '--data-dir', daemon.dataDir, 'dashboard', '--listen', `0.0.0.0:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
    const printed = await eventually('the dashboard to print its URL', async () => {
      if (child!.exitCode !== null) throw new Error(`swarm dashboard exited ${child!.exitCode}: ${err}`);
      return /at (https:\/\/\S+)/.exec(out)?.[1];
    }, 20_000, 50);
    expect(printed).toMatch(new RegExp(`^https://0\\.0\\.0\\.0:${port}/\\?token=[A-Za-z0-9_-]{32}$`));
    const caFingerprint = new X509Certificate(ca.certPem).fingerprint256;
    expect(out).toContain(`import ${join(daemon.dataDir, 'certificates', 'ca.crt')}, SHA-256 ${caFingerprint}`);

    // Strict verification (chain and address) against the cluster CA alone.
    const token = new URL(printed).searchParams.get('token');
    const page = await fetchTls(`https://0.0.0.0:${port}/`, { ca: ca.certPem });
    expect(page.status).toBe(200);
    expect(page.peer.subject).toContain('OU=swarm-dashboard');
    expect(page.peer.checkIssued(new X509Certificate(ca.certPem))).toBe(true);
    expect(page.peer.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    const info = await fetchTls(`https://0.0.0.0:${port}/api/v1/info`, { ca: ca.certPem, headers: { authorization: `Bearer ${token}` } });
    expect(info).toMatchObject({ status: 200 });
    expect(JSON.parse(info.body)).toEqual({ clusterId: 'c1' });
    const noToken = await fetchTls(`https://0.0.0.0:${port}/api/v1/info`, { ca: ca.certPem });
    expect(noToken.status).toBe(401);

    // A client that trusts another CA (or the system's) refuses it.
    const other = await createRootCA({ clusterId: 'c1' });
    await expect(fetchTls(`https://0.0.0.0:${port}/`, { ca: other.certPem })).rejects.toThrow(/certificate|signature/i);
    await expect(fetchTls(`https://0.0.0.0:${port}/`, {})).rejects.toThrow(/certificate/i);

    // The key stayed in the dashboard: the daemon saw a CSR only.
    expect(JSON.stringify(daemon.sent)).not.toContain('PRIVATE KEY');
  });
});

test('renewal is due when a third of the validity is left, never sooner than a minute, within setTimeout\'s range', () => {
  const now = new Date('2026-05-01T00:00:00Z');
  const days = (n: number) => new Date(now.getTime() + n * 86_400_000);
  expect(renewalDelayMs(days(30), now)).toBe(20 * 86_400_000);
  expect(renewalDelayMs(days(-1), now)).toBe(60_000);
  expect(renewalDelayMs(days(90), now)).toBe(2 ** 31 - 1);
});

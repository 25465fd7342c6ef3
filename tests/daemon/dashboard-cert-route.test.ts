// POST /v1/dashboard/certificate on a real manager: the store's root CA signs
// the dashboard's CSR with the server-only profile; bad requests are a 400.

import { X509Certificate, createPrivateKey } from 'crypto';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { createCSR, createNodeKey } from '../../lib/ca';
import { ControlRequest, ControlResponse } from '../../lib/daemon/control-server';
import { dashboardCertRoute } from '../../lib/daemon/dashboard-cert-route';
import { Router } from '../../lib/daemon/router';
import { createCluster, DEFAULT_CLUSTER_SPEC } from '../../lib/manager/cluster-init';
import { Manager } from '../../lib/manager/manager';
import { startLocalManager } from '../../lib/testing/local-managers';

describe('the dashboard certificate route', () => {
  const root = mkdtempSync(join(tmpdir(), 'swarm-dashcert-route-'));
  let m: Manager;
  let caPem: string;
  let call: (body: unknown) => Promise<ControlResponse>;

  beforeAll(async () => {
    m = await startLocalManager(root);
    await m.raft.waitForLeader();
    // As swarm init commits it: the cluster object holds the root CA.
    const init = await createCluster(DEFAULT_CLUSTER_SPEC);
    await m.write([{ op: 'create', kind: 'cluster', object: init.cluster }]);
    caPem = init.caCertPem;
    const r = new Router();
    dashboardCertRoute(r, m, () => init.clusterId);
    const h = r.handler();
    call = (body) =>
      h({ method: 'POST', path: '/v1/dashboard/certificate', query: new URLSearchParams(), body, signal: new AbortController().signal } as ControlRequest);
  });

  afterAll(async () => {
    await m.stop();
    rmSync(root, { recursive: true, force: true });
  });

  test('signs the CSR for the given host with the cluster CA, and returns the CA', async () => {
    const key = await createNodeKey();
    const answer = await call({ csrPem: await createCSR(key), hosts: ['192.0.2.7'] });
    const { certPem, caPem: returned } = answer.body as { certPem: string; caPem: string };
    expect(returned).toBe(caPem);
    const cert = new X509Certificate(certPem);
    expect(cert.verify(new X509Certificate(caPem).publicKey)).toBe(true);
    expect(cert.checkPrivateKey(createPrivateKey(key.keyPem))).toBe(true);
    expect(cert.checkIP('192.0.2.7')).toBe('192.0.2.7');
    expect(cert.subject).toContain('OU=swarm-dashboard');
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
  });

  test('a cluster not committed yet is a 503 to retry', async () => {
    const r = new Router();
    dashboardCertRoute(r, m, () => 'not-yet');
    const answer = r.handler()({ method: 'POST', path: '/v1/dashboard/certificate', query: new URLSearchParams(), body: { csrPem: 'x', hosts: ['h'] }, signal: new AbortController().signal } as ControlRequest);
    await expect(answer).rejects.toMatchObject({ status: 503, message: expect.stringMatching(/not committed yet/) });
  });

  test('bad requests are a 400 that says what is wrong', async () => {
    const csrPem = await createCSR(await createNodeKey());
    await expect(call(undefined)).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/must carry csrPem .* and hosts/) });
    await expect(call({ csrPem })).rejects.toMatchObject({ status: 400 });
    await expect(call({ csrPem: 'not a csr', hosts: ['h'] })).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/no PEM CERTIFICATE REQUEST/) });
    await expect(call({ csrPem, hosts: ['swarm-manager'] })).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/reserved for the cluster's nodes/) });
    await expect(call({ csrPem, hosts: [7] })).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/non-empty string/) });
  });
});

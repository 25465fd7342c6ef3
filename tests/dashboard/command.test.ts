// `swarm dashboard`'s refusals, in-process against a fake daemon: each is one
// clear line and exit status 1, before anything listens.

import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { FakeDaemon, runCli, startFakeDaemon } from '../cli/helpers/fake-daemon';

describe('swarm dashboard refuses', () => {
  let daemon: FakeDaemon;
  beforeAll(async () => {
    daemon = await startFakeDaemon({ 'GET /v1/info': { body: { clusterId: 'c1' } } });
  });
  afterAll(() => daemon.stop());

  test('a non-loopback address without --cert/--key on a worker, which cannot sign a certificate', async () => {
    const worker = await startFakeDaemon({
      'GET /v1/info': { body: { clusterId: 'c1' } },
      'POST /v1/dashboard/certificate': { status: 503, error: 'this node is a worker and cannot sign a dashboard certificate: run swarm dashboard on a manager, or give --cert/--key' },
    });
    try {
      const r = await runCli(['dashboard', '--listen', '0.0.0.0:8080'], worker.dataDir);
      expect(r).toMatchObject({ exitCode: 1, stdout: '' });
      expect(r.stderr).toBe('Error: this node is a worker and cannot sign a dashboard certificate: run swarm dashboard on a manager, or give --cert/--key\n');
      // Only the public half went out.
      const asked = worker.sent.find((q) => q.path === '/v1/dashboard/certificate');
      expect(asked?.body).toEqual({ csrPem: expect.stringMatching(/^-----BEGIN CERTIFICATE REQUEST-----/), hosts: ['0.0.0.0'] });
      expect(JSON.stringify(worker.sent)).not.toContain('PRIVATE KEY');
    } finally {
      await worker.stop();
    }
  });

  test('--cert without --key, a bad --listen, unreadable PEM files', async () => {
    let r = await runCli(['dashboard', '--cert', 'c.pem'], daemon.dataDir);
    expect(r.stderr).toBe('Error: --cert and --key go together\n');
    r = await runCli(['dashboard', '--listen', '8080'], daemon.dataDir);
    expect(r.stderr).toBe('Error: --listen 8080: use HOST:PORT, e.g. 127.0.0.1:8080\n');
    r = await runCli(['dashboard', '--listen', '0.0.0.0:8080', '--cert', '/nonexistent/c.pem', '--key', '/nonexistent/k.pem'], daemon.dataDir);
    expect(r.stderr).toMatch(/^Error: cannot read the certificate \/nonexistent\/c\.pem: /);
    expect(r.exitCode).toBe(1);
  });

  test('a data dir with no daemon running', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'swarm-dash-none-'));
    try {
      writeFileSync(join(dir, 'placeholder'), '');
      const r = await runCli(['dashboard'], dir);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/^Error: no swarm daemon is running for data dir /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// The dashboard's HTTPS certificate: chains to the cluster CA, so a browser
// that trusts the CA trusts the dashboard, but no node-to-node TLS endpoint
// accepts it as a node, whichever side presents it.

import { X509Certificate } from 'crypto';
import { AddressInfo } from 'net';
import * as tls from 'tls';
import {
  CertificateError,
  RootCA,
  authorizePeerCertificate,
  createCSR,
  createNodeKey,
  expectServer,
  nodeTlsOptions,
  signDashboardCertificate,
  verifyNodeCertificate,
} from '../../lib/ca';
import { x509 } from '../../lib/ca/x509';
import { authorizeRaftPeer } from '../../lib/manager/raft-peer-auth';
import { verifiedPeer } from '../../lib/net/peer-auth';
import { NodeCreds, issueNode, newCluster } from './fixtures';

const CLUSTER = 'c1';
let ca: RootCA;
let manager: NodeCreds;
let dash: NodeCreds;

beforeAll(async () => {
  ca = await newCluster(CLUSTER);
  manager = await issueNode(ca, CLUSTER, 'mgr1', 'manager');
  const key = await createNodeKey();
  dash = { keyPem: key.keyPem, certPem: await signDashboardCertificate({ ca, csrPem: await createCSR(key), clusterId: CLUSTER, hosts: ['10.0.0.5', 'dash.example.com'] }) };
});

async function dashboardCert(hosts: string[], extra: Partial<Parameters<typeof signDashboardCertificate>[0]> = {}): Promise<string> {
  return signDashboardCertificate({ ca, csrPem: await createCSR(await createNodeKey()), clusterId: CLUSTER, hosts, ...extra });
}

describe('the dashboard certificate profile', () => {
  test('server-only, no node identity, the listen address plus loopback, 30 days, signed by the root CA', async () => {
    const now = new Date('2026-05-01T00:00:00Z');
    const pem = await dashboardCert(['10.0.0.5'], { now });
    const cert = new X509Certificate(pem);
    const root = new X509Certificate(ca.certPem);
    expect(cert.verify(root.publicKey)).toBe(true);
    expect(cert.checkIssued(root)).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.subject.split('\n').sort()).toEqual(['CN=swarm-dashboard', `O=${CLUSTER}`, 'OU=swarm-dashboard']);
    expect(cert.subjectAltName).toBe('IP Address:10.0.0.5, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:localhost');
    expect(cert.checkIP('10.0.0.5')).toBe('10.0.0.5');
    expect(cert.checkHost('swarm-manager')).toBeUndefined();
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']); // serverAuth, no clientAuth
    expect(new Date(cert.validFrom).getTime()).toBe(now.getTime() - 3600_000);
    expect(new Date(cert.validTo).getTime()).toBe(now.getTime() + 30 * 86_400_000);
    const ku = new x509.X509Certificate(pem).getExtension(x509.KeyUsagesExtension);
    expect(ku?.usages).toBe(x509.KeyUsageFlags.digitalSignature);
  });

  test('a DNS name and a bracketed IPv6 address', async () => {
    const cert = new X509Certificate(await dashboardCert(['dash.example.com', '[fd00::5]']));
    expect(cert.subjectAltName).toBe('DNS:dash.example.com, IP Address:FD00:0:0:0:0:0:0:5, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:localhost');
  });

  test('refuses names of the cluster, wildcards, no hosts, another cluster, a bad request', async () => {
    await expect(dashboardCert(['swarm-manager'])).rejects.toThrow('dashboard certificate: "swarm-manager" is a name reserved for the cluster\'s nodes');
    await expect(dashboardCert(['SWARM-CA'])).rejects.toThrow(/reserved/);
    await expect(dashboardCert(['*.example.com'])).rejects.toThrow('dashboard certificate: "*.example.com": wildcards are not allowed');
    await expect(dashboardCert([])).rejects.toThrow(/give the address it is served on/);
    await expect(dashboardCert(['bad name!'])).rejects.toThrow(/neither a DNS name nor an IP address/);
    await expect(dashboardCert(['10.0.0.5'], { clusterId: 'other' })).rejects.toThrow(/CA certificate belongs to cluster "c1", not "other"/);
    await expect(dashboardCert(['10.0.0.5'], { csrPem: 'nope' })).rejects.toThrow(CertificateError);
    await expect(dashboardCert(['10.0.0.5'], { validityDays: 400 })).rejects.toThrow(RangeError);
  });
});

describe('no cluster endpoint takes a dashboard certificate for a node', () => {
  let server: tls.Server;
  let port: number;
  let seen: Array<{ authorized: boolean; cert: tls.PeerCertificate; socket: tls.TLSSocket }>;

  beforeAll(async () => {
    // Lenient like the node server (a joining node has no certificate yet), so each check can be seen.
    server = tls.createServer({ ...nodeTlsOptions({ ...manager, caCertPem: ca.certPem }), rejectUnauthorized: false }, (socket) => {
      seen.push({ authorized: socket.authorized, cert: socket.getPeerCertificate(), socket });
      socket.end('hi\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    seen = [];
  });

  function connect(options: tls.ConnectionOptions, to = port): Promise<Error | undefined> {
    return new Promise((resolve) => {
      const c = tls.connect({ host: '127.0.0.1', port: to, ...options });
      let err: Error | undefined;
      c.on('error', (e) => (err = e));
      c.resume();
      c.on('close', () => resolve(err));
    });
  }

  test('as a client: TLS does not verify it (not for client auth), and the peer checks refuse it by name', async () => {
    await connect({ key: dash.keyPem, cert: dash.certPem, ca: ca.certPem, servername: 'swarm-manager' });
    expect(seen).toHaveLength(1);
    const [{ authorized, cert, socket }] = seen;
    expect(authorized).toBe(false);
    expect(String(socket.authorizationError)).toMatch(/INVALID_PURPOSE/);
    // What the dispatcher and node-server routes ask:
    expect(verifiedPeer(socket, { clusterId: CLUSTER, roles: ['manager', 'worker'] })).toEqual({ ok: false, reason: 'client certificate not accepted: INVALID_PURPOSE' });
    // What they, the Raft transport and the mesh ask of the subject, should the chain pass:
    expect(authorizePeerCertificate(cert, { clusterId: CLUSTER, roles: ['manager', 'worker'] })).toBe("a dashboard's HTTPS certificate is not a node's: refused");
    expect(authorizeRaftPeer(undefined, CLUSTER, { id: 1, certificate: cert })).toBe("a dashboard's HTTPS certificate is not a node's: refused");
  });

  test('with the servers node daemons run (client certificate required), the handshake fails', async () => {
    const strict = tls.createServer(nodeTlsOptions({ ...manager, caCertPem: ca.certPem }), (s) => s.end('hi\n'));
    await new Promise<void>((resolve) => strict.listen(0, '127.0.0.1', resolve));
    try {
      let got = '';
      await new Promise<void>((resolve) => {
        const c = tls.connect({ host: '127.0.0.1', port: (strict.address() as AddressInfo).port, key: dash.keyPem, cert: dash.certPem, ca: ca.certPem, servername: 'swarm-manager' });
        c.setEncoding('utf8');
        c.on('data', (d: string) => (got += d));
        c.on('error', () => undefined);
        c.on('close', () => resolve());
      });
      expect(got).toBe('');
    } finally {
      await new Promise<void>((resolve) => strict.close(() => resolve()));
    }
  });

  test('as a server: a node dialling a manager (expectServer) refuses it', async () => {
    const fake = tls.createServer({ key: dash.keyPem, cert: dash.certPem }, (s) => s.end('hi\n'));
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    try {
      const fakePort = (fake.address() as AddressInfo).port;
      const err = await connect(
        { ...nodeTlsOptions({ ...manager, caCertPem: ca.certPem }), checkServerIdentity: expectServer({ clusterId: CLUSTER, roles: ['manager'] }) },
        fakePort,
      );
      expect(err?.message).toBe("a dashboard's HTTPS certificate is not a node's: refused");
    } finally {
      await new Promise<void>((resolve) => fake.close(() => resolve()));
    }
  });

  test('no node can be given the id swarm-dashboard', async () => {
    await expect(issueNode(ca, CLUSTER, 'swarm-dashboard', 'worker')).rejects.toThrow('invalid node id "swarm-dashboard": reserved name');
  });

  test('join and role changes (verifyNodeCertificate) refuse it', async () => {
    await expect(verifyNodeCertificate(dash.certPem, ca.certPem)).rejects.toThrow("node certificate: a dashboard's HTTPS certificate is not a node's: refused");
  });

  test('a certificate narrower than a node one (no clientAuth) is refused even with a node OU', () => {
    const cert = { subject: { CN: 'mgr1', OU: 'swarm-manager', O: CLUSTER }, ext_key_usage: ['1.3.6.1.5.5.7.3.1'] } as unknown as tls.PeerCertificate;
    expect(authorizePeerCertificate(cert, { clusterId: CLUSTER, roles: ['manager'] })).toMatch(/not a node certificate \(its extended key usage lacks serverAuth or clientAuth\)/);
  });
});

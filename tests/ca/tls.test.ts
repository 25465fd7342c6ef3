// Real TLS on 127.0.0.1 with the cluster's certificates.

import { AddressInfo } from 'net';
import * as tls from 'tls';
import {
  NodeIdentity,
  authorizePeerCertificate,
  expectServer,
  identityFromPeerCertificate,
  nodeTlsOptions,
} from '../../lib/ca';
import type { TransportTlsOptions } from '../../lib/raft/transport/tls-options';
import { NodeCreds, issueNode, newCluster } from './fixtures';

interface Attempt {
  /** What the server saw, when the handshake succeeded on its side. */
  identity?: NodeIdentity;
  /** The line the server wrote back, when the client got that far. */
  reply?: string;
  clientError?: Error;
  serverError?: Error;
}

let server: tls.Server;
let port: number;
let serverIdentities: NodeIdentity[];
let lastServerError: Error | undefined;
let serverErrorWaiters: Array<(e: Error) => void>;
let managerCa: { certPem: string };
let worker: NodeCreds;
let manager: NodeCreds;
let foreignWorker: NodeCreds;
const CLUSTER = 'c1';

beforeAll(async () => {
  const ca = await newCluster(CLUSTER);
  managerCa = ca;
  manager = await issueNode(ca, CLUSTER, 'mgr1', 'manager');
  worker = await issueNode(ca, CLUSTER, 'wrk1', 'worker');
  const other = await newCluster(CLUSTER); // same cluster name, different CA
  foreignWorker = await issueNode(other, CLUSTER, 'wrk1', 'worker');

  server = tls.createServer(nodeTlsOptions({ keyPem: manager.keyPem, certPem: manager.certPem, caCertPem: ca.certPem }), (socket) => {
    const id = identityFromPeerCertificate(socket.getPeerCertificate());
    serverIdentities.push(id);
    socket.end(JSON.stringify(id) + '\n');
  });
  server.on('tlsClientError', (err) => {
    lastServerError = err;
    for (const w of serverErrorWaiters.splice(0)) w(err);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  serverIdentities = [];
  lastServerError = undefined;
  serverErrorWaiters = [];
});

/** One connection; resolves when the socket closed, and, on refusal, once the server reported why. */
function attempt(options: tls.ConnectionOptions): Promise<Attempt> {
  return new Promise((resolve) => {
    const result: Attempt = {};
    let data = '';
    const socket = tls.connect({ host: '127.0.0.1', port, ...options });
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (data += d));
    socket.on('error', (err) => (result.clientError = err));
    socket.on('close', () => {
      if (data !== '') result.reply = data.trim();
      const finish = (): void => {
        result.identity = serverIdentities[0];
        result.serverError = lastServerError;
        resolve(result);
      };
      if (result.reply !== undefined || lastServerError || result.clientError?.message.includes('Hostname/IP')) finish();
      else {
        // The client can see the close before the server's tlsClientError fires.
        const t = setTimeout(finish, 2000);
        serverErrorWaiters.push(() => { clearTimeout(t); finish(); });
      }
    });
  });
}

const clientOpts = (c: NodeCreds, caCertPem: string): tls.ConnectionOptions =>
  ({ ...nodeTlsOptions({ keyPem: c.keyPem, certPem: c.certPem, caCertPem }), servername: 'swarm-manager' });

describe('mutual TLS with node certificates', () => {
  test('nodeTlsOptions trusts only the cluster CA, demands client certificates, and fits the Raft transport', () => {
    const opts = nodeTlsOptions({ keyPem: worker.keyPem, certPem: worker.certPem, caCertPem: managerCa.certPem });
    expect(opts).toEqual({
      key: worker.keyPem, cert: worker.certPem, ca: managerCa.certPem,
      requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2',
    });
    const forRaft: TransportTlsOptions = { ...opts, servername: 'swarm-manager' }; // compiles: same field types
    expect(forRaft.minVersion).toBe('TLSv1.2');
  });

  test('a worker of the same CA connects; the server reads {nodeId, role, clusterId}', async () => {
    const r = await attempt(clientOpts(worker, managerCa.certPem));
    expect(r.clientError).toBeUndefined();
    expect(r.identity).toEqual({ nodeId: 'wrk1', role: 'worker', clusterId: CLUSTER });
    expect(JSON.parse(r.reply ?? 'null')).toEqual({ nodeId: 'wrk1', role: 'worker', clusterId: CLUSTER });
  });

  test('a client without a certificate is refused', async () => {
    const r = await attempt({ ca: managerCa.certPem, servername: 'swarm-manager', minVersion: 'TLSv1.2' });
    expect(r.identity).toBeUndefined();
    expect(r.reply).toBeUndefined();
    expect(r.serverError?.message).toMatch(/peer did not return a certificate|certificate required/i);
  });

  test('a client with a certificate from another CA is refused', async () => {
    const r = await attempt(clientOpts(foreignWorker, managerCa.certPem));
    // Node checks a client chain after the handshake and destroys the socket
    // without saying why, so the only trace is that the connection never
    // reached the server's handler and was torn down.
    expect(r.identity).toBeUndefined();
    expect(r.reply).toBeUndefined();
    expect(r.serverError).toBeDefined();
  });

  test('the reason a foreign certificate fails is its chain (seen by a server that lets it through to look)', async () => {
    const lenient = tls.createServer(
      { ...nodeTlsOptions({ keyPem: manager.keyPem, certPem: manager.certPem, caCertPem: managerCa.certPem }), rejectUnauthorized: false },
      (socket) => socket.end(`${socket.authorized} ${String(socket.authorizationError)}\n`),
    );
    await new Promise<void>((resolve) => lenient.listen(0, '127.0.0.1', resolve));
    try {
      const lenientPort = (lenient.address() as AddressInfo).port;
      const line = await new Promise<string>((resolve, reject) => {
        let data = '';
        const c = tls.connect({ host: '127.0.0.1', ...clientOpts(foreignWorker, managerCa.certPem), port: lenientPort });
        c.setEncoding('utf8');
        c.on('data', (d: string) => (data += d));
        c.on('error', reject);
        c.on('close', () => resolve(data.trim()));
      });
      expect(line).toMatch(/^false (CERT_SIGNATURE_FAILURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|UNABLE_TO_VERIFY_LEAF_SIGNATURE)$/);
    } finally {
      await new Promise<void>((resolve) => lenient.close(() => resolve()));
    }
  });

  test('a client that trusts another CA refuses the server', async () => {
    const r = await attempt(clientOpts(foreignWorker, (await newCluster(CLUSTER)).certPem));
    expect(r.reply).toBeUndefined();
    expect(r.identity).toBeUndefined();
    expect(r.clientError?.message).toMatch(/certificate signature failure|unable to verify|self.signed/i);
  });

  test('without servername the hostname check against 127.0.0.1 fails: node certificates name roles, not addresses', async () => {
    const { servername: _, ...opts } = clientOpts(worker, managerCa.certPem);
    const r = await attempt(opts);
    expect(r.clientError?.message).toMatch(/Hostname\/IP does not match certificate's altnames/);
  });

  test('servername "swarm-worker" does not match a manager: the role is checked by name', async () => {
    const r = await attempt({ ...clientOpts(worker, managerCa.certPem), servername: 'swarm-worker' });
    expect(r.clientError?.message).toMatch(/does not match certificate's altnames/);
  });

  test('expectServer checks role, cluster and id of the server, whatever address was dialled', async () => {
    const { servername: _, ...opts } = clientOpts(worker, managerCa.certPem);
    const ok = await attempt({ ...opts, checkServerIdentity: expectServer({ clusterId: CLUSTER, roles: ['manager'], nodeId: 'mgr1' }) });
    expect(ok.clientError).toBeUndefined();
    expect(ok.identity?.nodeId).toBe('wrk1');
    const wrongId = await attempt({ ...opts, checkServerIdentity: expectServer({ clusterId: CLUSTER, roles: ['manager'], nodeId: 'mgr2' }) });
    expect(wrongId.clientError?.message).toBe('peer is mgr1, expected mgr2');
    const wrongRole = await attempt({ ...opts, checkServerIdentity: expectServer({ clusterId: CLUSTER, roles: ['worker'] }) });
    expect(wrongRole.clientError?.message).toBe('peer mgr1 is a manager; only worker allowed');
  });

  test('authorizePeerCertificate: a worker certificate may not speak Raft', async () => {
    const captured: tls.PeerCertificate[] = [];
    const r = await attempt({ ...clientOpts(worker, managerCa.certPem), checkServerIdentity: (_h, cert) => { captured.push(cert); return undefined; } });
    expect(r.clientError).toBeUndefined();
    const managerCert = captured[0];
    expect(authorizePeerCertificate(managerCert, { clusterId: CLUSTER, roles: ['manager'] })).toBe(true);
    expect(authorizePeerCertificate(managerCert, { clusterId: 'other', roles: ['manager'] })).toBe('peer mgr1 belongs to cluster c1, not other');
    // The worker as the server saw it:
    const workerSubject = { subject: { CN: 'wrk1', OU: 'swarm-worker', O: CLUSTER } } as unknown as tls.PeerCertificate;
    expect(authorizePeerCertificate(workerSubject, { clusterId: CLUSTER, roles: ['manager'] })).toBe('peer wrk1 is a worker; only manager allowed');
    expect(authorizePeerCertificate({} as tls.PeerCertificate, { clusterId: CLUSTER, roles: ['manager'] })).toBe('peer presented no certificate');
    const twoOUs = { subject: { CN: 'x', OU: ['swarm-worker', 'swarm-manager'], O: CLUSTER } } as unknown as tls.PeerCertificate;
    expect(authorizePeerCertificate(twoOUs, { clusterId: CLUSTER, roles: ['manager'] })).toBe('peer certificate: subject must have exactly one OU (role), found 2');
  });
});

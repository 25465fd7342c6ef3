import { execFileSync } from 'child_process';
import { X509Certificate, createPrivateKey, generateKeyPairSync } from 'crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import {
  CertificateError,
  createCSR,
  createNodeKey,
  createRootCA,
  loadNodeKey,
  parseNodeCertificate,
  signNodeCertificate,
  verifyNodeCertificate,
} from '../../lib/ca';
import { x509 } from '../../lib/ca/x509';
import { issueNode } from './fixtures';

const HOUR = 3600 * 1000;

function pemToDer(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
}

describe('node certificates', () => {
  test('carry the id, role and cluster the manager chose, not what the CSR asked for', async () => {
    const ca = await createRootCA({ clusterId: 'prod' });
    const key = await createNodeKey();
    // A CSR claiming to be a manager of another cluster with another id.
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({
      name: [{ CN: ['evil'] }, { OU: ['swarm-manager'] }, { O: ['other'] }],
      keys: { privateKey: key.privateKey, publicKey: key.publicKey },
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'swarm-manager' }])],
    });
    const certPem = await signNodeCertificate({ ca, csrPem: csr.toString('pem'), nodeId: 'node1', role: 'worker', clusterId: 'prod' });

    const cert = new X509Certificate(certPem);
    expect(cert.subject).toBe('CN=node1\nOU=swarm-worker\nO=prod');
    expect(cert.subjectAltName).toBe('DNS:swarm-worker, DNS:node1');
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(new X509Certificate(ca.certPem))).toBe(true);
    expect(cert.checkPrivateKey(createPrivateKey(key.keyPem))).toBe(true); // the CSR's key is the one certified
    const info = parseNodeCertificate(certPem);
    expect(info).toMatchObject({ nodeId: 'node1', role: 'worker', clusterId: 'prod' });
    expect(info.fingerprint).toBe(cert.fingerprint256);
    expect(info.notAfter.getTime()).toBe(Date.parse(cert.validTo));
  });

  test('default validity is 90 days, back-dated an hour', async () => {
    const ca = await createRootCA({ clusterId: 'c' });
    const now = new Date('2030-01-01T00:00:00Z');
    const key = await createNodeKey();
    const pem = await signNodeCertificate({ ca, csrPem: await createCSR(key), nodeId: 'n1', role: 'worker', clusterId: 'c', now });
    const info = parseNodeCertificate(pem);
    expect(info.notBefore.toISOString()).toBe('2029-12-31T23:00:00.000Z');
    expect(info.notAfter.getTime() - now.getTime()).toBe(2160 * HOUR);
  });

  test('managers also get swarm-ca; extra SANs (DNS and IP) are added', async () => {
    const ca = await createRootCA({ clusterId: 'c' });
    const key = await createNodeKey();
    const pem = await signNodeCertificate({
      ca, csrPem: await createCSR(key, { nodeId: 'm1' }), nodeId: 'm1', role: 'manager', clusterId: 'c',
      sans: ['m1.example', '10.1.2.3', '::1', 'm1'],
    });
    expect(new X509Certificate(pem).subjectAltName).toBe(
      'DNS:swarm-manager, DNS:m1, DNS:swarm-ca, DNS:m1.example, IP Address:10.1.2.3, IP Address:0:0:0:0:0:0:0:1',
    );
  });

  test('promotion and demotion reissue a certificate for the same key with the new role', async () => {
    const ca = await createRootCA({ clusterId: 'c' });
    const key = await createNodeKey();
    const worker = await signNodeCertificate({ ca, csrPem: await createCSR(key), nodeId: 'n1', role: 'worker', clusterId: 'c' });
    // later, on the node: reload its key from disk and ask again
    const reloaded = await loadNodeKey(key.keyPem);
    const csrPem = await createCSR(reloaded, { nodeId: 'n1' });
    const manager = await signNodeCertificate({ ca, csrPem, nodeId: 'n1', role: 'manager', clusterId: 'c' });
    const demoted = await signNodeCertificate({ ca, csrPem, nodeId: 'n1', role: 'worker', clusterId: 'c' });
    expect(parseNodeCertificate(worker).role).toBe('worker');
    expect(parseNodeCertificate(manager).role).toBe('manager');
    expect(parseNodeCertificate(demoted).role).toBe('worker');
    expect(new X509Certificate(manager).checkPrivateKey(createPrivateKey(key.keyPem))).toBe(true);
    expect(parseNodeCertificate(manager).fingerprint).not.toBe(parseNodeCertificate(demoted).fingerprint);
  });

  test('verify: ok against its CA, refused against another CA of the same cluster name', async () => {
    const ca = await createRootCA({ clusterId: 'c' });
    const other = await createRootCA({ clusterId: 'c' });
    const { certPem } = await issueNode(ca, 'c', 'n1', 'worker');
    await expect(verifyNodeCertificate(certPem, ca.certPem)).resolves.toMatchObject({ nodeId: 'n1', role: 'worker', clusterId: 'c' });
    // Same subject "CN=swarm-ca, O=c", so only the signature tells them apart.
    await expect(verifyNodeCertificate(certPem, other.certPem)).rejects.toThrow(/signature does not verify with this CA's key/);
    const third = await createRootCA({ clusterId: 'd' });
    await expect(verifyNodeCertificate(certPem, third.certPem)).rejects.toThrow(/issued by "CN=swarm-ca, O=c", not by this CA/);
  });

  test('verify: expired and not-yet-valid certificates are refused', async () => {
    const ca = await createRootCA({ clusterId: 'c' });
    const key = await createNodeKey();
    const csrPem = await createCSR(key);
    const old = await signNodeCertificate({ ca, csrPem, nodeId: 'n1', role: 'worker', clusterId: 'c', validityHours: 1, now: new Date(Date.now() - 3 * HOUR) });
    await expect(verifyNodeCertificate(old, ca.certPem)).rejects.toThrow(/node certificate: expired at/);
    const future = await signNodeCertificate({ ca, csrPem, nodeId: 'n1', role: 'worker', clusterId: 'c', now: new Date(Date.now() + 5 * HOUR) });
    await expect(verifyNodeCertificate(future, ca.certPem)).rejects.toThrow(/node certificate: not valid before/);
    await expect(verifyNodeCertificate(future, ca.certPem, new Date(Date.now() + 6 * HOUR))).resolves.toBeDefined();
  });

  test('verify: a node certificate is not accepted as the CA', async () => {
    const ca = await createRootCA({ clusterId: 'c' });
    const n = await issueNode(ca, 'c', 'n1', 'manager');
    await expect(verifyNodeCertificate(n.certPem, n.certPem)).rejects.toThrow(/not a CA/);
  });

  test('a CSR whose signature does not verify is refused', async () => {
    const ca = await createRootCA({ clusterId: 'c' });
    const der = pemToDer(await createCSR(await createNodeKey()));
    der[der.length - 3] ^= 0x01; // inside the ECDSA signature value
    const csrPem = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    const signing = signNodeCertificate({ ca, csrPem, nodeId: 'n1', role: 'worker', clusterId: 'c' });
    await expect(signing).rejects.toThrow(CertificateError);
    await expect(signing).rejects.toThrow(/certificate request: (signature does not verify|malformed)/);
  });

  test('a CSR with a non-P-256 key is refused', async () => {
    const ca = await createRootCA({ clusterId: 'c' });
    const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) };
    const keys = await crypto.subtle.generateKey(alg, false, ['sign', 'verify']);
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: 'CN=x', keys, signingAlgorithm: alg });
    await expect(signNodeCertificate({ ca, csrPem: csr.toString('pem'), nodeId: 'n1', role: 'worker', clusterId: 'c' }))
      .rejects.toThrow(/key must be ECDSA P-256/);
  });

  test('bad inputs to signNodeCertificate are refused with clear errors', async () => {
    const ca = await createRootCA({ clusterId: 'c' });
    const other = await createRootCA({ clusterId: 'c' });
    const csrPem = await createCSR(await createNodeKey());
    const base = { ca, csrPem, nodeId: 'n1', role: 'worker' as const, clusterId: 'c' };
    await expect(signNodeCertificate({ ...base, clusterId: 'd' })).rejects.toThrow(/CA certificate belongs to cluster "c", not "d"/);
    await expect(signNodeCertificate({ ...base, ca: { certPem: ca.certPem, keyPem: other.keyPem } })).rejects.toThrow(/CA key does not match/);
    // The CA is parsed once and reused: a key that does not match is still refused after a good signature, and the right one still signs.
    await expect(signNodeCertificate(base)).resolves.toMatch(/BEGIN CERTIFICATE/);
    await expect(signNodeCertificate({ ...base, ca: { certPem: ca.certPem, keyPem: other.keyPem } })).rejects.toThrow(/CA key does not match/);
    await expect(signNodeCertificate({ ...base, ca: { certPem: other.certPem, keyPem: ca.keyPem } })).rejects.toThrow(/CA key does not match/);
    await expect(signNodeCertificate(base)).resolves.toMatch(/BEGIN CERTIFICATE/);
    await expect(signNodeCertificate({ ...base, nodeId: 'a b' })).rejects.toThrow(/invalid node id/);
    await expect(signNodeCertificate({ ...base, nodeId: 'swarm-manager' })).rejects.toThrow(/reserved/);
    // role comes from untyped callers (the API) too
    await expect(signNodeCertificate({ ...base, role: 'admin' as unknown as 'worker' })).rejects.toThrow(/invalid role/);
    await expect(signNodeCertificate({ ...base, csrPem: 'junk' })).rejects.toThrow(/no PEM CERTIFICATE REQUEST/);
    await expect(signNodeCertificate({ ...base, sans: ['a/b'] })).rejects.toThrow(/neither a DNS name nor an IP/);
  });

  test('parseNodeCertificate refuses certificates that are not node certificates', async () => {
    const ca = await createRootCA({ clusterId: 'c' });
    expect(() => parseNodeCertificate(ca.certPem)).toThrow(/exactly one OU \(role\), found 0/);
    expect(() => parseNodeCertificate('nope')).toThrow(/no PEM CERTIFICATE block/);
  });

  test('loadNodeKey refuses keys that are not P-256', async () => {
    await expect(loadNodeKey('garbage')).rejects.toThrow(/not a readable private key/);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    await expect(loadNodeKey(p384)).rejects.toThrow(/must be an ECDSA P-256 key/);
  });

  const openssl = (() => { try { execFileSync('openssl', ['version'], { stdio: 'ignore' }); return true; } catch { return false; } })();
  (openssl ? test : test.skip)('openssl verifies the chain strictly for both TLS purposes', async () => {
    const ca = await createRootCA({ clusterId: 'c' });
    const n = await issueNode(ca, 'c', 'n1', 'manager');
    const dir = mkdtempSync(join(tmpdir(), 'swarm-ca-'));
    try {
      writeFileSync(join(dir, 'ca.pem'), ca.certPem);
      writeFileSync(join(dir, 'node.pem'), n.certPem);
      for (const purpose of ['sslserver', 'sslclient']) {
        const out = execFileSync('openssl', ['verify', '-x509_strict', '-purpose', purpose, '-CAfile', join(dir, 'ca.pem'), join(dir, 'node.pem')]).toString();
        expect(out.trim()).toMatch(/: OK$/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { execFileSync } from 'child_process';
import { X509Certificate, createHash, createPrivateKey } from 'crypto';
import { CA_DIGEST_CHARS, caDigest, createRootCA } from '../../lib/ca';

function opensslAvailable(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const withOpenssl = opensslAvailable() ? test : test.skip;
if (!opensslAvailable()) console.warn('tests/ca/root-ca: openssl not found, the cross-checks with openssl are skipped');

describe('createRootCA', () => {
  test('makes a self-signed ECDSA P-256 CA named swarm-ca for the cluster', async () => {
    const ca = await createRootCA({ clusterId: 'cluster1' });
    const cert = new X509Certificate(ca.certPem);
    expect(cert.subject).toBe('CN=swarm-ca\nO=cluster1');
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.ca).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(cert.checkPrivateKey(createPrivateKey(ca.keyPem))).toBe(true);
    expect(ca.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/); // PKCS#8, not SEC1 "EC PRIVATE KEY"
    const years = (Date.parse(cert.validTo) - Date.now()) / (365.25 * 24 * 3600 * 1000);
    expect(years).toBeGreaterThan(19.9);
    expect(years).toBeLessThan(20.1);
    expect(Date.parse(cert.validFrom)).toBeLessThan(Date.now() - 59 * 60 * 1000); // back-dated an hour for clock skew
  });

  test('validityYears is honoured', async () => {
    const ca = await createRootCA({ clusterId: 'c', validityYears: 1 });
    const days = (Date.parse(new X509Certificate(ca.certPem).validTo) - Date.now()) / 86_400_000;
    expect(Math.round(days)).toBeGreaterThanOrEqual(365);
    expect(Math.round(days)).toBeLessThanOrEqual(366);
  });

  test('rejects a cluster id that cannot go into a DN safely', async () => {
    await expect(createRootCA({ clusterId: 'a,O=evil' })).rejects.toThrow(/invalid cluster id/);
    await expect(createRootCA({ clusterId: '' })).rejects.toThrow(/invalid cluster id/);
  });

  test('digest is the SHA-256 of the DER in base 36, 50 characters, and differs per CA', async () => {
    const a = await createRootCA({ clusterId: 'c' });
    const b = await createRootCA({ clusterId: 'c' });
    expect(a.digest).toMatch(/^[0-9a-z]{50}$/);
    expect(a.digest).toHaveLength(CA_DIGEST_CHARS);
    expect(a.digest).not.toBe(b.digest);
    expect(caDigest(a.certPem)).toBe(a.digest);
    const hex = createHash('sha256').update(new X509Certificate(a.certPem).raw).digest('hex');
    expect(a.digest).toBe(BigInt('0x' + hex).toString(36).padStart(50, '0'));
  });

  withOpenssl('digest matches `openssl x509 -outform der | sha256sum` converted to base 36', async () => {
    const ca = await createRootCA({ clusterId: 'c' });
    const out = execFileSync('sh', ['-c', 'openssl x509 -outform der | sha256sum'], { input: ca.certPem }).toString();
    const hex = out.split(/\s+/)[0];
    expect(hex).toMatch(/^[0-9a-f]{64}$/);
    expect(ca.digest).toBe(BigInt('0x' + hex).toString(36).padStart(50, '0'));
  });

  withOpenssl('openssl sees the CA extensions', async () => {
    const ca = await createRootCA({ clusterId: 'c' });
    const text = execFileSync('openssl', ['x509', '-noout', '-text'], { input: ca.certPem }).toString();
    expect(text).toMatch(/Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
    expect(text).toMatch(/Key Usage: critical\s+Certificate Sign, CRL Sign/);
    expect(text).toMatch(/ecdsa-with-SHA256/);
    expect(text).toMatch(/NIST CURVE: P-256/);
  });

  test('caDigest ignores PEM formatting but refuses bundles and garbage', async () => {
    const ca = await createRootCA({ clusterId: 'c' });
    expect(caDigest(ca.certPem.replace(/\n/g, '\r\n'))).toBe(ca.digest);
    expect(() => caDigest(ca.certPem + ca.certPem)).toThrow(/expected one certificate, found 2/);
    expect(() => caDigest('hello')).toThrow(/no PEM CERTIFICATE block/);
  });
});

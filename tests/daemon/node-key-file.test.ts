// The node's TLS key on disk (lib/daemon/credentials.ts): on an autolocked
// manager it is sealed by the unlock key, so the file is no private key a TLS
// stack (or a thief) can use; only the unlock key opens it, a wrong key or an
// altered file is refused and changes nothing, and the stored form follows
// rotation and autolock being turned off.

import { createPrivateKey } from 'crypto';
import { promises as fsp, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { createNodeKey, generateUnlockKey, sealWithUnlockKey, UnlockKeyError } from '../../lib/ca';
import {
  Credentials,
  NodeKeySealedError,
  NodeKeySealer,
  nodeKeyPath,
  openCredentials,
  openNodeKey,
  readCredentials,
  readStoredCredentials,
  writeCertificate,
  writeCredentials,
} from '../../lib/daemon/credentials';

const root = mkdtempSync(join(tmpdir(), 'swarm-nodekey-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `certs-${++n}`);

async function someCreds(): Promise<Credentials> {
  const key = await createNodeKey();
  // Certificates are not looked at here; any PEM text stands in for them.
  return { keyPem: key.keyPem, certPem: '-----BEGIN CERTIFICATE-----\nnode\n-----END CERTIFICATE-----\n', caCertPem: '-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n' };
}

const PLAIN_KEY_MARKERS = ['BEGIN PRIVATE KEY', 'BEGIN EC PRIVATE KEY', 'BEGIN ENCRYPTED PRIVATE KEY'];

describe('the sealed node key', () => {
  it('round-trips: the file holds no private key, is 0600, and the unlock key opens it to the same key', async () => {
    const dir = freshDir();
    const c = await someCreds();
    const key = generateUnlockKey();
    await writeCredentials(dir, c, key);
    const text = await fsp.readFile(nodeKeyPath(dir), 'utf8');
    for (const m of PLAIN_KEY_MARKERS) expect(text).not.toContain(m);
    // Not even the key's base64 body is in the file.
    const body = c.keyPem.split('\n').filter((l) => l && !l.startsWith('-----')).join('');
    expect(text.replace(/\n/g, '')).not.toContain(body.slice(0, 40));
    expect(() => createPrivateKey(text)).toThrow();
    expect((await fsp.stat(nodeKeyPath(dir))).mode & 0o777).toBe(0o600);
    const stored = await readStoredCredentials(dir);
    expect(stored.key.kind).toBe('sealed');
    expect(openCredentials(stored, key)).toEqual(c);
  });

  it('needs the unlock key: without one it says the node is locked, a wrong or malformed one is refused and the file is unchanged', async () => {
    const dir = freshDir();
    const c = await someCreds();
    await writeCredentials(dir, c, generateUnlockKey());
    const before = await fsp.readFile(nodeKeyPath(dir), 'utf8');
    await expect(readCredentials(dir)).rejects.toThrow(NodeKeySealedError);
    await expect(readCredentials(dir)).rejects.toThrow(/sealed by the swarm's unlock key: use 'swarm unlock'/);
    const stored = await readStoredCredentials(dir);
    expect(() => openCredentials(stored, generateUnlockKey())).toThrow(UnlockKeyError);
    expect(() => openCredentials(stored, generateUnlockKey())).toThrow(/does not open this manager's node key/);
    expect(() => openCredentials(stored, 'SWMKEY-1-typo')).toThrow(/invalid unlock key: expected SWMKEY-1-/);
    expect(await fsp.readFile(nodeKeyPath(dir), 'utf8')).toBe(before);
  });

  it('refuses an altered file, whether in its sealed bytes or its framing', async () => {
    const dir = freshDir();
    const key = generateUnlockKey();
    await writeCredentials(dir, await someCreds(), key);
    const text = await fsp.readFile(nodeKeyPath(dir), 'utf8');
    const lines = text.split('\n');
    // Line 3 is the first of the base64 body: change one character of it.
    lines[3] = (lines[3][0] === 'A' ? 'B' : 'A') + lines[3].slice(1);
    await fsp.writeFile(nodeKeyPath(dir), lines.join('\n'));
    const altered = await readStoredCredentials(dir);
    expect(() => openNodeKey(altered.key, key)).toThrow(UnlockKeyError);
    await fsp.writeFile(nodeKeyPath(dir), text.replace('Swarm-Unlock-Key-Id', 'Swarm-Key'));
    await expect(readStoredCredentials(dir)).rejects.toThrow(/node\.key is a sealed node key but damaged/);
  });

  it('cannot be swapped for a sealed data key: what was sealed as one purpose does not open as the other', async () => {
    const dir = freshDir();
    const key = generateUnlockKey();
    await writeCredentials(dir, await someCreds(), key);
    const stored = await readStoredCredentials(dir);
    if (stored.key.kind !== 'sealed') throw new Error('expected a sealed key');
    const asDataKey = sealWithUnlockKey(Buffer.from('not a node key'), key, 'data key');
    expect(() => openNodeKey({ ...stored.key, sealed: asDataKey } as typeof stored.key, key)).toThrow(UnlockKeyError);
  });

  it('is stored plain without autolock, readable by any TLS stack', async () => {
    const dir = freshDir();
    const c = await someCreds();
    await writeCredentials(dir, c);
    expect(await fsp.readFile(nodeKeyPath(dir), 'utf8')).toBe(c.keyPem);
    expect(await readCredentials(dir)).toEqual(c);
  });

  it('follows rotation (only the new key opens it) and autolock off (plain again); a new certificate leaves it as it is', async () => {
    const dir = freshDir();
    const c = await someCreds();
    const first = generateUnlockKey();
    const second = generateUnlockKey();
    await writeCredentials(dir, c);
    const warnings: string[] = [];
    const sealer = new NodeKeySealer(dir, c.keyPem, (await readStoredCredentials(dir)).key, (m) => warnings.push(m));

    await sealer.follow(first);
    expect(openCredentials(await readStoredCredentials(dir), first)).toEqual(c);
    const sealedOnce = await fsp.readFile(nodeKeyPath(dir), 'utf8');
    await sealer.follow(first);
    // Nothing changed, nothing written (a fresh seal would have a fresh nonce).
    expect(await fsp.readFile(nodeKeyPath(dir), 'utf8')).toBe(sealedOnce);

    await sealer.follow(second);
    const rotated = await readStoredCredentials(dir);
    expect(() => openCredentials(rotated, first)).toThrow(UnlockKeyError);
    expect(openCredentials(rotated, second)).toEqual(c);

    await writeCertificate(dir, '-----BEGIN CERTIFICATE-----\nrenewed\n-----END CERTIFICATE-----\n');
    const renewed = await readStoredCredentials(dir);
    expect(openCredentials(renewed, second).certPem).toContain('renewed');

    await sealer.follow(undefined);
    expect(await fsp.readFile(nodeKeyPath(dir), 'utf8')).toBe(c.keyPem);
    expect((await readCredentials(dir)).keyPem).toBe(c.keyPem);
    expect(warnings).toEqual([]);
  });

});

// The data key on disk (lib/daemon/data-key.ts) and the unlock key that seals
// it (lib/ca/unlock-key.ts): sealed, the key is not in the file; a wrong or
// malformed unlock key is refused and changes nothing; the stored form follows
// the cluster's autolock setting and key rotations.

import { promises as fsp } from 'fs';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { generateUnlockKey, parseUnlockKey, UnlockKeyError } from '../../lib/ca';
import { createDataKey, DataKeySealer, readDataKey, unsealDataKey, StoredDataKey } from '../../lib/daemon/data-key';

const root = mkdtempSync(join(tmpdir(), 'swarm-dek-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshPath = () => join(root, `raft-${++n}.dek`);

function sealed(s: StoredDataKey | undefined): Extract<StoredDataKey, { kind: 'sealed' }> {
  if (s?.kind !== 'sealed') throw new Error(`expected a sealed key, got ${s?.kind}`);
  return s;
}

describe('unlock keys', () => {
  it("look like docker's and are all different", () => {
    const a = generateUnlockKey();
    expect(a).toMatch(/^SWMKEY-1-[A-Za-z0-9_-]{43}$/);
    expect(generateUnlockKey()).not.toBe(a);
    expect(parseUnlockKey(` ${a}\n`).length).toBe(32);
  });

  it('refuse a malformed key by saying what one looks like', () => {
    for (const bad of ['', 'SWMKEY-1-short', `SWMTKN-1-${'a'.repeat(43)}`, `${generateUnlockKey()}x`]) {
      expect(() => parseUnlockKey(bad)).toThrow(/invalid unlock key: expected SWMKEY-1- followed by 43 characters/);
    }
  });
});

describe('the stored data key', () => {
  it('is stored as is without autolock, mode 0600', async () => {
    const path = freshPath();
    const { dek, stored } = await createDataKey(path);
    expect(stored.kind).toBe('plain');
    expect((await fsp.stat(path)).mode & 0o777).toBe(0o600);
    const read = await readDataKey(path);
    expect(read?.kind === 'plain' && read.dek.equals(dek)).toBe(true);
  });

  it('is sealed by the unlock key: not in the file, opened only by that key, a wrong one changes nothing', async () => {
    const path = freshPath();
    const key = generateUnlockKey();
    const { dek } = await createDataKey(path, key);
    const text = await fsp.readFile(path, 'utf8');
    expect(text).not.toContain(dek.toString('base64'));
    expect(text).not.toContain(dek.toString('hex'));
    const stored = sealed(await readDataKey(path));
    expect(() => unsealDataKey(stored, generateUnlockKey())).toThrow(UnlockKeyError);
    expect(() => unsealDataKey(stored, generateUnlockKey())).toThrow(/does not open this manager's data key/);
    expect(await fsp.readFile(path, 'utf8')).toBe(text);
    expect(unsealDataKey(stored, key).equals(dek)).toBe(true);
  });

  it('follows autolock on, a rotation, and autolock off, writing only on a change', async () => {
    const path = freshPath();
    const { dek, stored } = await createDataKey(path);
    const sealer = new DataKeySealer(path, dek, stored, (m) => {
      throw new Error(m);
    });
    const first = generateUnlockKey();
    await sealer.follow(first);
    expect(unsealDataKey(sealed(await readDataKey(path)), first).equals(dek)).toBe(true);

    const before = (await fsp.stat(path)).mtimeMs;
    const text = await fsp.readFile(path, 'utf8');
    await sealer.follow(first);
    expect(await fsp.readFile(path, 'utf8')).toBe(text);
    expect((await fsp.stat(path)).mtimeMs).toBe(before);

    const second = generateUnlockKey();
    await sealer.follow(second);
    const rotated = sealed(await readDataKey(path));
    expect(() => unsealDataKey(rotated, first)).toThrow(UnlockKeyError);
    expect(unsealDataKey(rotated, second).equals(dek)).toBe(true);

    await sealer.follow(undefined);
    const plain = await readDataKey(path);
    expect(plain?.kind === 'plain' && plain.dek.equals(dek)).toBe(true);
  });

  it('names a damaged file instead of starting without a key', async () => {
    const path = freshPath();
    await fsp.writeFile(path, '{"version":1,"dek":"c2hvcnQ="}');
    await expect(readDataKey(path)).rejects.toThrow(/is not a usable data key \(the key is 5 bytes, not 32\)/);
    await fsp.writeFile(path, 'garbage');
    await expect(readDataKey(path)).rejects.toThrow(/not JSON/);
  });
});

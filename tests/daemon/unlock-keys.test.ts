// Unlocking a manager's two sealed files (lib/daemon/unlock-keys.ts): one key
// opens both; a wrong or malformed key opens nothing; after a rotation cut
// short by a crash (the files under two different unlock keys) one key opens
// one file, says which is missing, and the other key completes the unlock.

import { randomBytes } from 'crypto';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { createNodeKey, generateUnlockKey, UnlockKeyError } from '../../lib/ca';
import { readStoredCredentials, writeCredentials } from '../../lib/daemon/credentials';
import { readDataKey, StoredDataKey, writeDataKey } from '../../lib/daemon/data-key';
import { unlockWith } from '../../lib/daemon/unlock-keys';

const root = mkdtempSync(join(tmpdir(), 'swarm-unlock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

/** A manager's certificates dir and data key, sealed under `nodeKeyBy` and `dekBy`. */
async function manager(nodeKeyBy: string | undefined, dekBy: string | undefined) {
  const dir = join(root, `m${++n}`);
  const keyPem = (await createNodeKey()).keyPem;
  const dek = randomBytes(32);
  await writeCredentials(dir, { keyPem, certPem: 'cert', caCertPem: 'ca' }, nodeKeyBy);
  await writeDataKey(join(dir, 'raft.dek'), dek, dekBy);
  return { keyPem, dek, creds: await readStoredCredentials(dir), dataKey: (await readDataKey(join(dir, 'raft.dek'))) as StoredDataKey };
}

describe('unlocking a manager', () => {
  it('opens both files with the one key that sealed them', async () => {
    const key = generateUnlockKey();
    const m = await manager(key, key);
    const r = unlockWith(m.creds, m.dataKey, {}, key);
    if (!r.done) throw new Error(r.message);
    expect(r.creds.keyPem).toBe(m.keyPem);
    expect(r.dataKey?.dek.equals(m.dek)).toBe(true);
  });

  it('refuses a wrong key (naming the data key, as before) and a malformed one, opening nothing', async () => {
    const key = generateUnlockKey();
    const m = await manager(key, key);
    expect(() => unlockWith(m.creds, m.dataKey, {}, generateUnlockKey())).toThrow(/does not open this manager's data key/);
    expect(() => unlockWith(m.creds, m.dataKey, {}, 'SWMKEY-1-x')).toThrow(UnlockKeyError);
  });

  it('after an interrupted rotation, takes the two keys one after the other, in either order', async () => {
    const previous = generateUnlockKey();
    const current = generateUnlockKey();
    const m = await manager(current, previous);
    for (const [first, second] of [[previous, current], [current, previous]]) {
      const partial = unlockWith(m.creds, m.dataKey, {}, first);
      if (partial.done) throw new Error('one key cannot open both');
      expect(partial.message).toMatch(first === previous ? /opened this manager's data key but not its node key/ : /opened this manager's node key but not its data key/);
      // The same key again opens nothing new: refused, what was opened is kept by the caller.
      expect(() => unlockWith(m.creds, m.dataKey, partial.opened, first)).toThrow(UnlockKeyError);
      const done = unlockWith(m.creds, m.dataKey, partial.opened, second);
      if (!done.done) throw new Error(done.message);
      expect(done.creds.keyPem).toBe(m.keyPem);
      expect(done.dataKey?.dek.equals(m.dek)).toBe(true);
    }
  });

  it('opens a manager whose node key alone is sealed (a crash while sealing), keeping its plain data key', async () => {
    const key = generateUnlockKey();
    const m = await manager(key, undefined);
    const r = unlockWith(m.creds, m.dataKey, {}, key);
    if (!r.done) throw new Error(r.message);
    expect(r.dataKey?.dek.equals(m.dek)).toBe(true);
    expect(r.creds.keyPem).toBe(m.keyPem);
  });
});

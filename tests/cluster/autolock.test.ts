// Encryption at rest and autolock through the real CLI and detached daemons
// (docs/encryption.md): init --autolock prints the unlock key; a restarted
// manager stays locked, refusing everything with docker's hint, until
// `swarm unlock` reads the right key from stdin; a rotated key unlocks after a
// restart; a second manager is sealed too; what a service carries is in no
// file of either data dir; autolock off stores the data keys unsealed again.
// The node's TLS key is sealed too (no private key PEM on disk), from the
// first write on a manager that joins or is promoted into the cluster; a
// promoted worker restarts locked and unlocks with the key; demoted again, its
// key is plain and it restarts unlocked.

import { execFile } from 'child_process';
import { promises as fsp } from 'fs';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join, relative } from 'path';
import { freePort } from '../../lib/raft/process/process-cluster';
import { eventually } from '../../lib/util/eventually';
import { dataKeyPath, readDataKey } from '../../lib/daemon/data-key';
import { layout } from '../../lib/daemon/data-dir';
import { nodeKeyPath, readStoredCredentials } from '../../lib/daemon/credentials';
import { testImageName } from '../../lib/testing/test-image';
import { CliResult, killHard, swarm, swarmOk } from './cli';
import { filesUnder } from '../helpers/files';

jest.setTimeout(240_000);

const BIN = join(__dirname, '..', '..', 'bin', 'swarm');
const MARKER = 'e2e-hunter2-5be1c0de';
const LOCKED = 'Swarm is encrypted and needs to be unlocked before it can be used. Please use "swarm unlock" to unlock it.';

/** `swarm unlock` with the key piped on stdin, as a script would give it. */
function unlock(dataDir: string, key: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, '--data-dir', dataDir, 'unlock'], { timeout: 90_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.end(`${key}\n`);
  });
}

async function keyState(dataDir: string): Promise<string | undefined> {
  const s = await readDataKey(dataKeyPath(layout(dataDir)));
  return s?.kind === 'sealed' ? `sealed:${s.keyId}` : s?.kind;
}

/** 'plain', or 'sealed:<unlock key id>', like keyState for the data key. */
async function nodeKeyState(dataDir: string): Promise<string> {
  const k = (await readStoredCredentials(layout(dataDir).certs)).key;
  const text = await fsp.readFile(nodeKeyPath(layout(dataDir).certs), 'utf8');
  const looksPlain = /BEGIN (EC )?PRIVATE KEY/.test(text);
  // The file's text must agree with its parse: a sealed key is no PEM private key at all.
  if ((k.kind === 'plain') !== looksPlain) throw new Error(`${dataDir}: node.key parses as ${k.kind} but its text says otherwise`);
  return k.kind === 'sealed' ? `sealed:${k.keyId}` : 'plain';
}

describe('autolock', () => {
  const root = mkdtempSync(join(tmpdir(), 'swarm-e2e-lock-'));
  const [m1, m2, w3] = ['m1', 'm2', 'w3'].map((n) => join(root, n));
  const addrs: string[] = [];
  let key = '';

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) addrs.push(`127.0.0.1:${await freePort()}`);
  });

  afterAll(async () => {
    for (const d of [m1, m2, w3]) {
      await swarm(d, ['service', 'rm', 'vault'], 10_000).catch(() => undefined);
      killHard(d);
    }
    rmSync(root, { recursive: true, force: true });
  });

  test('init --autolock prints the unlock key; a second manager joins and seals its key too', async () => {
    const out = await swarmOk(m1, ['init', '--autolock', '--listen-addr', addrs[0], '--hostname', 'm1', '--raft-tick', '50ms']);
    const printed = /^ {4}(SWMKEY-1-[A-Za-z0-9_-]{43})$/m.exec(out);
    expect(printed).not.toBeNull();
    key = printed![1];
    expect(out).toContain('To unlock a swarm manager after it restarts, run the `swarm unlock`');
    expect((await swarmOk(m1, ['unlock-key', '-q'])).trim()).toBe(key);
    expect(await keyState(m1)).toMatch(/^sealed:/);
    expect(await nodeKeyState(m1)).toBe(await keyState(m1));

    const token = (await swarmOk(m1, ['join-token', '-q', 'manager'])).trim();
    await swarmOk(m2, ['join', '--token', token, addrs[0], '--listen-addr', addrs[1], '--hostname', 'm2']);
    // The join answer carried the unlock key: both keys were sealed before m2's Raft wrote anything.
    expect(await keyState(m2)).toBe(await keyState(m1));
    expect(await nodeKeyState(m2)).toBe(await keyState(m1));
    await eventually('m2 seals its data key with the cluster unlock key', async () => ((await keyState(m2)) === (await keyState(m1)) ? true : undefined));
    await swarmOk(m1, ['service', 'create', '-d', '--name', 'vault', '-e', `PASSWORD=${MARKER}`, '--label', `note=${MARKER}`, testImageName(), 'sleep', '100000']);
  });

  test('a restarted manager stays locked until swarm unlock gets the right key', async () => {
    await swarmOk(m1, ['stop']);
    const started = await swarmOk(m1, ['start']);
    expect(started).toContain("It is an autolocked manager: it does nothing until 'swarm unlock'");
    const ls = await swarm(m1, ['service', 'ls']);
    expect(ls.code).toBe(1);
    expect(ls.stderr).toContain(LOCKED);
    expect(await swarmOk(m1, ['info'])).toContain(`Swarm: locked`);

    for (const [wrong, why] of [
      ['SWMKEY-1-' + 'A'.repeat(43), /does not open this manager's data key/],
      ['not-a-key', /invalid unlock key: expected SWMKEY-1-/],
    ] as const) {
      const r = await unlock(m1, wrong);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(why);
      expect(await swarmOk(m1, ['info'])).toContain(`Swarm: locked`);
    }
    const ok = await unlock(m1, key);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const services = await eventually('service ls answers after unlock', async () => {
      const r = await swarm(m1, ['service', 'ls']);
      return r.code === 0 && r.stdout.includes('vault') ? r.stdout : undefined;
    });
    expect(services).toMatch(/vault\s+replicated/);
    expect((await unlock(m1, key)).stderr).toMatch(/this node is not locked/);
  });

  test('unlock-key --rotate: the managers re-seal, and a restart unlocks with the new key only', async () => {
    const before = await keyState(m1);
    const rotated = await swarmOk(m1, ['unlock-key', '--rotate']);
    expect(rotated).toMatch(/^Successfully rotated manager unlock key\./);
    const next = (await swarmOk(m2, ['unlock-key', '-q'])).trim();
    expect(next).not.toBe(key);
    expect(rotated).toContain(next);
    for (const d of [m1, m2]) {
      await eventually(`${relative(root, d)} re-seals its data key`, async () => {
        const s = await keyState(d);
        return s !== before && s?.startsWith('sealed:') && (await nodeKeyState(d)) === s ? true : undefined;
      });
    }
    await swarmOk(m2, ['stop']);
    await swarmOk(m2, ['start']);
    expect(await swarmOk(m2, ['info'])).toContain('Swarm: locked');
    expect((await unlock(m2, key)).stderr).toMatch(/does not open this manager's data key/);
    expect((await unlock(m2, next)).code).toBe(0);
    await eventually('m2 serves the cluster again', async () => ((await swarm(m2, ['service', 'ls'])).stdout.includes('vault') ? true : undefined));
    key = next;
  });

  test("what the service carries is in no file of either manager's data dir", async () => {
    const hits: string[] = [];
    for (const d of [m1, m2]) {
      for (const f of await filesUnder(d)) if ((await fsp.readFile(f)).includes(MARKER)) hits.push(relative(root, f));
    }
    expect(hits).toEqual([]);
  });

  test('a worker promoted into the autolocked cluster seals both keys, restarts locked, and serves node ls once unlocked', async () => {
    const token = (await swarmOk(m1, ['join-token', '-q', 'worker'])).trim();
    await swarmOk(w3, ['join', '--token', token, addrs[0], '--listen-addr', addrs[2], '--hostname', 'w3']);
    // A worker holds no Raft data and is never locked: its key is plain.
    expect(await nodeKeyState(w3)).toBe('plain');
    expect(await keyState(w3)).toBeUndefined();
    await swarmOk(m1, ['node', 'promote', 'w3']);
    await eventually('w3 is a reachable manager', async () => {
      const ls = await swarm(m1, ['node', 'ls']);
      return /w3\s.*\b(Reachable|Leader)\b/.test(ls.stdout) ? true : undefined;
    });
    expect(await keyState(w3)).toBe(await keyState(m1));
    expect(await nodeKeyState(w3)).toBe(await keyState(m1));

    await swarmOk(w3, ['stop']);
    expect(await swarmOk(w3, ['start'])).toContain("It is an autolocked manager: it does nothing until 'swarm unlock'");
    expect(await swarmOk(w3, ['info'])).toContain('Swarm: locked');
    const refused = await swarm(w3, ['node', 'ls']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(LOCKED);
    const ok = await unlock(w3, key);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    await eventually('w3 serves node ls after unlock', async () => {
      const ls = await swarm(w3, ['node', 'ls']);
      return ls.code === 0 && ['m1', 'm2', 'w3'].every((h) => ls.stdout.includes(h)) ? true : undefined;
    });
  });

  test('demoted in the autolocked cluster, w3 stores its TLS key plain and drops its data key: it restarts with no unlock', async () => {
    await swarmOk(m1, ['node', 'demote', 'w3']);
    const w3Line = async () => (await swarm(m1, ['node', 'ls'])).stdout.split('\n').find((l) => /\sw3\s/.test(l)) ?? '';
    await eventually('w3 is a Ready worker with a plain key and no data key', async () => {
      const line = await w3Line();
      const worker = line.includes('Ready') && !/Reachable|Leader|Unreachable/.test(line);
      return worker && (await nodeKeyState(w3)) === 'plain' && (await keyState(w3)) === undefined ? true : undefined;
    });
    await swarmOk(w3, ['stop']);
    expect(await swarmOk(w3, ['start'])).not.toContain('autolocked');
    expect(await swarmOk(w3, ['info'])).not.toContain('Swarm: locked');
    await eventually('w3 is Ready again', async () => ((await w3Line()).includes('Ready') ? true : undefined));
  });

  test('update --autolock=false stores the data keys unsealed: a restart needs no unlock', async () => {
    expect(await swarmOk(m1, ['update', '--autolock=false'])).toBe('Swarm updated.\n');
    for (const d of [m1, m2]) {
      await eventually(`${relative(root, d)} unseals its data key and node key`, async () =>
        (await keyState(d)) === 'plain' && (await nodeKeyState(d)) === 'plain' ? true : undefined,
      );
    }
    expect((await swarm(m1, ['unlock-key'])).stderr).toMatch(/no unlock key is set: autolock is not turned on/);
    await swarmOk(m1, ['stop']);
    expect(await swarmOk(m1, ['start'])).not.toContain('autolocked');
    await eventually('m1 serves at once', async () => ((await swarm(m1, ['service', 'ls'])).stdout.includes('vault') ? true : undefined));
  });
});

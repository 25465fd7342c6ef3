// A task's secrets and configs as files: what each reference becomes (path,
// owner, mode), what is refused and why, and how they are written to and
// removed from the node's tmpfs; a node whose directory is not a tmpfs
// refuses rather than write them to disk.

import { mkdtempSync, promises as fsp, readdirSync, rmSync, statSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { AssignedBlob } from '../../lib/api/assignments';
import { taskFiles, TaskFile } from '../../lib/worker/executor/blob-files';
import { TMPFS_MAGIC, TmpfsFiles } from '../../lib/worker/executor/tmpfs-files';
import type { AssignedBlobs } from '../../lib/worker/executor/types';
import { expandTemplate } from '../../lib/worker/task-templates';
import { makeTask } from './helpers';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const blobs = (secrets: AssignedBlob[], configs: AssignedBlob[] = []): AssignedBlobs => ({
  secrets: new Map(secrets.map((b) => [b.id, b])),
  configs: new Map(configs.map((b) => [b.id, b])),
});
const file = (name: string, o: Partial<{ uid: string; gid: string; mode: number }> = {}) => ({ name, uid: '0', gid: '0', mode: 0o444, ...o });

describe("a task's files", () => {
  it('secrets under /run/secrets unless absolute, configs at their absolute target; owner and mode as asked', () => {
    const task = makeTask({
      nodeId: 'n1',
      container: {
        secrets: [
          { secretId: 's1', secretName: 'db_password', file: file('db_password') },
          { secretId: 's1', secretName: 'db_password', file: file('/etc/app/pw', { uid: '1000', gid: '1001', mode: 0o400 }) },
        ],
        configs: [{ configId: 'c1', configName: 'nginx_conf', file: file('/etc/nginx/nginx.conf') }],
      },
    });
    const r = taskFiles(task, blobs([{ id: 's1', name: 'db_password', data: b64('pw') }], [{ id: 'c1', name: 'nginx_conf', data: b64('listen 80;') }]));
    if (!r.ok) throw new Error(r.error);
    expect(r.files.map((f) => [f.kind, f.target, f.uid, f.gid, f.mode.toString(8), f.data.toString()])).toEqual([
      ['secret', '/run/secrets/db_password', 0, 0, '444', 'pw'],
      ['secret', '/etc/app/pw', 1000, 1001, '400', 'pw'],
      ['config', '/etc/nginx/nginx.conf', 0, 0, '444', 'listen 80;'],
    ]);
  });

  it('refuses, with the reason: a secret not given to the node, a path escaping, a name for uid, a templated config, one target twice', () => {
    const cases: [Parameters<typeof makeTask>[0]['container'], AssignedBlobs, RegExp][] = [
      [{ secrets: [{ secretId: 's9', secretName: 'gone', file: file('gone') }] }, blobs([]), /secret gone \(s9\) was not given to this node/],
      [{ secrets: [{ secretId: 's1', secretName: 'pw', file: file('../../etc/shadow') }] }, blobs([{ id: 's1', name: 'pw', data: b64('x') }]), /not a plain file path/],
      [{ secrets: [{ secretId: 's1', secretName: 'pw', file: file('pw', { uid: 'root' }) }] }, blobs([{ id: 's1', name: 'pw', data: b64('x') }]), /uid "root" must be a number/],
      [
        { configs: [{ configId: 'c1', configName: 't', file: file('/t') }] },
        blobs([], [{ id: 'c1', name: 't', data: b64('{{.Service.Name}}'), templating: { name: 'golang' } }]),
        /golang template driver, which this node cannot render/,
      ],
      [
        { secrets: [{ secretId: 's1', secretName: 'pw', file: file('/x') }], configs: [{ configId: 'c1', configName: 'c', file: file('/x') }] },
        blobs([{ id: 's1', name: 'pw', data: b64('x') }], [{ id: 'c1', name: 'c', data: b64('y') }]),
        /same target \/x/,
      ],
    ];
    for (const [container, given, why] of cases) {
      const r = taskFiles(makeTask({ nodeId: 'n1', container }), given);
      expect(r.ok ? 'accepted' : r.error).toMatch(why);
    }
  });
});

describe('a templated config', () => {
  it("is rendered for the task with the node's renderer; the stored template is left as it was", () => {
    const task = makeTask({ nodeId: 'n1', container: { configs: [{ configId: 'c1', configName: 't', file: file('/etc/t.conf') }] } });
    const given = blobs([], [{ id: 'c1', name: 't', data: b64('node={{.Node.Hostname}} task={{.Task.ID}}'), templating: { name: 'golang' } }]);
    const r = taskFiles(task, { ...given, render: (text, t) => expandTemplate(text, t, { id: 'n1', hostname: 'host-1' }) });
    if (!r.ok) throw new Error(r.error);
    expect(r.files[0].data.toString()).toBe(`node=host-1 task=${task.id}`);
    expect(given.configs.get('c1')?.data).toBe(b64('node={{.Node.Hostname}} task={{.Task.ID}}'));
  });
});

describe('the tmpfs writer', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'task-files-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const tmpfs = async () => ({ type: TMPFS_MAGIC });
  const f = (o: Partial<TaskFile>): TaskFile => ({ kind: 'secret', id: 's1', name: 'pw', target: '/run/secrets/pw', uid: 0, gid: 0, mode: 0o444, data: Buffer.from('hunter2'), ...o });

  it('writes each file with its owner and mode in a directory of the task no one else may read; removes it', async () => {
    const w = new TmpfsFiles({ root: join(dir, 'node'), statfs: tmpfs });
    const mounts = await w.write('task1', [f({}), f({ kind: 'config', target: '/app.conf', uid: 1234, gid: 4321, mode: 0o640, data: Buffer.from('a=1') })]);
    expect(mounts.map((m) => m.target)).toEqual(['/run/secrets/pw', '/app.conf']);
    const [secret, config] = mounts.map((m) => statSync(m.source));
    expect((secret.mode & 0o777).toString(8)).toBe('444');
    expect((config.mode & 0o777).toString(8)).toBe('640');
    if (process.getuid?.() === 0) expect([config.uid, config.gid]).toEqual([1234, 4321]);
    expect((statSync(join(dir, 'node', 'task1')).mode & 0o777).toString(8)).toBe('700');
    expect((statSync(join(dir, 'node')).mode & 0o777).toString(8)).toBe('700');
    expect(await fsp.readFile(mounts[1].source, 'utf8')).toBe('a=1');
    // No name or target of the task's choosing is part of a path on the node.
    expect(readdirSync(join(dir, 'node', 'task1')).sort()).toEqual(['config-1', 'secret-0']);

    await w.remove('task1');
    expect(readdirSync(join(dir, 'node'))).toEqual([]);
  });

  it('refuses to write anywhere but a tmpfs, and writes nothing', async () => {
    const ext4 = async () => ({ type: 0xef53 });
    const w = new TmpfsFiles({ root: join(dir, 'node'), statfs: ext4 });
    await expect(w.write('task1', [f({})])).rejects.toThrow(/is not on a tmpfs \(filesystem type 0xef53\): secrets and configs are never written to the node's disk/);
    expect(readdirSync(join(dir, 'node'))).toEqual([]);
  });

  it('the real statfs: /dev/shm passes, the test directory (not a tmpfs here) does not', async () => {
    const real = new TmpfsFiles({ root: join(dir, 'node') });
    const onDisk = (await fsp.statfs(dir)).type !== TMPFS_MAGIC;
    if (onDisk) await expect(real.write('task1', [f({})])).rejects.toThrow(/not on a tmpfs/);
    const shm = new TmpfsFiles({ root: join('/dev/shm', `task-files-test-${process.pid}`) });
    try {
      const [m] = await shm.write('task1', [f({})]);
      expect(await fsp.readFile(m.source, 'utf8')).toBe('hunter2');
    } finally {
      await fsp.rm(shm.root, { recursive: true, force: true });
    }
  });

  it("refuses a directory another user made or a link put there (/dev/shm is everyone's)", async () => {
    await fsp.mkdir(join(dir, 'elsewhere'));
    await fsp.symlink(join(dir, 'elsewhere'), join(dir, 'node'));
    const w = new TmpfsFiles({ root: join(dir, 'node'), statfs: tmpfs });
    await expect(w.write('task1', [f({})])).rejects.toThrow(/is not a directory of this daemon's user/);
    expect(readdirSync(join(dir, 'elsewhere'))).toEqual([]);
    if (process.getuid?.() === 0) {
      await fsp.mkdir(join(dir, 'theirs'));
      await fsp.chown(join(dir, 'theirs'), 4242, 4242);
      const other = new TmpfsFiles({ root: join(dir, 'theirs', 'node'), statfs: tmpfs });
      await expect(other.write('task1', [f({})])).rejects.toThrow(/theirs is not a directory of this daemon's user/);
    }
  });

  it('after a crash: the directories of tasks with no container go, the others stay', async () => {
    const w = new TmpfsFiles({ root: join(dir, 'node'), statfs: tmpfs });
    await w.write('alive', [f({})]);
    await w.write('dead', [f({})]);
    expect(await w.removeAllBut(new Set(['alive']))).toEqual(['dead']);
    expect(readdirSync(join(dir, 'node'))).toEqual(['alive']);
  });

  it('without root, refuses to give a file to another user', async () => {
    const w = new TmpfsFiles({ root: join(dir, 'node'), statfs: tmpfs, canChown: false });
    await expect(w.write('task1', [f({ uid: 4242, gid: 4242 })])).rejects.toThrow(/cannot give its file to uid 4242 gid 4242: the daemon does not run as root/);
    expect(readdirSync(join(dir, 'node'))).toEqual([]);
  });
});

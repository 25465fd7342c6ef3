// What the store itself refuses about secrets and configs, on every manager alike.

import { Config, Secret, Service } from '../../../lib/api/types';
import { MemoryStore } from '../../../lib/manager/store/memory-store';
import { Draft } from '../../../lib/manager/store/transaction';
import { service, tx } from '../store/fixtures';

const b64 = (s: string) => Buffer.from(s).toString('base64');

function secret(id: string, name: string, data = 'hunter2', labels: Record<string, string> = {}): Draft<Secret> {
  return { id, spec: { name, labels, data: b64(data) } };
}

function config(id: string, name: string, data = 'listen 80'): Draft<Config> {
  return { id, spec: { name, labels: {}, data: b64(data) } };
}

function using(id: string, name: string, secrets: [string, string][], configs: [string, string][] = []): Draft<Service> {
  const s = service(id, name);
  const file = (n: string) => ({ name: n, uid: '0', gid: '0', mode: 0o444 });
  s.spec.task.container.secrets = secrets.map(([sid, sname]) => ({ secretId: sid, secretName: sname, file: file(sname) }));
  s.spec.task.container.configs = configs.map(([cid, cname]) => ({ configId: cid, configName: cname, file: file(`/${cname}`) }));
  return s;
}

function withBlobs(): MemoryStore {
  const s = new MemoryStore();
  const r = s.apply(1, tx({ op: 'create', kind: 'secret', object: secret('sec1', 'db_password') }, { op: 'create', kind: 'config', object: config('cfg1', 'nginx_conf') }));
  expect(r.ok).toBe(true);
  return s;
}

describe('store rules for secrets and configs', () => {
  test('a service may only name secrets and configs that exist', () => {
    const s = withBlobs();
    expect(s.apply(2, tx({ op: 'create', kind: 'service', object: using('s1', 'web', [['sec1', 'db_password']], [['cfg1', 'nginx_conf']]) })).ok).toBe(true);
    const noSecret = s.apply(3, tx({ op: 'create', kind: 'service', object: using('s2', 'api', [['nope', 'gone']]) }));
    expect(!noSecret.ok && noSecret.error.message).toBe('cannot create service s2: service api uses secret gone (nope), which does not exist');
    const noConfig = s.apply(4, tx({ op: 'create', kind: 'service', object: using('s3', 'db', [], [['nope', 'gone']]) }));
    expect(!noConfig.ok && noConfig.error.message).toBe('cannot create service s3: service db uses config gone (nope), which does not exist');
  });

  test('one in use stays; removed with its service in one transaction it goes', () => {
    const s = withBlobs();
    s.apply(2, tx({ op: 'create', kind: 'service', object: using('s1', 'web', [['sec1', 'db_password']], [['cfg1', 'nginx_conf']]) }));
    const sec = s.apply(3, tx({ op: 'delete', kind: 'secret', id: 'sec1' }));
    expect(!sec.ok && sec.error.message).toBe('cannot delete secret sec1: secret db_password is in use by the following service: web');
    const cfg = s.apply(4, tx({ op: 'delete', kind: 'config', id: 'cfg1' }));
    expect(!cfg.ok && cfg.error.message).toBe('cannot delete config cfg1: config nginx_conf is in use by the following service: web');
    expect(s.list('secret').map((x) => x.id)).toEqual(['sec1']);
    const together = s.apply(5, tx({ op: 'delete', kind: 'service', id: 's1' }, { op: 'delete', kind: 'secret', id: 'sec1' }, { op: 'delete', kind: 'config', id: 'cfg1' }));
    expect(together.ok).toBe(true);
    expect(s.list('secret')).toEqual([]);
  });

  test('data never changes; labels may', () => {
    const s = withBlobs();
    const data = s.apply(2, tx({ op: 'update', kind: 'secret', object: secret('sec1', 'db_password', 'other'), expectedVersion: 1 }));
    expect(!data.ok && data.error.message).toBe("cannot update secret sec1: secret db_password's data cannot change; create a secret with a new name instead");
    const labels = s.apply(3, tx({ op: 'update', kind: 'secret', object: secret('sec1', 'db_password', 'hunter2', { team: 'a' }), expectedVersion: 1 }));
    expect(labels.ok).toBe(true);
    expect(s.get('secret', 'sec1')?.spec.labels).toEqual({ team: 'a' });
  });

  test('names are unique per kind, a secret and a config may share one', () => {
    const s = withBlobs();
    const dup = s.apply(2, tx({ op: 'create', kind: 'secret', object: secret('sec2', 'DB_PASSWORD') }));
    expect(!dup.ok && dup.error.code).toBe('NameConflict');
    expect(s.apply(3, tx({ op: 'create', kind: 'config', object: config('cfg2', 'db_password') })).ok).toBe(true);
  });

  test.each([
    ['empty data', secret('x', 'x', ''), /must hold 1 to 512000 bytes \(it holds 0\)/],
    ['more than 500 KiB', secret('x', 'x', 'a'.repeat(500 * 1024 + 1)), /must hold 1 to 512000 bytes \(it holds 512001\)/],
    ['data that is not base64', { id: 'x', spec: { name: 'x', labels: {}, data: 'not base64!' } }, /must be base64 text/],
    ['a name with a slash', secret('x', 'a/b'), /a name of 1 to 64 letters/],
  ])('%s is refused', (_what, object, message) => {
    const s = new MemoryStore();
    const r = s.apply(1, tx({ op: 'create', kind: 'secret', object: object as Draft<Secret> }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(message);
    expect(s.list('secret')).toEqual([]);
  });

  test('exactly 500 KiB is accepted', () => {
    const s = new MemoryStore();
    expect(s.apply(1, tx({ op: 'create', kind: 'secret', object: secret('x', 'big', 'a'.repeat(500 * 1024)) })).ok).toBe(true);
  });
});

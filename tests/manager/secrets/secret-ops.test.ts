// Secrets and configs on a real single manager (Raft on disk, in-process):
// what `swarm secret …`, `service create --secret` and `stack deploy|rm` do
// to the cluster, and every refusal with its message.

import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { defaultServiceSpec } from '../../../lib/api/service-defaults';
import type { ServiceSpec } from '../../../lib/api/service-types';
import type { StackBlobRequest } from '../../../lib/api/stack-blobs';
import { Manager } from '../../../lib/manager/manager';
import { createBlob, removeBlob, resolveBlob, updateBlobLabels } from '../../../lib/manager/secret-ops';
import { createService, removeService, updateService } from '../../../lib/manager/service-ops';
import { deployStack, removeStack } from '../../../lib/manager/stack-ops';
import { startLocalManager } from '../../../lib/testing/local-managers';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const file = (name: string, mode = 0o444) => ({ name, uid: '0', gid: '0', mode });

function withSecrets(name: string, secrets: [string, string][], configs: [string, string][] = []): ServiceSpec {
  const spec = defaultServiceSpec(name, 'busybox');
  spec.task.container.secrets = secrets.map(([n, target]) => ({ secretId: '', secretName: n, file: file(target) }));
  spec.task.container.configs = configs.map(([n, target]) => ({ configId: '', configName: n, file: file(target) }));
  return spec;
}

describe('secret and config operations on a manager', () => {
  const root = mkdtempSync(join(tmpdir(), 'swarm-secret-ops-'));
  let m: Manager;

  beforeAll(async () => {
    m = await startLocalManager(root);
    await m.raft.waitForLeader();
  });

  afterAll(async () => {
    await m.stop();
    rmSync(root, { recursive: true, force: true });
  });

  test('create checks the name and size; a name is taken once; found by id, prefix or name', async () => {
    const s = await createBlob(m, 'secret', { name: 'db_password', labels: { team: 'a' }, data: b64('hunter2') });
    expect(s.spec).toEqual({ name: 'db_password', labels: { team: 'a' }, data: b64('hunter2') });
    await expect(createBlob(m, 'secret', { name: 'db_password', data: b64('x') })).rejects.toThrow('secret db_password already exists');
    await expect(createBlob(m, 'secret', { name: '-bad', data: b64('x') })).rejects.toThrow(/invalid secret name "-bad"/);
    await expect(createBlob(m, 'secret', { name: 'empty', data: '' })).rejects.toThrow('secret empty is empty: a secret must hold at least 1 byte');
    const big = Buffer.alloc(500 * 1024 + 1).toString('base64');
    await expect(createBlob(m, 'config', { name: 'big', data: big })).rejects.toThrow('config big is 512001 bytes: a config may hold at most 512000 bytes (500 KiB)');
    await expect(createBlob(m, 'secret', { name: 'notb64', data: 'not base64!' })).rejects.toThrow('secret notb64: the data must be base64 text');
    expect(resolveBlob(m, 'secret', 'db_password').id).toBe(s.id);
    expect(resolveBlob(m, 'secret', s.id.slice(0, 6)).id).toBe(s.id);
    expect(() => resolveBlob(m, 'secret', 'nope')).toThrow('no such secret: nope');
    expect(m.store.list('secret').map((x) => x.spec.name)).toEqual(['db_password']);
  });

  test('only labels change', async () => {
    const before = resolveBlob(m, 'secret', 'db_password');
    const after = await updateBlobLabels(m, 'secret', 'db_password', { team: 'b', env: 'prod' });
    expect(after.spec.labels).toEqual({ team: 'b', env: 'prod' });
    expect(after.spec.data).toBe(before.spec.data);
    await expect(updateBlobLabels(m, 'secret', 'db_password', { x: 1 })).rejects.toThrow('label x must be a string');
  });

  test('config templates: golang with the placeholders nodes render is stored; anything else is refused naming the line', async () => {
    const ok = await createBlob(m, 'config', { name: 'tmpl', data: b64('host: {{ .Node.Hostname }}\nslot: {{.Task.Slot}}\n'), templateDriver: 'golang' });
    expect(ok.spec).toMatchObject({ templating: { name: 'golang' } });
    await expect(createBlob(m, 'config', { name: 't2', data: b64('a\nb: {{ env "HOME" }}\n'), templateDriver: 'golang' })).rejects.toThrow(
      /config t2: line 2: \{\{ env "HOME" \}\} cannot be rendered/,
    );
    await expect(createBlob(m, 'config', { name: 't3', data: b64('x'), templateDriver: 'jinja' })).rejects.toThrow('config t3: unknown template driver "jinja" (only golang)');
    await expect(createBlob(m, 'secret', { name: 't4', data: b64('x'), templateDriver: 'golang' })).rejects.toThrow('secret t4: template drivers are not supported for secrets');
  });

  test('a service names secrets and configs by name; stored by id; a missing one or a shared target is refused', async () => {
    const conf = await createBlob(m, 'config', { name: 'nginx_conf', data: b64('listen 80;') });
    const svc = await createService(m, withSecrets('web', [['db_password', 'db_password']], [['nginx_conf', '/etc/nginx.conf']]));
    const secret = resolveBlob(m, 'secret', 'db_password');
    expect(svc.spec.task.container.secrets).toEqual([{ secretId: secret.id, secretName: 'db_password', file: file('db_password') }]);
    expect(svc.spec.task.container.configs).toEqual([{ configId: conf.id, configName: 'nginx_conf', file: file('/etc/nginx.conf') }]);
    await expect(createService(m, withSecrets('api', [['ghost', 'ghost']]))).rejects.toThrow('service api: secret not found: ghost');
    await expect(createService(m, withSecrets('api', [['db_password', 'a'], ['db_password', '/run/secrets/a']]))).rejects.toThrow(
      'service api: secret db_password and secret db_password both target /run/secrets/a',
    );
    // The spec's own faults come first, before the cluster is read.
    await expect(createService(m, withSecrets('bad name', [['ghost', 'ghost']]))).rejects.toThrow(/invalid service name "bad name"/);
    expect(m.store.findByName('service', 'api')).toEqual([]);
    // An update that keeps the reference (read back with its id) keeps it.
    const spec = structuredClone(svc.spec) as ServiceSpec;
    spec.task.container.image = 'busybox:2';
    const updated = await updateService(m, 'web', spec);
    expect(updated.spec.task.container.secrets?.[0].secretId).toBe(secret.id);
  });

  test('remove is refused while a service uses it, naming the service; allowed once the service is gone', async () => {
    await expect(removeBlob(m, 'secret', 'db_password')).rejects.toThrow('secret db_password is in use by the following service: web');
    await expect(removeBlob(m, 'config', 'nginx_conf')).rejects.toThrow('config nginx_conf is in use by the following service: web');
    await removeService(m, 'web');
    await removeBlob(m, 'secret', 'db_password');
    await removeBlob(m, 'config', 'nginx_conf');
    expect(m.store.findByName('secret', 'db_password')).toEqual([]);
    await expect(removeBlob(m, 'secret', 'db_password')).rejects.toThrow('no such secret: db_password');
  });

  describe('stacks', () => {
    const label = { 'com.docker.stack.namespace': 'shop' };
    const own = (name: string, content: string): StackBlobRequest => ({ name, external: false, labels: { ...label }, data: b64(content) });
    const services = () => {
      const web = withSecrets('shop_web', [['shop_db_pw', 'db_pw'], ['ext_token', 'token']], [['shop_conf', '/etc/app.conf']]);
      web.labels = { ...label };
      return [web];
    };

    test('an external one must exist', async () => {
      await expect(deployStack(m, 'shop', services(), [], false, { secrets: [own('shop_db_pw', 'pw1'), { name: 'ext_token', external: true }], configs: [own('shop_conf', 'c1')] })).rejects.toThrow(
        'secret "ext_token" is declared as external, but could not be found; create it first (swarm secret create ext_token FILE)',
      );
      expect(m.store.findByName('secret', 'shop_db_pw')).toEqual([]);
    });

    test('deploy creates the missing ones with the stack label; the same content again changes nothing', async () => {
      const ext = await createBlob(m, 'secret', { name: 'ext_token', data: b64('tok') });
      const blobs = { secrets: [own('shop_db_pw', 'pw1'), { name: 'ext_token', external: true }], configs: [own('shop_conf', 'c1')] };
      const r = await deployStack(m, 'shop', services(), [], false, blobs);
      expect(r).toMatchObject({ created: ['shop_web'], secretsCreated: ['shop_db_pw'], configsCreated: ['shop_conf'], secretsUpdated: [], configsUpdated: [] });
      const pw = resolveBlob(m, 'secret', 'shop_db_pw');
      expect(pw.spec.labels).toEqual(label);
      const web = m.store.findByName('service', 'shop_web')[0];
      expect(web.spec.task.container.secrets?.map((s) => s.secretId)).toEqual([pw.id, ext.id]);
      const again = await deployStack(m, 'shop', services(), [], false, blobs);
      expect(again).toMatchObject({ unchanged: ['shop_web'], secretsCreated: [], configsCreated: [], secretsUpdated: [] });
      expect(resolveBlob(m, 'secret', 'shop_db_pw').meta.version).toBe(pw.meta.version);
    });

    test('changed content under the same name is refused with the way out', async () => {
      const err = await deployStack(m, 'shop', services(), [], false, { secrets: [own('shop_db_pw', 'pw2'), { name: 'ext_token', external: true }], configs: [own('shop_conf', 'c1')] }).catch((e: unknown) => e);
      expect(String(err)).toContain('secret shop_db_pw already exists with other content');
      expect(String(err)).toContain('name: shop_db_pw_v2');
      expect(Buffer.from(resolveBlob(m, 'secret', 'shop_db_pw').spec.data, 'base64').toString()).toBe('pw1');
    });

    test("one of another's name is not taken over", async () => {
      await expect(deployStack(m, 'other', [], [], false, { secrets: [{ ...own('shop_db_pw', 'pw1'), labels: { 'com.docker.stack.namespace': 'other' } }], configs: [] })).rejects.toThrow(
        'secret shop_db_pw already exists and is not part of stack other; declare it external: true to use it',
      );
    });

    test('stack rm removes its services, then its own secrets and configs, not external ones', async () => {
      const r = await removeStack(m, 'shop');
      expect(r).toEqual({ removed: ['shop_web'], networksRemoved: [], secretsRemoved: ['shop_db_pw'], configsRemoved: ['shop_conf'] });
      expect(m.store.findByName('secret', 'shop_db_pw')).toEqual([]);
      expect(m.store.findByName('secret', 'ext_token')).toHaveLength(1);
    });
  });
});

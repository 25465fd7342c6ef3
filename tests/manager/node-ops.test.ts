import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { newObjectId } from '../../lib/api/ids';
import { ManagerError } from '../../lib/manager/errors';
import { Manager } from '../../lib/manager/manager';
import { resolveNode, updateNode } from '../../lib/manager/node-ops';
import { startLocalManager } from '../../lib/testing/local-managers';

describe('node operations on a manager', () => {
  const root = mkdtempSync(join(tmpdir(), 'swarm-nodeops-'));
  let m: Manager;
  const ids = { a: newObjectId(), b: newObjectId() };

  beforeAll(async () => {
    m = await startLocalManager(root);
    await m.raft.waitForLeader();
    const node = (id: string, hostname: string) => ({
      id,
      spec: { labels: { keep: 'yes' }, desiredRole: 'worker' as const, availability: 'active' as const },
      role: 'worker' as const,
      description: { hostname, platform: { os: 'linux', arch: 'x86_64' }, resources: { nanoCPUs: 1e9, memoryBytes: 1 << 30 } },
      status: { state: 'ready' as const },
    });
    await m.write([
      { op: 'create', kind: 'node', object: node(ids.a, 'alpha') },
      { op: 'create', kind: 'node', object: node(ids.b, 'beta') },
    ]);
  });

  afterAll(async () => {
    await m.stop();
    rmSync(root, { recursive: true, force: true });
  });

  test('a node is found by id, unique prefix or hostname; unknown and ambiguous refs are clear errors', () => {
    expect(resolveNode(m, ids.a).id).toBe(ids.a);
    expect(resolveNode(m, 'beta').id).toBe(ids.b);
    expect(resolveNode(m, ids.b.slice(0, 8)).id).toBe(ids.b);
    expect(() => resolveNode(m, 'gamma')).toThrow('node gamma not found');
  });

  test('labels are added and removed and availability changed in one committed update', async () => {
    const n = await updateNode(m, 'alpha', { availability: 'drain', labelAdd: { zone: 'east' }, labelRm: ['keep'] });
    expect(n.spec.availability).toBe('drain');
    expect(n.spec.labels).toEqual({ zone: 'east' });
  });

  test('bad input is refused with a clear error and changes nothing', async () => {
    const before = resolveNode(m, 'beta');
    await expect(updateNode(m, 'beta', { availability: 'sleep' as never })).rejects.toThrow(/invalid availability "sleep"/);
    await expect(updateNode(m, 'beta', { labelRm: ['nope'] })).rejects.toThrow('node beta has no label "nope"');
    await expect(updateNode(m, 'nobody', { labelAdd: { a: 'b' } })).rejects.toBeInstanceOf(ManagerError);
    expect(resolveNode(m, 'beta').meta.version).toBe(before.meta.version);
  });

  test('concurrent updates of one node both land (read-modify-write retries on a version conflict)', async () => {
    await Promise.all([updateNode(m, 'beta', { labelAdd: { one: '1' } }), updateNode(m, 'beta', { labelAdd: { two: '2' } })]);
    expect(resolveNode(m, 'beta').spec.labels).toEqual({ keep: 'yes', one: '1', two: '2' });
  });
});

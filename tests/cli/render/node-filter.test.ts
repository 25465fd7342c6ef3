import type { Node } from '../../../lib/api/types';
import { filterNodes } from '../../../lib/cli/render/node-filter';

function node(id: string, hostname: string, role: 'manager' | 'worker', labels: Record<string, string>, engineLabels?: Record<string, string>): Node {
  return {
    id,
    meta: { version: 1, createdAt: '2024-01-01T00:00:00Z', updatedAt: '2024-01-01T00:00:00Z' },
    spec: { labels, desiredRole: role, availability: 'active' },
    role,
    description: {
      hostname,
      platform: { os: 'linux', arch: 'x86_64' },
      resources: { nanoCPUs: 1e9, memoryBytes: 1 },
      ...(engineLabels && { engine: { version: '24', labels: engineLabels } }),
    },
    status: { state: 'ready' },
  };
}

const nodes = [
  node('aaa111', 'manager-1', 'manager', { zone: 'a', ssd: '' }, { storage: 'fast' }),
  node('aab222', 'manager-2', 'manager', { zone: 'b' }),
  node('bbb333', 'worker-1', 'worker', { zone: 'a' }, { storage: 'slow' }),
];
const ids = (args: string[]) => filterNodes(nodes, args).map((n) => n.id);

describe('node filters with docker keys', () => {
  test('no filters keep every node in order', () => {
    expect(ids([])).toEqual(['aaa111', 'aab222', 'bbb333']);
  });

  test('role, case-insensitive, on the current role', () => {
    expect(ids(['role=manager'])).toEqual(['aaa111', 'aab222']);
    expect(ids(['role=WORKER'])).toEqual(['bbb333']);
  });

  test('id and name are prefixes; several values of one key OR together', () => {
    expect(ids(['id=aa'])).toEqual(['aaa111', 'aab222']);
    expect(ids(['name=worker'])).toEqual(['bbb333']);
    expect(ids(['name=manager-2', 'name=worker'])).toEqual(['aab222', 'bbb333']);
  });

  test('different keys AND together', () => {
    expect(ids(['role=manager', 'node.label=zone=a'])).toEqual(['aaa111']);
  });

  test('node.label matches the spec labels by key or key=value; several must all match', () => {
    expect(ids(['node.label=zone'])).toEqual(['aaa111', 'aab222', 'bbb333']);
    expect(ids(['node.label=zone=a'])).toEqual(['aaa111', 'bbb333']);
    expect(ids(['node.label=ssd'])).toEqual(['aaa111']);
    expect(ids(['node.label=zone=a', 'node.label=ssd'])).toEqual(['aaa111']);
  });

  test('label matches engine labels; a node with no engine matches none', () => {
    expect(ids(['label=storage'])).toEqual(['aaa111', 'bbb333']);
    expect(ids(['label=storage=slow'])).toEqual(['bbb333']);
  });

  test('membership: every stored node has been accepted', () => {
    expect(ids(['membership=accepted'])).toHaveLength(3);
    expect(ids(['membership=pending'])).toEqual([]);
  });

  test('keys are trimmed and lower-cased; an empty role is ignored as docker does', () => {
    expect(ids([' Role =manager'])).toEqual(['aaa111', 'aab222']);
    expect(ids(['role='])).toHaveLength(3);
  });

  test("unknown keys and bad values fail with docker's wording", () => {
    expect(() => ids(['foo=bar'])).toThrow("invalid filter 'foo'");
    expect(() => ids(['hostname=x'])).toThrow("invalid filter 'hostname'");
    expect(() => ids(['role=boss'])).toThrow("Invalid role filter: 'boss'");
    expect(() => ids(['membership=maybe'])).toThrow("Invalid membership filter: 'maybe'");
    expect(() => ids(['role'])).toThrow('bad format of filter (expected name=value)');
  });
});

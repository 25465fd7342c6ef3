import type { Node } from '../../../lib/api/types';
import { renderNodeList } from '../../../lib/cli/render/node-list';
import { deepFreeze } from '../../../lib/manager/store/deep-freeze';

const ID1 = 'abcdefghijklmnopqrstuvwx1';
const ID2 = 'bcdefghijklmnopqrstuvwxy2';
const ID3 = 'cdefghijklmnopqrstuvwxyz3';
const ID4 = 'defghijklmnopqrstuvwxyza4';

function node(id: string, hostname: string, extra: Partial<Node> = {}): Node {
  return {
    id,
    meta: { version: 1, createdAt: '2024-01-01T00:00:00Z', updatedAt: '2024-01-01T00:00:00Z' },
    spec: { labels: {}, desiredRole: 'worker', availability: 'active' },
    role: 'worker',
    description: {
      hostname,
      platform: { os: 'linux', arch: 'x86_64' },
      resources: { nanoCPUs: 2e9, memoryBytes: 2 ** 31 },
      engine: { version: '24.0.7', labels: {} },
    },
    status: { state: 'ready', addr: '10.0.0.1' },
    ...extra,
  };
}

const manager = (): Partial<Node> => ({
  role: 'manager',
  spec: { labels: {}, desiredRole: 'manager', availability: 'active' },
  managerStatus: { raftId: 1, addr: '10.0.0.1:4242' },
});

// Frozen like the store hands them out: rendering must not touch them.
const nodes = deepFreeze([
  node(ID3, 'worker-10', { status: { state: 'down' }, spec: { labels: {}, desiredRole: 'worker', availability: 'drain' } }),
  node(ID2, 'manager-2', manager()),
  node(ID1, 'manager-1', manager()),
  node(ID4, 'worker-9', { description: undefined, status: { state: 'unknown' } }),
]);

const options = {
  selfId: ID1,
  leaderNodeId: ID1,
  reachability: (n: { id: string }) => (n.id === ID2 ? ('unreachable' as const) : ('reachable' as const)),
};

describe('node ls as docker prints it', () => {
  test('full ids, self star, leader and reachability, hostnames in natural order, minimum column width', () => {
    expect(renderNodeList(nodes, options)).toBe(
      [
        'ID                            HOSTNAME    STATUS    AVAILABILITY   MANAGER STATUS   ENGINE VERSION',
        // no description: an empty hostname, which sorts first, and no engine version
        `${ID4}                 Unknown   Active`,
        `${ID1} *   manager-1   Ready     Active         Leader           24.0.7`,
        `${ID2}     manager-2   Ready     Active         Unreachable      24.0.7`,
        `${ID3}     worker-10   Down      Drain                           24.0.7`,
        '',
      ].join('\n'),
    );
  });

  test('hostnames sort naturally: worker-9 before worker-10', () => {
    const out = renderNodeList([node(ID1, 'w-10'), node(ID2, 'w-9'), node(ID3, 'w-09')], { quiet: true });
    expect(out).toBe(`${ID2}\n${ID3}\n${ID1}\n`);
  });

  test('a manager whose reachability is not known shows Unknown, as docker does', () => {
    const out = renderNodeList([node(ID2, 'm', manager())], {});
    expect(out.split('\n')[1]).toBe(`${ID2}     m          Ready     Active         Unknown          24.0.7`);
  });

  test('an empty listing prints only the headers, the ID column at its 10-character minimum', () => {
    expect(renderNodeList([], {})).toBe('ID        HOSTNAME   STATUS    AVAILABILITY   MANAGER STATUS   ENGINE VERSION\n');
  });

  test('-q prints the ids alone, sorted like the table; nothing for no nodes', () => {
    expect(renderNodeList(nodes, { ...options, quiet: true })).toBe(`${ID4}\n${ID1}\n${ID2}\n${ID3}\n`);
    expect(renderNodeList([], { quiet: true })).toBe('');
  });

  test('--format json: one object per line with docker keys in Go map order', () => {
    const lines = renderNodeList(nodes, { ...options, format: 'json' }).trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toBe(
      `{"Availability":"Active","EngineVersion":"24.0.7","Hostname":"manager-1","ID":"${ID1}",` +
        '"ManagerStatus":"Leader","Self":true,"Status":"Ready","TLSStatus":"Unknown"}',
    );
    expect(JSON.parse(lines[0])).toEqual({
      Availability: 'Active',
      EngineVersion: '',
      Hostname: '',
      ID: ID4,
      ManagerStatus: '',
      Self: false,
      Status: 'Unknown',
      TLSStatus: 'Unknown',
    });
    expect(renderNodeList([], { format: 'json' })).toBe('');
  });

  test('like docker, -q does not shorten --format json', () => {
    expect(renderNodeList(nodes, { format: 'json', quiet: true }).split('\n')[1]).toContain('"Hostname":"manager-1"');
  });

  test('noTrunc changes nothing: docker never cuts node ids', () => {
    expect(renderNodeList(nodes, { ...options, noTrunc: false })).toBe(renderNodeList(nodes, { ...options, noTrunc: true }));
  });

  test('Disconnected and Pause are capitalized like the other states', () => {
    const n = node(ID1, 'h', {
      status: { state: 'disconnected' },
      spec: { labels: {}, desiredRole: 'worker', availability: 'pause' },
    });
    expect(renderNodeList([n], {}).split('\n')[1]).toBe(`${ID1}     h          Disconnected   Pause                           24.0.7`);
  });
});

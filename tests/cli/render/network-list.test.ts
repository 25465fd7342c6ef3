import { filterNetworks } from '../../../lib/cli/render/network-filter';
import { renderNetworkList } from '../../../lib/cli/render/network-list';
import { BACK, FRONT, INGRESS, network } from './network-fixtures';

const all = [FRONT, INGRESS, BACK];

describe('network ls', () => {
  test("docker's table: NETWORK ID cut to 12, NAME, DRIVER, SCOPE; sorted by name", () => {
    expect(renderNetworkList(all)).toBe(
      [
        'NETWORK ID     NAME       DRIVER    SCOPE',
        'b4ck00000000   app_back   overlay   swarm',
        'f1r0nt000000   front      overlay   swarm',
        'i1ngress0000   ingress    overlay   swarm',
        '',
      ].join('\n'),
    );
  });

  test('names sort naturally, as docker sorts them (net2 before net10)', () => {
    const nets = [network('c', 'net10', '10.0.2.0/24'), network('a', 'net2', '10.0.1.0/24'), network('b', 'net1', '10.0.0.0/24')];
    expect(renderNetworkList(nets, { quiet: true })).toBe('b\na\nc\n');
  });

  test('-q prints ids only, cut unless --no-trunc; with no networks, the header alone', () => {
    expect(renderNetworkList(all, { quiet: true })).toBe('b4ck00000000\nf1r0nt000000\ni1ngress0000\n');
    expect(renderNetworkList([FRONT], { quiet: true, noTrunc: true })).toBe('f1r0nt00000000000000000zz\n');
    expect(renderNetworkList([])).toBe('NETWORK ID   NAME      DRIVER    SCOPE\n');
  });

  test("--format json: docker's keys sorted, booleans as strings, Go's time, labels sorted; -q ignored", () => {
    const line =
      '{"CreatedAt":"2024-05-01 10:00:00.123456789 +0000 UTC","Driver":"overlay","ID":"b4ck00000000","IPv4":"true",' +
      '"IPv6":"false","Internal":"true","Labels":"com.docker.stack.namespace=app,tier=db","Name":"app_back","Scope":"swarm"}\n';
    expect(renderNetworkList([BACK], { format: 'json', quiet: true })).toBe(line);
    expect(renderNetworkList([], { format: 'json' })).toBe('');
  });
});

describe('network ls --filter', () => {
  const names = (args: string[]) => filterNetworks(all, args).map((n) => n.spec.name);

  test('name and id match as docker matches them: the value, or a pattern found in it', () => {
    expect(names(['name=front'])).toEqual(['front']);
    expect(names(['name=ack'])).toEqual(['app_back']);
    expect(names(['name=^app_'])).toEqual(['app_back']);
    expect(names(['name=front', 'name=ingress'])).toEqual(['front', 'ingress']);
    expect(names(['id=f1r0'])).toEqual(['front']);
    expect(names(['name=[broken'])).toEqual([]);
  });

  test('labels: every one given must hold (key present, or key=value)', () => {
    expect(names(['label=tier'])).toEqual(['app_back']);
    expect(names(['label=tier=db', 'label=com.docker.stack.namespace=app'])).toEqual(['app_back']);
    expect(names(['label=tier=web'])).toEqual([]);
  });

  test('driver, scope and type', () => {
    expect(names(['driver=overlay'])).toHaveLength(3);
    expect(names(['driver=bridge'])).toEqual([]);
    expect(names(['scope=swarm'])).toHaveLength(3);
    expect(names(['scope=local'])).toEqual([]);
    expect(names(['type=builtin'])).toEqual(['ingress']);
    expect(names(['type=custom'])).toEqual(['front', 'app_back']);
    expect(names(['type=custom', 'name=front'])).toEqual(['front']);
  });

  test.each([
    ['name', 'bad format of filter (expected name=value)'],
    ['hostname=x', "invalid filter 'hostname'"],
    ['type=other', "invalid filter: 'type'='other'"],
    ['dangling=true', "the 'dangling' filter is not supported"],
  ])('%s is refused: %s', (arg, message) => {
    expect(() => filterNetworks(all, [arg])).toThrow(message);
  });
});

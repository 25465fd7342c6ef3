// Where forwarded queries go: the operator's list, or the host's resolv.conf.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DnsServer } from '../../../lib/network/dns/server';
import { parseUpstream, upstreamsFromResolvConf } from '../../../lib/network/dns/upstreams';

describe('parseUpstream', () => {
  test.each([
    ['10.0.0.2', { address: '10.0.0.2', port: 53, family: 4 }],
    ['10.0.0.2:5353', { address: '10.0.0.2', port: 5353, family: 4 }],
    ['fd00::53', { address: 'fd00::53', port: 53, family: 6 }],
    ['[fd00::53]:5353', { address: 'fd00::53', port: 5353, family: 6 }],
  ])('%s', (text, expected) => {
    expect(parseUpstream(text)).toEqual(expected);
  });

  test.each(['resolver.example', '10.0.0.2:', '10.0.0.2:0', '10.0.0.2:70000', '10.0.0.2:53x', '[fd00::53]:'])(
    'refuses %s with a one-line error',
    (text) => {
      expect(() => parseUpstream(text)).toThrow(new RegExp(`^dns upstream "${text.replace(/[[\]]/g, '\\$&')}"`));
    },
  );

  test('a bad upstream fails start with a one-line error', async () => {
    await expect(
      DnsServer.start({ address: '127.0.0.1', port: 0, lookup: () => ({ kind: 'forward' }), upstreams: ['nowhere'] }),
    ).rejects.toThrow('dns upstream "nowhere" is not an IP address or ip:port');
  });
});

describe('upstreamsFromResolvConf', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'swarm-dns-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test('takes the nameservers in order, less the server itself and entries that are not addresses', async () => {
    const path = join(dir, 'resolv.conf');
    await writeFile(
      path,
      [
        '# written by a test',
        'search corp.example',
        'nameserver 100.127.250.2',
        'nameserver 10.0.0.2',
        '  nameserver\t10.0.0.3  ',
        '; nameserver 10.0.0.4',
        'nameserver resolver.example',
        'nameserver fd00::53',
        'options ndots:2',
      ].join('\n'),
    );
    expect(await upstreamsFromResolvConf('100.127.250.2', path)).toEqual([
      { address: '10.0.0.2', port: 53, family: 4 },
      { address: '10.0.0.3', port: 53, family: 4 },
      { address: 'fd00::53', port: 53, family: 6 },
    ]);
  });

  test('a missing file gives no upstreams', async () => {
    expect(await upstreamsFromResolvConf('100.127.250.2', join(dir, 'absent'))).toEqual([]);
  });
});

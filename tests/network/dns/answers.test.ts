// Cluster names: what a client in a task's container gets back for each kind of
// lookup result, over UDP and over TCP.
import { DnsServer } from '../../../lib/network/dns/server';
import type { DnsLookup, DnsLookupResult } from '../../../lib/network/dns/types';
import { RCODE, TYPE, encodeQuery, query, udpQuery, udpRaw, Packet, waitFor, type Via } from './dns-client';

const WEB = ['100.64.0.5', '100.64.0.6'];

const cluster: DnsLookup = (_peer, name) => {
  switch (name) {
    case 'web':
      return { kind: 'records', addresses: WEB, ttlSeconds: 7 };
    case 'idle':
      return { kind: 'records', addresses: [], ttlSeconds: 7 };
    case 'tasks.big':
      return {
        kind: 'records',
        addresses: Array.from({ length: 120 }, (_, i) => `100.64.1.${i + 1}`),
        ttlSeconds: 0,
      };
    case 'other-net':
      return { kind: 'nxdomain' };
    default:
      return { kind: 'refused' };
  }
};

let server: DnsServer;
let lookup: DnsLookup;
let calls: Array<{ peer: string; name: string }>;
let warnings: string[];

beforeEach(async () => {
  lookup = cluster;
  calls = [];
  warnings = [];
  server = await DnsServer.start({
    address: '127.0.0.1',
    port: 0,
    upstreams: [],
    lookup: (peer, name) => {
      calls.push({ peer, name });
      return lookup(peer, name);
    },
    logger: { warn: (msg) => warnings.push(msg) },
  });
});

afterEach(() => server.close());

const vias: Via[] = ['udp', 'tcp'];

describe.each(vias)('over %s', (via) => {
  test('a cluster name is answered with its addresses and TTL, authoritatively', async () => {
    const answer = await query(via, server, 'web', 'A', { id: 4321 });
    expect(answer.header.id).toBe(4321);
    expect(answer.header.rcode).toBe(RCODE.NOERROR);
    expect(answer.header.aa).toBe(1);
    expect(answer.questions).toEqual([expect.objectContaining({ name: 'web', type: TYPE.A })]);
    expect(answer.answers.map((r) => [r.name, r.type, r.ttl, r.address])).toEqual([
      ['web', TYPE.A, 7, '100.64.0.5'],
      ['web', TYPE.A, 7, '100.64.0.6'],
    ]);
  });

  test('AAAA and other types on a cluster name get NOERROR with no records, so clients do not wait', async () => {
    for (const type of ['AAAA', 'MX', 'TXT'] as const) {
      const answer = await query(via, server, 'web', type);
      expect({ type, rcode: answer.header.rcode, answers: answer.answers }).toEqual({ type, rcode: RCODE.NOERROR, answers: [] });
    }
  });

  test('ANY on a cluster name gives its A records', async () => {
    const answer = await query(via, server, 'web', 'ANY');
    expect(answer.answers.map((r) => r.address)).toEqual(WEB);
  });

  test('a cluster name with no address now is NOERROR with no records', async () => {
    const answer = await query(via, server, 'idle');
    expect(answer.header.rcode).toBe(RCODE.NOERROR);
    expect(answer.answers).toEqual([]);
  });

  test('nxdomain is answered NXDOMAIN', async () => {
    const answer = await query(via, server, 'other-net');
    expect(answer.header.rcode).toBe(RCODE.NXDOMAIN);
    expect(answer.header.aa).toBe(1);
    expect(answer.answers).toEqual([]);
  });

  test('refused is answered REFUSED', async () => {
    const answer = await query(via, server, 'example.com');
    expect(answer.header.rcode).toBe(RCODE.REFUSED);
  });

  test("lookup is given the client's source address and the name lower-cased without the trailing dot", async () => {
    await query(via, server, 'WeB.', 'A', { from: '127.0.0.3' });
    expect(calls).toEqual([{ peer: '127.0.0.3', name: 'web' }]);
  });

  test('a lookup that answers later (a peer the node has not learned yet) is waited for', async () => {
    let release!: (r: DnsLookupResult) => void;
    lookup = () => new Promise((resolve) => (release = resolve));
    const pending = query(via, server, 'late');
    await waitFor(() => calls.length === 1, 'the lookup to be called');
    release({ kind: 'records', addresses: ['100.64.0.9'], ttlSeconds: 3 });
    const answer = await pending;
    expect(answer.answers.map((r) => [r.address, r.ttl])).toEqual([['100.64.0.9', 3]]);
  });

  test('a lookup that throws gives SERVFAIL and a warning', async () => {
    lookup = () => {
      throw new Error('table exploded');
    };
    const answer = await query(via, server, 'web');
    expect(answer.header.rcode).toBe(RCODE.SERVFAIL);
    expect(warnings).toEqual([expect.stringContaining('table exploded')]);
    expect(warnings[0]).toContain('"web"');
  });

  test('a lookup that rejects, or gives an address that is not IPv4, gives SERVFAIL and a warning', async () => {
    lookup = () => Promise.reject(new Error('no table yet'));
    expect((await query(via, server, 'web')).header.rcode).toBe(RCODE.SERVFAIL);
    lookup = () => ({ kind: 'records', addresses: ['fd00::1'], ttlSeconds: 5 });
    expect((await query(via, server, 'web')).header.rcode).toBe(RCODE.SERVFAIL);
    expect(warnings).toEqual([expect.stringContaining('no table yet'), expect.stringContaining('fd00::1')]);
    expect(server.stats().lookupFailures).toBe(2);
  });
});

test('an answer too long for UDP keeps the records that fit and sets TC; over TCP it is whole', async () => {
  const udp = await query('udp', server, 'tasks.big');
  expect(udp.header.tc).toBe(1);
  expect(udp.answers.length).toBeGreaterThan(20);
  expect(udp.answers.length).toBeLessThan(120);
  const tcp = await query('tcp', server, 'tasks.big');
  expect(tcp.header.tc).toBe(0);
  expect(tcp.answers).toHaveLength(120);
});

test('a client that advertises a larger EDNS buffer gets more records over UDP, and an OPT record back', async () => {
  const classic = await udpQuery(server, 'tasks.big');
  const edns = await udpQuery(server, 'tasks.big', 'A', { ednsSize: 4096 });
  expect(edns.answers.length).toBeGreaterThan(classic.answers.length);
  expect(edns.additionals.map((r) => r.type)).toEqual([TYPE.EDNS]);
  expect(classic.additionals).toEqual([]);
});

test('a lookup that never settles is answered SERVFAIL after the lookup timeout', async () => {
  const slow = await DnsServer.start(
    { address: '127.0.0.1', port: 0, upstreams: [], lookup: () => new Promise(() => undefined), logger: { warn: (m) => warnings.push(m) } },
    { lookupTimeoutMs: 100 },
  );
  try {
    const answer = await udpQuery(slow, 'web');
    expect(answer.header.rcode).toBe(RCODE.SERVFAIL);
    expect(warnings).toEqual([expect.stringContaining('no result within 100 ms')]);
  } finally {
    await slow.close();
  }
});

test('a query that is not a standard query is answered NOTIMP without a lookup', async () => {
  const message = encodeQuery('web');
  // Opcode 2 (STATUS) in the header's second byte.
  message[2] = (message[2] & 0x87) | (2 << 3);
  const [raw] = await udpRaw(server, [message]);
  expect(Packet.parse(raw).header.rcode).toBe(RCODE.NOTIMP);
  expect(calls).toEqual([]);
});

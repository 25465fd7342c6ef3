// Names that are not the cluster's go to the host's resolvers: here fake
// upstreams on 127.0.0.2, one port each for UDP and TCP.
import { DnsServer, type DnsServerLimits } from '../../../lib/network/dns/server';
import type { DnsLookup } from '../../../lib/network/dns/types';
import { FakeUpstream, type UpstreamBehaviour } from './fake-upstream';
import { RCODE, TYPE, query, udpQuery, waitFor, type Via } from './dns-client';

const forwardAll: DnsLookup = () => ({ kind: 'forward' });

const upstreams: FakeUpstream[] = [];
const servers: DnsServer[] = [];

async function upstream(behaviour: UpstreamBehaviour): Promise<FakeUpstream> {
  const u = await FakeUpstream.start(behaviour);
  upstreams.push(u);
  return u;
}

async function serve(via: FakeUpstream[], upstreamTimeoutMs = 2000, limits: Partial<DnsServerLimits> = {}): Promise<DnsServer> {
  const s = await DnsServer.start(
    { address: '127.0.0.1', port: 0, lookup: forwardAll, upstreams: via.map((u) => u.hostPort), upstreamTimeoutMs },
    limits,
  );
  servers.push(s);
  return s;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await Promise.all(upstreams.splice(0).map((u) => u.close()));
});

describe.each<Via>(['udp', 'tcp'])('over %s', (via) => {
  test("relays the upstream's answer with the client's id and question, over the client's transport", async () => {
    const resolver = await upstream({ answer: '192.0.2.80' });
    const server = await serve([resolver]);
    const answer = await query(via, server, 'Example.COM', 'A', { id: 777 });
    expect(answer.header.id).toBe(777);
    expect(answer.header.rcode).toBe(RCODE.NOERROR);
    expect(answer.questions).toEqual([expect.objectContaining({ name: 'Example.COM', type: TYPE.A })]);
    expect(answer.answers.map((r) => [r.address, r.ttl])).toEqual([['192.0.2.80', 42]]);
    // Raw: the upstream sees the name as the client spelled it.
    expect(resolver.seen.map((q) => [q.name, q.transport])).toEqual([['Example.COM', via]]);
  });

  test('asks the next upstream when one is silent past its timeout', async () => {
    const silent = await upstream('silent');
    const resolver = await upstream({ answer: '192.0.2.81' });
    const server = await serve([silent, resolver], 300);
    const answer = await query(via, server, 'example.org');
    expect(answer.answers.map((r) => r.address)).toEqual(['192.0.2.81']);
    expect(silent.seen).toHaveLength(1);
    expect(resolver.seen).toHaveLength(1);
    expect(resolver.seen[0].at - silent.seen[0].at).toBeGreaterThanOrEqual(250);
  });

  test('answers SERVFAIL when no upstream answers within its timeout', async () => {
    const first = await upstream('silent');
    const second = await upstream('silent');
    const server = await serve([first, second], 300);
    const started = Date.now();
    const answer = await query(via, server, 'example.net', 'A', { timeoutMs: 5000 });
    expect(answer.header.rcode).toBe(RCODE.SERVFAIL);
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
    expect([first.seen.length, second.seen.length]).toEqual([1, 1]);
    expect(server.stats().forwardFailures).toBe(1);
  });
});

test('an upstream that refuses is passed over for the next; if all refuse, the client hears the refusal', async () => {
  const refusing = await upstream({ rcode: RCODE.REFUSED });
  const resolver = await upstream({ answer: '192.0.2.82' });
  const server = await serve([refusing, resolver]);
  expect((await udpQuery(server, 'example.org')).answers.map((r) => r.address)).toEqual(['192.0.2.82']);

  const onlyRefusing = await serve([refusing]);
  expect((await udpQuery(onlyRefusing, 'example.org')).header.rcode).toBe(RCODE.REFUSED);
});

test('with no upstream at all, forwarding answers SERVFAIL at once', async () => {
  const server = await serve([], 10_000);
  const answer = await udpQuery(server, 'example.org', 'A', { timeoutMs: 1000 });
  expect(answer.header.rcode).toBe(RCODE.SERVFAIL);
});

test('the server never forwards to itself', async () => {
  const probe = await DnsServer.start({ address: '127.0.0.1', port: 0, lookup: forwardAll, upstreams: [] });
  const port = probe.port;
  await probe.close();
  const server = await DnsServer.start(
    { address: '127.0.0.1', port, lookup: forwardAll, upstreams: [`127.0.0.1:${port}`], upstreamTimeoutMs: 10_000 },
  );
  servers.push(server);
  const answer = await udpQuery(server, 'example.org', 'A', { timeoutMs: 1000 });
  expect(answer.header.rcode).toBe(RCODE.SERVFAIL);
  expect(server.stats().udpQueries).toBe(1);
});

test('forwards beyond the in-flight bound are answered SERVFAIL at once, without reaching an upstream', async () => {
  const silent = await upstream('silent');
  const server = await serve([silent], 1500, { maxForwardsInFlight: 2 });
  const held = [udpQuery(server, 'a.example', 'A', { timeoutMs: 5000 }), udpQuery(server, 'b.example', 'A', { timeoutMs: 5000 })];
  await waitFor(() => silent.seen.length === 2, 'two forwards to reach the upstream');
  expect(server.stats().forwardsInFlight).toBe(2);

  const started = Date.now();
  const beyond = await udpQuery(server, 'c.example', 'A', { timeoutMs: 1000 });
  expect(beyond.header.rcode).toBe(RCODE.SERVFAIL);
  expect(Date.now() - started).toBeLessThan(1000);
  expect(silent.seen.map((q) => q.name)).toEqual(['a.example', 'b.example']);
  expect(server.stats().overloaded).toBe(1);

  // The held ones end in SERVFAIL at their timeout, and the bound frees up.
  for (const answer of await Promise.all(held)) expect(answer.header.rcode).toBe(RCODE.SERVFAIL);
  expect(server.stats().forwardsInFlight).toBe(0);
});

test('a refused UDP port upstream is skipped', async () => {
  // A closed port: nothing listens on 127.0.0.2:1 (privileged, never bound by the tests).
  const resolver = await upstream({ answer: '192.0.2.83' });
  const server = await DnsServer.start({
    address: '127.0.0.1',
    port: 0,
    lookup: forwardAll,
    upstreams: ['127.0.0.2:1', resolver.hostPort],
    upstreamTimeoutMs: 5000,
  });
  servers.push(server);
  const started = Date.now();
  const answer = await udpQuery(server, 'example.org', 'A', { timeoutMs: 6000 });
  expect(answer.answers.map((r) => r.address)).toEqual(['192.0.2.83']);
  // The port-unreachable error ends that upstream's turn well before its timeout.
  expect(Date.now() - started).toBeLessThan(4000);
});

// What a noisy, broken or hostile client cannot do to the server: crash it, hold
// it forever, or keep its port after close().
import dgram from 'node:dgram';
import net from 'node:net';
import { DnsServer, type DnsServerLimits } from '../../../lib/network/dns/server';
import type { DnsLookup } from '../../../lib/network/dns/types';
import { Packet, RCODE, TcpClient, encodeQuery, tcpQuery, udpQuery, udpRaw, waitFor } from './dns-client';

const lookup: DnsLookup = (_peer, name) =>
  name === 'web' ? { kind: 'records', addresses: ['100.64.0.5'], ttlSeconds: 5 } : { kind: 'nxdomain' };

const servers: DnsServer[] = [];

async function serve(limits: Partial<DnsServerLimits> = {}, l: DnsLookup = lookup): Promise<DnsServer> {
  const s = await DnsServer.start({ address: '127.0.0.1', port: 0, lookup: l, upstreams: [] }, limits);
  servers.push(s);
  return s;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A query whose question name is a compression pointer to itself. */
function pointerLoop(): Buffer {
  const header = encodeQuery('web').subarray(0, 12);
  return Buffer.concat([header, Buffer.from([0xc0, 12, 0, 1, 0, 1])]);
}

function asResponse(message: Buffer): Buffer {
  const copy = Buffer.from(message);
  copy[2] |= 0x80;
  return copy;
}

describe('malformed input', () => {
  test('UDP garbage, a short header, a pointer loop and an answer are dropped; the next query is answered', async () => {
    const server = await serve();
    const junk = [Buffer.from('hello'), Buffer.alloc(11), pointerLoop(), asResponse(encodeQuery('web', 'A', { id: 1 }))];
    const [first] = await udpRaw(server, [...junk, encodeQuery('web', 'A', { id: 99 })]);
    // The first datagram back answers the good query: nothing came back for the junk.
    expect(Packet.parse(first).header.id).toBe(99);
    expect(server.stats().malformed).toBe(4);
  });

  test('a TCP message that is not a query closes that connection; others are served', async () => {
    const server = await serve();
    const bad = await TcpClient.connect(server);
    bad.send(Buffer.from('definitely not dns'));
    await bad.closed();
    expect((await tcpQuery(server, 'web')).answers.map((r) => r.address)).toEqual(['100.64.0.5']);
  });

  test('a zero-length TCP frame closes the connection', async () => {
    const server = await serve();
    const client = await TcpClient.connect(server);
    client.socket.write(Buffer.from([0, 0]));
    await client.closed();
  });
});

describe('TCP connections', () => {
  test('carry several queries, answered by id, even when a frame arrives a byte at a time', async () => {
    const server = await serve();
    const client = await TcpClient.connect(server);
    try {
      client.send(encodeQuery('web', 'A', { id: 1 }), encodeQuery('nope', 'A', { id: 2 }));
      const answers = [await client.next(), await client.next()];
      expect(answers.map((a) => [a.header.id, a.header.rcode]).sort()).toEqual([
        [1, RCODE.NOERROR],
        [2, RCODE.NXDOMAIN],
      ]);
      const third = encodeQuery('web', 'A', { id: 3 });
      const framed = Buffer.concat([Buffer.from([0, third.length]), third]);
      for (const byte of framed) client.socket.write(Buffer.from([byte]));
      expect((await client.next()).header.id).toBe(3);
    } finally {
      client.destroy();
    }
  });

  test('are closed after the idle timeout', async () => {
    const server = await serve({ tcpIdleTimeoutMs: 200 });
    const client = await TcpClient.connect(server);
    client.send(encodeQuery('web'));
    await client.next();
    const answeredAt = Date.now();
    await client.closed(3000);
    expect(Date.now() - answeredAt).toBeGreaterThanOrEqual(150);
    await waitFor(() => server.stats().tcpConnections === 0, 'the server to forget the connection');
  });

  test('stay open while a query waits on a slow lookup, past the idle timeout', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const server = await serve({ tcpIdleTimeoutMs: 100 }, async () => {
      await gate;
      return { kind: 'records', addresses: ['100.64.0.7'], ttlSeconds: 1 };
    });
    const client = await TcpClient.connect(server);
    client.send(encodeQuery('slow'));
    const answer = client.next();
    // Time itself is the subject here: three idle periods pass with the query pending.
    await new Promise((resolve) => setTimeout(resolve, 300));
    release();
    expect((await answer).answers.map((r) => r.address)).toEqual(['100.64.0.7']);
    client.destroy();
  });

  test('beyond the connection bound are closed, and served again once one closes', async () => {
    const server = await serve({ maxTcpConnections: 2 });
    const held = [await TcpClient.connect(server), await TcpClient.connect(server)];
    await waitFor(() => server.stats().tcpConnections === 2, 'two connections to be accepted');
    const extra = await TcpClient.connect(server);
    await extra.closed();
    held[0].destroy();
    await waitFor(() => server.stats().tcpConnections === 1, 'a connection to close');
    expect((await tcpQuery(server, 'web')).answers).toHaveLength(1);
    held[1].destroy();
  });

  test('a client that resets while its query is pending does not disturb the server', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const server = await serve({}, async (_peer, name) => {
      calls++;
      if (name === 'slow') await gate;
      return { kind: 'records', addresses: ['100.64.0.8'], ttlSeconds: 1 };
    });
    const client = await TcpClient.connect(server);
    client.send(encodeQuery('slow'));
    await waitFor(() => calls === 1, 'the lookup to start');
    client.socket.resetAndDestroy();
    await waitFor(() => server.stats().tcpConnections === 0, 'the server to see the reset');
    release();
    expect((await udpQuery(server, 'web')).answers).toHaveLength(1);
  });

  test('a client that half-closes after its query still gets the answer', async () => {
    const server = await serve();
    const client = await TcpClient.connect(server);
    client.send(encodeQuery('web', 'A', { id: 5 }));
    client.socket.end();
    expect((await client.next()).header.id).toBe(5);
    await client.closed();
  });
});

describe('binding', () => {
  test('close() frees the port for UDP and TCP', async () => {
    const first = await DnsServer.start({ address: '127.0.0.1', port: 0, lookup, upstreams: [] });
    const port = first.port;
    await first.close();
    const again = await DnsServer.start({ address: '127.0.0.1', port, lookup, upstreams: [] });
    servers.push(again);
    expect(again.port).toBe(port);
    expect((await udpQuery(again, 'web')).answers).toHaveLength(1);
    expect((await tcpQuery(again, 'web')).answers).toHaveLength(1);
  });

  test('a taken address and port rejects with EADDRINUSE, and leaves nothing bound', async () => {
    const server = await serve();
    await expect(DnsServer.start({ address: '127.0.0.1', port: server.port, lookup })).rejects.toMatchObject({
      code: 'EADDRINUSE',
      message: expect.stringContaining(`127.0.0.1:${server.port}`),
    });

    // Only the TCP side taken: the UDP socket bound first must be let go again.
    const tcpOnly = net.createServer();
    await new Promise<void>((resolve) => tcpOnly.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const udp = dgram.createSocket('udp4');
    try {
      const port = (tcpOnly.address() as net.AddressInfo).port;
      await expect(DnsServer.start({ address: '127.0.0.1', port, lookup })).rejects.toMatchObject({ code: 'EADDRINUSE' });
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind({ address: '127.0.0.1', port }, resolve);
      });
    } finally {
      udp.close();
      await new Promise<void>((resolve) => tcpOnly.close(() => resolve()));
    }
  });

  test('an address that is not on this machine rejects with EADDRNOTAVAIL', async () => {
    await expect(DnsServer.start({ address: '203.0.113.77', port: 0, lookup })).rejects.toMatchObject({
      code: 'EADDRNOTAVAIL',
    });
  });

  test('close() while a lookup is pending returns, and the late result is dropped quietly', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const warnings: string[] = [];
    const server = await DnsServer.start({
      address: '127.0.0.1',
      port: 0,
      upstreams: [],
      lookup: async () => {
        calls++;
        await gate;
        return { kind: 'nxdomain' };
      },
      logger: { warn: (msg) => warnings.push(msg) },
    });
    const socket = dgram.createSocket('udp4');
    try {
      socket.send(encodeQuery('web'), server.port, '127.0.0.1');
      await waitFor(() => calls === 1, 'the lookup to start');
      await server.close();
      release();
      await waitFor(() => server.stats().nxdomain === 1, 'the late lookup result');
      expect(warnings).toEqual([]);
    } finally {
      socket.close();
    }
  });
});

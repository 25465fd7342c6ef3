import dgram from 'node:dgram';
import net from 'node:net';

/** Why the server could not start; `code` is node's (EADDRINUSE, EADDRNOTAVAIL, EACCES, …). */
export class DnsBindError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'DnsBindError';
  }
}

export interface BoundSockets {
  udp: dgram.Socket;
  tcp: net.Server;
  port: number;
}

// With port 0 the kernel picks a UDP port that may be taken for TCP; a few tries
// find one free for both.
const PORT_ZERO_TRIES = 20;

const REASONS: Record<string, string> = {
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available on this machine',
  EACCES: 'permission denied',
};

function bindError(err: unknown, address: string, port: number, proto: 'udp' | 'tcp'): DnsBindError {
  const code = (err as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
  const reason = REASONS[code] ?? (err instanceof Error ? err.message : String(err));
  return new DnsBindError(`dns server cannot bind ${address}:${port}/${proto}: ${reason} (${code})`, code);
}

function bindUdp(address: string, port: number): Promise<dgram.Socket> {
  const socket = dgram.createSocket(net.isIPv6(address) ? 'udp6' : 'udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', (err) => {
      socket.close();
      reject(bindError(err, address, port, 'udp'));
    });
    socket.bind({ address, port }, () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}

function listenTcp(address: string, port: number): Promise<net.Server> {
  const server = net.createServer({ allowHalfOpen: true });
  return new Promise((resolve, reject) => {
    server.once('error', (err) => reject(bindError(err, address, port, 'tcp')));
    server.listen({ host: address, port }, () => {
      server.removeAllListeners('error');
      resolve(server);
    });
  });
}

function closeUdp(socket: dgram.Socket): Promise<void> {
  return new Promise((resolve) => socket.close(() => resolve()));
}

/**
 * A UDP socket and a TCP listener on the same address and port. Port 0 picks a
 * port free for both. Rejects with a DnsBindError when either cannot bind; then
 * nothing stays bound.
 */
export async function bindUdpAndTcp(address: string, port: number): Promise<BoundSockets> {
  if (net.isIP(address) === 0) throw new DnsBindError(`dns server address "${address}" is not an IP address`, 'EINVAL');
  for (let attempt = 1; ; attempt++) {
    const udp = await bindUdp(address, port);
    const udpPort = udp.address().port;
    try {
      const tcp = await listenTcp(address, udpPort);
      return { udp, tcp, port: udpPort };
    } catch (err) {
      await closeUdp(udp);
      const retry = port === 0 && err instanceof DnsBindError && err.code === 'EADDRINUSE' && attempt < PORT_ZERO_TRIES;
      if (!retry) throw err;
    }
  }
}

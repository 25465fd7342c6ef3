// A stand-in for the host's resolver: answers every query over UDP and TCP on one
// port with a fixed address or rcode, or stays silent, and records what it was asked.
import type dgram from 'node:dgram';
import type net from 'node:net';
import { bindUdpAndTcp } from '../../../lib/network/dns/bind';
import { Packet } from './dns-client';

export type UpstreamBehaviour = { answer: string } | { rcode: number } | 'silent';

export interface SeenQuery {
  id: number;
  name: string;
  transport: 'udp' | 'tcp';
  at: number;
}

export class FakeUpstream {
  readonly seen: SeenQuery[] = [];
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    readonly address: string,
    readonly port: number,
    private readonly udp: dgram.Socket,
    private readonly tcp: net.Server,
    private readonly behaviour: UpstreamBehaviour,
  ) {
    udp.on('message', (message, rinfo) => {
      const answer = this.handle(message, 'udp');
      if (answer !== undefined) udp.send(answer, rinfo.port, rinfo.address);
    });
    tcp.on('connection', (socket) => this.serveTcp(socket));
  }

  static async start(behaviour: UpstreamBehaviour, address = '127.0.0.2'): Promise<FakeUpstream> {
    const bound = await bindUdpAndTcp(address, 0);
    return new FakeUpstream(address, bound.port, bound.udp, bound.tcp, behaviour);
  }

  /** As DnsServerOptions.upstreams takes it. */
  get hostPort(): string {
    return `${this.address}:${this.port}`;
  }

  private handle(message: Buffer, transport: 'udp' | 'tcp'): Buffer | undefined {
    const query = Packet.parse(message);
    this.seen.push({ id: query.header.id, name: query.questions[0]?.name ?? '', transport, at: Date.now() });
    if (this.behaviour === 'silent') return undefined;
    const response = Packet.createResponseFromRequest(query);
    response.header.ra = 1;
    if ('rcode' in this.behaviour) {
      response.header.rcode = this.behaviour.rcode;
    } else {
      const question = query.questions[0];
      response.answers.push(
        new Packet.Resource({ name: question.name, type: Packet.TYPE.A, class: Packet.CLASS.IN, ttl: 42, address: this.behaviour.answer }),
      );
    }
    return response.toBuffer();
  }

  private async serveTcp(socket: net.Socket): Promise<void> {
    this.sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => this.sockets.delete(socket));
    try {
      while (!socket.destroyed) {
        const answer = this.handle(await Packet.readStream(socket), 'tcp');
        if (answer === undefined) continue;
        const prefix = Buffer.alloc(2);
        prefix.writeUInt16BE(answer.length);
        socket.write(Buffer.concat([prefix, answer]));
      }
    } catch {
      socket.destroy();
    }
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.udp.close(() => resolve()));
    await new Promise<void>((resolve) => this.tcp.close(() => resolve()));
  }
}

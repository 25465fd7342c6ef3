// Relays the queries the node does not answer to the host's resolvers, as they
// came: the client's question, flags and EDNS options reach the upstream unchanged.
import { randomInt } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { RCODE, type Transport } from './messages';
import { exchangeWith } from './upstream-exchange';
import type { Upstream } from './upstreams';

export type ForwardOutcome =
  | { kind: 'answer'; message: Buffer }
  /** No upstream answered in time, or there is none. */
  | { kind: 'failed' }
  /** Too many forwards in flight already. */
  | { kind: 'overloaded' };

// An upstream answering these is saying "not me"; the next one may still know.
const ASK_NEXT = new Set<number>([RCODE.SERVFAIL, RCODE.NOTIMP, RCODE.REFUSED]);

function rcodeOf(message: Buffer): number {
  return message[3] & 0x0f;
}

function withId(message: Buffer, id: number): Buffer {
  const copy = Buffer.from(message);
  copy.writeUInt16BE(id, 0);
  return copy;
}

export class Forwarder {
  private inFlightCount = 0;
  private readonly aborter = new AbortController();

  constructor(
    private readonly upstreams: readonly Upstream[],
    private readonly timeoutMs: number,
    private readonly maxInFlight: number,
  ) {
    // Each forward in flight listens for the abort; node warns past 10 listeners.
    setMaxListeners(Math.max(maxInFlight, 10), this.aborter.signal);
  }

  get inFlight(): number {
    return this.inFlightCount;
  }

  /**
   * Asks each upstream in turn, each for at most the timeout, over the transport
   * the client used. The answer carries the client's query id.
   */
  async forward(query: Buffer, transport: Transport): Promise<ForwardOutcome> {
    if (this.upstreams.length === 0 || this.aborter.signal.aborted) return { kind: 'failed' };
    if (this.inFlightCount >= this.maxInFlight) return { kind: 'overloaded' };
    this.inFlightCount++;
    try {
      const clientId = query.readUInt16BE(0);
      // A fresh random id upstream: a client's id may be predictable, and a
      // predictable id makes a forged upstream answer easy to slip in.
      const relayed = withId(query, randomInt(0x10000));
      const send = exchangeWith(transport);
      let refusal: Buffer | undefined;
      for (const upstream of this.upstreams) {
        const answer = await send(upstream, relayed, this.timeoutMs, this.aborter.signal);
        if (answer === undefined) continue;
        if (!ASK_NEXT.has(rcodeOf(answer))) return { kind: 'answer', message: withId(answer, clientId) };
        refusal ??= answer;
      }
      // Every upstream that answered said "not me": the client hears the first of them.
      return refusal === undefined ? { kind: 'failed' } : { kind: 'answer', message: withId(refusal, clientId) };
    } finally {
      this.inFlightCount--;
    }
  }

  /** Ends every exchange in flight; later forwards fail at once. */
  close(): void {
    this.aborter.abort();
  }
}

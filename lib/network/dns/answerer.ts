// What to send back for one query: the node's lookup decides what the name means
// for the peer asking, the answer follows from it.
import type { DnsServerLimits } from './limits';
import { decodeQuery, RCODE, rcodeAnswer, recordsAnswer, type Query, type Transport } from './messages';
import type { Forwarder } from './forwarder';
import type { DnsCounter } from './stats';
import type { DnsLookup, DnsLookupResult } from './types';

export interface AnswererDeps {
  lookup: DnsLookup;
  forwarder: Forwarder;
  limits: Pick<DnsServerLimits, 'maxQueriesInFlight' | 'lookupTimeoutMs'>;
  count(counter: DnsCounter): void;
  warn(msg: string): void;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class Answerer {
  private pending = 0;

  constructor(private readonly deps: AnswererDeps) {}

  /** The answer to send, or undefined when `raw` is not a query (drop it, or close the connection). */
  async answer(raw: Buffer, peer: string, transport: Transport): Promise<Buffer | undefined> {
    const query = decodeQuery(raw);
    if (query === undefined) {
      this.deps.count('malformed');
      return undefined;
    }
    if (!query.standard) return rcodeAnswer(query, RCODE.NOTIMP);
    if (this.pending >= this.deps.limits.maxQueriesInFlight) {
      this.deps.count('overloaded');
      return rcodeAnswer(query, RCODE.SERVFAIL);
    }
    this.pending++;
    try {
      return await this.resolve(query, raw, peer, transport);
    } finally {
      this.pending--;
    }
  }

  private async resolve(query: Query, raw: Buffer, peer: string, transport: Transport): Promise<Buffer> {
    let result: DnsLookupResult;
    try {
      result = await this.lookupWithTimeout(peer, query.name);
    } catch (err) {
      return this.lookupFailed(query, peer, messageOf(err));
    }
    switch (result.kind) {
      case 'records':
        try {
          const answer = recordsAnswer(query, result.addresses, result.ttlSeconds, transport);
          this.deps.count('answered');
          return answer;
        } catch (err) {
          return this.lookupFailed(query, peer, `gave an unusable answer: ${messageOf(err)}`);
        }
      case 'nxdomain':
        this.deps.count('nxdomain');
        return rcodeAnswer(query, RCODE.NXDOMAIN, true);
      case 'refused':
        this.deps.count('refused');
        return rcodeAnswer(query, RCODE.REFUSED);
      case 'forward':
        return this.forward(query, raw, transport);
      default:
        return this.lookupFailed(query, peer, `gave an unknown result ${JSON.stringify(result)}`);
    }
  }

  private async forward(query: Query, raw: Buffer, transport: Transport): Promise<Buffer> {
    const outcome = await this.deps.forwarder.forward(raw, transport);
    if (outcome.kind === 'answer') {
      this.deps.count('forwarded');
      return outcome.message;
    }
    this.deps.count(outcome.kind === 'overloaded' ? 'overloaded' : 'forwardFailures');
    return rcodeAnswer(query, RCODE.SERVFAIL);
  }

  private lookupFailed(query: Query, peer: string, why: string): Buffer {
    this.deps.count('lookupFailures');
    this.deps.warn(`dns lookup of "${query.name}" for ${peer} failed: ${why}; answered SERVFAIL`);
    return rcodeAnswer(query, RCODE.SERVFAIL);
  }

  private async lookupWithTimeout(peer: string, name: string): Promise<DnsLookupResult> {
    const ms = this.deps.limits.lookupTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no result within ${ms} ms`)), ms);
    });
    try {
      // Through a promise, so a lookup that throws synchronously is caught the same way.
      return await Promise.race([Promise.resolve().then(() => this.deps.lookup(peer, name)), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

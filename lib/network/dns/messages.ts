// Reading queries and writing answers, with dns2's codec. Forwarded answers never
// pass through here: they are relayed as the upstream sent them.
import { isIPv4 } from 'node:net';
import dns2 from 'dns2';

const { Packet } = dns2;
type Packet = dns2.Packet;
type Question = dns2.Packet.Question;
type Resource = dns2.Packet.Resource;

export type Transport = 'udp' | 'tcp';

export const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

const OPCODE_QUERY = 0;
// RFC 1035's limit for a client that did not say otherwise with EDNS.
const CLASSIC_UDP_LIMIT = 512;
// Larger UDP answers risk IP fragmentation, which firewalls often drop (the figure
// DNS Flag Day 2020 settled on); a bigger answer is truncated and the client uses TCP.
const EDNS_UDP_LIMIT = 1232;
const MAX_TTL = 0x7fffffff;

export interface Query {
  packet: Packet;
  /** The first question; a query with several is answered for this one. */
  question: Question;
  /** The question's name, lower-case, without a trailing dot. */
  name: string;
  /** A standard query (opcode QUERY); others are answered NOTIMP. */
  standard: boolean;
  /** The client sent an EDNS OPT record, so the answer carries one too. */
  edns: boolean;
  /** The largest UDP answer this client takes. */
  udpLimit: number;
}

/** The query in `raw`, or undefined when it is not one (undecodable, a response, no question). */
export function decodeQuery(raw: Buffer): Query | undefined {
  let packet: Packet;
  try {
    packet = Packet.parse(raw);
  } catch {
    return undefined;
  }
  // Never answer an answer: two servers (or a spoofed source) could bounce one forever.
  if (packet.header.qr === 1) return undefined;
  const question = packet.questions[0];
  if (question === undefined || typeof question.name !== 'string') return undefined;
  const opt = packet.additionals.find((r) => r.type === Packet.TYPE.EDNS);
  const requested = opt === undefined ? CLASSIC_UDP_LIMIT : opt.class;
  return {
    packet,
    question,
    name: question.name.toLowerCase().replace(/\.$/, ''),
    standard: packet.header.opcode === OPCODE_QUERY,
    edns: opt !== undefined,
    udpLimit: Math.min(Math.max(requested, CLASSIC_UDP_LIMIT), EDNS_UDP_LIMIT),
  };
}

function build(query: Query, rcode: number, authoritative: boolean, answers: Resource[], truncated: boolean): Buffer {
  const response = new Packet();
  response.header = new Packet.Header({
    id: query.packet.header.id,
    qr: 1,
    opcode: query.packet.header.opcode,
    aa: authoritative ? 1 : 0,
    tc: truncated ? 1 : 0,
    rd: query.packet.header.rd,
    // Recursion is available: names that are not the cluster's are forwarded.
    ra: 1,
    rcode,
  });
  response.questions = [query.question];
  response.answers = answers;
  if (query.edns) response.additionals = [Packet.Resource.EDNS([], { udpPayloadSize: EDNS_UDP_LIMIT })];
  return response.toBuffer();
}

/** An answer with no records: NXDOMAIN, REFUSED, SERVFAIL, NOTIMP. */
export function rcodeAnswer(query: Query, rcode: number, authoritative = false): Buffer {
  return build(query, rcode, authoritative, [], false);
}

function wantsAddresses(question: Question): boolean {
  const typeMatches = question.type === Packet.TYPE.A || question.type === Packet.TYPE.ANY;
  const classMatches = question.class === Packet.CLASS.IN || question.class === Packet.CLASS.ANY;
  return typeMatches && classMatches;
}

/**
 * A cluster name's answer: its IPv4 addresses for A (and ANY), none for every other
 * type (NODATA), so a client asking AAAA does not wait or fall back to upstreams.
 * Over UDP an answer longer than the client takes keeps the records that fit and
 * sets TC, so a client that cannot retry over TCP still gets some addresses.
 * Throws when an address is not IPv4.
 */
export function recordsAnswer(query: Query, addresses: string[], ttlSeconds: number, transport: Transport): Buffer {
  for (const address of addresses) {
    if (!isIPv4(address)) throw new Error(`"${address}" is not an IPv4 address`);
  }
  const ttl = Number.isFinite(ttlSeconds) ? Math.min(Math.max(Math.floor(ttlSeconds), 0), MAX_TTL) : 0;
  const records = (wantsAddresses(query.question) ? addresses : []).map(
    (address) =>
      new Packet.Resource({ name: query.question.name, type: Packet.TYPE.A, class: Packet.CLASS.IN, ttl, address }),
  );
  const full = build(query, RCODE.NOERROR, true, records, false);
  if (transport === 'tcp' || full.length <= query.udpLimit) return full;
  const empty = build(query, RCODE.NOERROR, true, [], true);
  // Every record names the question through the same compression pointer, so all
  // have one size.
  const recordSize = (full.length - empty.length) / records.length;
  for (let fit = Math.floor((query.udpLimit - empty.length) / recordSize); fit > 0; fit--) {
    const partial = build(query, RCODE.NOERROR, true, records.slice(0, fit), true);
    if (partial.length <= query.udpLimit) return partial;
  }
  return empty;
}

// What the DNS server asks of the node: whether a name is the cluster's, and
// what it means for the peer asking. The server owns the wire (UDP and TCP on
// port 53, the packet format, forwarding); the node owns the answers.

/** What a name means for one asking peer. */
export type DnsLookupResult =
  /** A cluster name this peer may use: these IPv4 addresses (empty: the name exists, no address now). */
  | { kind: 'records'; addresses: string[]; ttlSeconds: number }
  /** A cluster name this peer may not use, or none at all under a cluster-only suffix: NXDOMAIN, not forwarded. */
  | { kind: 'nxdomain' }
  /** Not the cluster's: ask the host's resolvers. */
  | { kind: 'forward' }
  /** The peer may not resolve outside names (its networks are all internal): REFUSED. */
  | { kind: 'refused' };

/**
 * `name` is lower-case without the trailing dot; `peer` is the source address of
 * the query. May return a promise (a peer the node does not know yet is given a
 * moment to appear in its table).
 */
export type DnsLookup = (peer: string, name: string) => DnsLookupResult | Promise<DnsLookupResult>;

export interface DnsServerLogger {
  warn(msg: string): void;
}

export interface DnsServerOptions {
  /** IPv4 address to serve on (the cluster's DNS address). */
  address: string;
  /** Default 53. */
  port?: number;
  lookup: DnsLookup;
  /** "ip" or "ip:port"; default: the nameservers of /etc/resolv.conf that are not the server itself. */
  upstreams?: string[];
  /** How long one upstream gets before the next is asked; default 2000 ms. */
  upstreamTimeoutMs?: number;
  logger?: DnsServerLogger;
}

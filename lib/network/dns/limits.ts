// The bounds that keep one node's DNS server from being worn down by a noisy or
// hostile container: every queue and every wait below has an end.

export interface DnsServerLimits {
  /** Queries relayed to upstreams at once; beyond it a query to forward is answered SERVFAIL. */
  maxForwardsInFlight: number;
  /** Queries being answered at once (lookups and forwards); beyond it SERVFAIL. */
  maxQueriesInFlight: number;
  /** How long a lookup may take before the query is answered SERVFAIL. */
  lookupTimeoutMs: number;
  /** Open TCP connections; the kernel's backlog holds the rest until one closes. */
  maxTcpConnections: number;
  /** A TCP connection with no traffic and no query pending is closed after this. */
  tcpIdleTimeoutMs: number;
  /** Queries of one TCP connection answered at once; reading pauses beyond it. */
  maxTcpQueriesPerConnection: number;
}

export const DEFAULT_DNS_LIMITS: DnsServerLimits = {
  maxForwardsInFlight: 1000,
  maxQueriesInFlight: 2000,
  // Below the 5 s a glibc or musl client waits before asking again.
  lookupTimeoutMs: 3000,
  maxTcpConnections: 256,
  // RFC 7766 §6.2.3 suggests a few seconds; 10 s lets a client pipeline a burst.
  tcpIdleTimeoutMs: 10_000,
  maxTcpQueriesPerConnection: 32,
};

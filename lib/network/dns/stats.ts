/** Counters since start; the in-flight and connection figures are the current values. */
export interface DnsServerStats {
  udpQueries: number;
  tcpQueries: number;
  /** Cluster names answered: addresses, or NOERROR without any (NODATA). */
  answered: number;
  nxdomain: number;
  refused: number;
  /** Upstream answers relayed to the client. */
  forwarded: number;
  /** SERVFAIL because no upstream answered in time (or there is none). */
  forwardFailures: number;
  /** SERVFAIL because the lookup threw, timed out or gave an unusable answer. */
  lookupFailures: number;
  /** SERVFAIL because a bound on queries or forwards in flight was reached. */
  overloaded: number;
  /** Packets that could not be decoded as a query: dropped (UDP) or the connection closed (TCP). */
  malformed: number;
  /** Answers the kernel would not send (the client went away, a buffer was full). */
  sendErrors: number;
  forwardsInFlight: number;
  tcpConnections: number;
}

export type DnsCounter = Exclude<keyof DnsServerStats, 'forwardsInFlight' | 'tcpConnections'>;

export function emptyCounters(): Record<DnsCounter, number> {
  return {
    udpQueries: 0,
    tcpQueries: 0,
    answered: 0,
    nxdomain: 0,
    refused: 0,
    forwarded: 0,
    forwardFailures: 0,
    lookupFailures: 0,
    overloaded: 0,
    malformed: 0,
    sendErrors: 0,
  };
}

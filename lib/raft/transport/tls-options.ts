// Mutual TLS settings for the transport, and how they map onto Node's server
// and client options.

import type * as https from 'https';
import type { PeerCertificate, SecureContextOptions } from 'tls';

/**
 * The server requires a client certificate signed by `ca`, and the client
 * verifies the server against `ca` (never the system roots).
 */
export interface TransportTlsOptions
  extends Pick<SecureContextOptions, 'crl' | 'passphrase' | 'ciphers' | 'minVersion' | 'maxVersion'> {
  key: NonNullable<SecureContextOptions['key']>;
  cert: NonNullable<SecureContextOptions['cert']>;
  ca: NonNullable<SecureContextOptions['ca']>;
  /** Name to verify the server certificate against instead of the URL's host (and to send as SNI). */
  servername?: string;
  /** Replaces Node's hostname check of the server certificate, e.g. to match a raft id in the CN. */
  checkServerIdentity?: (hostname: string, cert: PeerCertificate) => Error | undefined;
}

export function serverTlsOptions(t: TransportTlsOptions): https.ServerOptions {
  const { key, cert, ca, crl, passphrase, ciphers, minVersion, maxVersion } = t;
  return { key, cert, ca, crl, passphrase, ciphers, minVersion, maxVersion, requestCert: true, rejectUnauthorized: true };
}

export function clientTlsOptions(t: TransportTlsOptions): https.RequestOptions {
  const { key, cert, ca, crl, passphrase, ciphers, minVersion, maxVersion, servername, checkServerIdentity } = t;
  const out: https.RequestOptions = { key, cert, ca, crl, passphrase, ciphers, minVersion, maxVersion, rejectUnauthorized: true };
  if (servername !== undefined) out.servername = servername;
  if (checkServerIdentity !== undefined) out.checkServerIdentity = checkServerIdentity;
  return out;
}

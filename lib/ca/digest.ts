// The CA digest carried in join tokens, and the base-36 text swarmkit writes numbers in.

import { createHash, randomBytes } from 'crypto';
import { singleCertificateDer } from './pem';

/** ceil(log36(2^256)): a SHA-256 digest in base 36 never needs more. */
export const CA_DIGEST_CHARS = 50;

/** Big-endian bytes as a lowercase base-36 number, left-padded with '0' to `width`. */
export function base36(bytes: Uint8Array, width: number): string {
  const n = bytes.length === 0 ? 0n : BigInt('0x' + Buffer.from(bytes).toString('hex'));
  return n.toString(36).padStart(width, '0');
}

/**
 * SHA-256 of the CA certificate's DER, in base 36, 50 characters.
 *
 * swarmkit hashes the PEM bytes of its CA bundle as stored; we hash the DER
 * instead, because PEM line breaks and whitespace are not canonical and a CA
 * certificate re-encoded on its way to a joining node would no longer match.
 */
export function caDigest(caCertPem: string): string {
  const der = singleCertificateDer(caCertPem, 'CA certificate');
  return base36(createHash('sha256').update(der).digest(), CA_DIGEST_CHARS);
}

/**
 * A positive serial number of about 126 random bits, as hex. The top bits are
 * fixed (01…) so DER needs neither a sign byte nor strips a leading zero.
 */
export function randomSerialHex(): string {
  const b = randomBytes(16);
  b[0] = (b[0] & 0x3f) | 0x40;
  return b.toString('hex');
}

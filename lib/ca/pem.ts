// PEM <-> DER for certificates and keys, with errors that say what was expected.

import { createPrivateKey, createPublicKey, KeyObject } from 'crypto';
import { CertificateError } from './errors';

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/g;

/** DER of every certificate in a PEM text, in order. */
export function certificatesFromPem(pem: string): Buffer[] {
  const out: Buffer[] = [];
  for (const m of pem.matchAll(CERT_BLOCK)) out.push(Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
  return out;
}

/**
 * DER of the single certificate in `pem`. More than one is refused rather than
 * silently taking the first: for a CA that would make the digest ambiguous.
 */
export function singleCertificateDer(pem: string, what: string): Buffer {
  const certs = certificatesFromPem(pem);
  if (certs.length === 0) throw new CertificateError(`${what}: no PEM CERTIFICATE block found`);
  if (certs.length > 1) throw new CertificateError(`${what}: expected one certificate, found ${certs.length}`);
  return certs[0];
}

/** DER of the first certificate: a node certificate may be followed by its chain. */
export function leafCertificateDer(pem: string, what: string): Buffer {
  const certs = certificatesFromPem(pem);
  if (certs.length === 0) throw new CertificateError(`${what}: no PEM CERTIFICATE block found`);
  return certs[0];
}

export function derToPem(der: ArrayBuffer | Uint8Array, label: string): string {
  const b64 = Buffer.from(der instanceof ArrayBuffer ? new Uint8Array(der) : der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** Parses a private key PEM (PKCS#8 or SEC1), failing with a CertificateError. */
export function privateKeyFromPem(pem: string, what: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch (err) {
    throw new CertificateError(`${what}: not a readable private key PEM (${(err as Error).message})`);
  }
}

/** PKCS#8 DER of a private key, the form WebCrypto imports. */
export function pkcs8Der(key: KeyObject): Buffer {
  return key.export({ type: 'pkcs8', format: 'der' });
}

/** SPKI DER of the public half of a private key, to compare with a certificate's key. */
export function spkiDerOfPrivate(key: KeyObject): Buffer {
  return createPublicKey(key).export({ type: 'spki', format: 'der' });
}

export function isP256(key: KeyObject): boolean {
  return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
}

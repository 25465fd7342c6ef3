// The one place @peculiar/x509 is loaded, so its prerequisites are met before any use.

// tsyringe (which @peculiar/x509 uses internally) throws at load time unless a
// Reflect metadata polyfill is already installed; this import must stay first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'crypto';

// Pin the provider to Node's WebCrypto rather than relying on the library's
// global lookup, so behaviour does not depend on what else patched globalThis.
x509.cryptoProvider.set(webcrypto);

export { x509 };
export const subtle = webcrypto.subtle;

/** ECDSA P-256 with SHA-256: the only algorithm this CA issues or accepts. */
export const EC_ALG = { name: 'ECDSA', namedCurve: 'P-256' } as const;
export const SIGNING_ALG = { name: 'ECDSA', hash: 'SHA-256' } as const;

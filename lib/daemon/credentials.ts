// The node's TLS material in the data dir: its private key (0600), its
// certificate and the cluster's root CA certificate.

import { promises as fsp } from 'fs';
import { join } from 'path';
import { writeFileAtomic } from './atomic-file';

export interface Credentials {
  keyPem: string;
  certPem: string;
  caCertPem: string;
}

const FILES = { keyPem: 'node.key', certPem: 'node.crt', caCertPem: 'ca.crt' } as const;

/** Where the cluster's root CA certificate is kept, e.g. for a browser to trust the dashboard. */
export function caCertPath(certsDir: string): string {
  return join(certsDir, FILES.caCertPem);
}

export async function writeCredentials(dir: string, c: Credentials): Promise<void> {
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(join(dir, FILES.keyPem), c.keyPem, 0o600);
  await writeFileAtomic(join(dir, FILES.certPem), c.certPem, 0o644);
  await writeFileAtomic(join(dir, FILES.caCertPem), c.caCertPem, 0o644);
}

export async function readCredentials(dir: string): Promise<Credentials> {
  const read = (f: string) => fsp.readFile(join(dir, f), 'utf8');
  try {
    return { keyPem: await read(FILES.keyPem), certPem: await read(FILES.certPem), caCertPem: await read(FILES.caCertPem) };
  } catch (e) {
    throw new Error(`the node's certificates in ${dir} are missing or unreadable: ${(e as Error).message}`);
  }
}

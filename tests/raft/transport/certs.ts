// Throw-away PKI for the TLS tests, made with the openssl CLI (Node can make
// keys but not X.509 certificates).

import { execFileSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

export interface KeyPair {
  key: Buffer;
  cert: Buffer;
}

export class TestPki {
  readonly dir = mkdtempSync(join(tmpdir(), 'raft-transport-pki-'));

  private run(args: string[]): void {
    execFileSync('openssl', args, { cwd: this.dir, stdio: 'pipe' });
  }

  /** A self-signed CA; returns its certificate. */
  ca(name: string): Buffer {
    this.run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`]);
    return readFileSync(join(this.dir, `${name}.crt`));
  }

  /** A certificate for 127.0.0.1 usable as both server and client, signed by CA `ca`. */
  issue(ca: string, name: string): KeyPair {
    writeFileSync(
      join(this.dir, `${name}.ext`),
      'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\nbasicConstraints=CA:FALSE\n',
    );
    this.run(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
    this.run(['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial',
      '-days', '2', '-out', `${name}.crt`, '-extfile', `${name}.ext`]);
    return { key: readFileSync(join(this.dir, `${name}.key`)), cert: readFileSync(join(this.dir, `${name}.crt`)) };
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// One HTTPS request to another node with a hard deadline, for the join client.
// The body is written only once the server's certificate has been verified, so
// a secret in it never reaches a server that fails verification.

import * as https from 'https';
import type { PeerCertificate, TLSSocket } from 'tls';

export interface HttpsCallOptions {
  host: string;
  port: number;
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  /** Trusted CA; omitted together with verify: false to fetch the CA itself. */
  ca?: string;
  verify: boolean;
  checkServerIdentity?: (hostname: string, cert: PeerCertificate) => Error | undefined;
  timeoutMs: number;
  maxResponseBytes?: number;
}

export interface HttpsAnswer {
  status: number;
  body: string;
}

/** The whole call (connect, TLS, request, response) took longer than timeoutMs. */
export class CallTimeout extends Error {
  override name = 'CallTimeout';
}

/** The connection was made but TLS failed: a bad handshake, or the server's certificate did not verify. */
export class HandshakeFailed extends Error {
  override name = 'HandshakeFailed';
}

export function httpsCall(o: HttpsCallOptions): Promise<HttpsAnswer> {
  const max = o.maxResponseBytes ?? 1024 * 1024;
  return new Promise<HttpsAnswer>((resolve, reject) => {
    const headers: Record<string, string> = { accept: 'application/json, application/x-pem-file' };
    if (o.body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(o.body));
    }
    const options: https.RequestOptions = {
      host: o.host,
      port: o.port,
      method: o.method,
      path: o.path,
      headers,
      // A fresh connection per call: no pooled socket verified under other options.
      agent: false,
      rejectUnauthorized: o.verify,
      minVersion: 'TLSv1.2',
    };
    if (o.ca !== undefined) options.ca = o.ca;
    if (o.checkServerIdentity !== undefined) options.checkServerIdentity = o.checkServerIdentity;
    const req = https.request(options);
    const timer = setTimeout(() => req.destroy(new CallTimeout(`no answer within ${o.timeoutMs} ms`)), o.timeoutMs);
    let connected = false;
    let secured = false;
    const fail = (err: Error): void => {
      clearTimeout(timer);
      reject(connected && !secured && !(err instanceof CallTimeout) ? new HandshakeFailed(err.message) : err);
    };
    req.on('error', fail);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > max) req.destroy(new Error(`response larger than ${max} bytes`));
        else chunks.push(c);
      });
      res.on('error', fail);
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.on('socket', (socket) => {
      socket.once('connect', () => (connected = true));
      // secureConnect fires only after the chain and checkServerIdentity passed.
      (socket as TLSSocket).once('secureConnect', () => {
        secured = true;
        req.end(o.body);
      });
    });
  });
}

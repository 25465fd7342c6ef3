// `swarm dashboard`'s HTTPS certificate from the cluster's CA: the key is made
// here and never leaves this process; the local manager daemon signs a CSR
// (POST /v1/dashboard/certificate) with the server-only dashboard profile.

import { X509Certificate, createPrivateKey } from 'crypto';
import { createCSR, createNodeKey } from '../ca';
import type { CliContext } from '../cli/context';
import { DASHBOARD_CERT_PATH } from '../daemon/dashboard-cert-route';

export interface ClusterCertificate {
  cert: string;
  key: string;
  caPem: string;
  notAfter: Date;
  /** SHA-256 of the CA certificate, "AB:CD:…", as browsers show it. */
  caFingerprint: string;
}

export async function clusterCertificate(ctx: CliContext, host: string): Promise<ClusterCertificate> {
  const key = await createNodeKey();
  const csrPem = await createCSR(key);
  const answer = await ctx.call<{ certPem: string; caPem: string }>('POST', DASHBOARD_CERT_PATH, { csrPem, hosts: [host] });
  const cert = new X509Certificate(answer.certPem);
  const ca = new X509Certificate(answer.caPem);
  // Cheap checks that the daemon answered what was asked, before serving it.
  if (!cert.checkPrivateKey(createPrivateKey(key.keyPem))) throw new Error('the daemon signed a certificate for another key');
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) throw new Error('the daemon\'s dashboard certificate does not chain to its CA');
  return { cert: answer.certPem, key: key.keyPem, caPem: answer.caPem, notAfter: new Date(cert.validTo), caFingerprint: ca.fingerprint256 };
}

/** setTimeout's limit (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** When to fetch the next one: once a third of what is left remains (day 20 of 30), at least a minute from now. */
export function renewalDelayMs(notAfter: Date, now: Date = new Date()): number {
  const left = notAfter.getTime() - now.getTime();
  return Math.min(MAX_TIMER_MS, Math.max(60_000, Math.floor((left * 2) / 3)));
}
